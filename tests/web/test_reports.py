"""Responsiveness in the browser, and the pages on a narrow screen."""


def test_state_figures_beside_the_aggregate(page):
    page.login("DEU/admin")
    page.open("/responsiveness")
    page.css("main svg.chart")
    assert len(page.all("main svg.chart")) >= 2
    table = page.css("main table.figures").text
    assert "All states" in table
    legend = page.css("main .legend").text
    assert "Germany (DEU)" in legend and "All states" in legend
    page.screenshot("responsiveness")


def test_secretariat_sees_every_state(page):
    from comm_helpers import ack, send, to

    doc = send(page.server, who="FRA/officer", to=to("RUS"))
    assert ack(page.server, doc["id"], "RUS/officer").status_code == 200
    page.login("secretariat")
    page.open("/responsiveness")
    table = page.css("main table.figures").text
    assert "All states" in table and "Russian Federation (RUS)" in table
    assert page.all('main svg.chart text')


def test_narrow_screen(page):
    page.d.set_window_size(390, 844)
    try:
        page.login("FRA/officer")
        for path, name in (("/directory?state=JPN", "narrow-state-card"),
                           ("/compose", "narrow-compose")):
            page.open(path)
            page.css("main h1")
            wide = page.d.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 0, (path, wide)
            page.screenshot(name)
    finally:
        page.d.set_window_size(1280, 1000)
