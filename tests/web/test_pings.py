"""Ping tests in the browser: answering through the single-use link without logging in,
answering in the app, and the Secretariat's campaigns with their trend chart."""
from ping_helpers import campaign, links, results


def test_answer_by_link(page):
    c = campaign(page.server, scope=["RUS"], kinds=["technical"])
    link = [v for v in links(page.server).values() if v["campaign"] == c["id"]][0]
    page.open(link["link"])
    page.css('main [data-field="challenge"] input')
    # The token left the address bar as soon as the page read it.
    assert page.d.execute_script("return location.hash") == ""
    assert page.path() == "/ping"
    page.screenshot("ping-link")
    page.fill("challenge", link["challenge"].lower())
    page.button("Send answer").click()
    res = page.css("main .result.ok")
    assert "your answer is recorded" in res.text
    row = [r for r in results(page.server, c["id"])["items"] if r["ping"] == link["ping"]][0]
    assert row["status"] == "answered" and row["channel"] == "link" and row["correct"]
    # Single use: the same link again is gone.
    page.open(link["link"])
    page.fill("challenge", link["challenge"])
    page.button("Send answer").click()
    assert "unknown, used or expired" in page.css("main .form-error").text


def test_link_without_token(page):
    page.open("/ping")
    assert "incomplete" in page.css("main .error").text


def test_answer_in_the_app(page):
    campaign(page.server, scope=["IND"], kinds=["diplomatic"])
    page.login("IND/admin")
    page.open("/pings")
    card = page.css("main article.ping")
    code = card.find_element("css selector", "strong.mono").text
    card.find_element("css selector", "input").send_keys(code)
    card.find_element("css selector", "button").click()
    page.wait(lambda d: "your answer is recorded" in card.text)


def test_campaign_and_trend(page):
    campaign(page.server, scope=["BRA"])
    page.login("secretariat")
    page.open("/campaigns")
    page.css('main input[name="scope_mode"][value="list"]').click()
    page.fill("scope", "BRA, JPN")
    page.button("Launch").click()
    page.wait(lambda d: page.path().startswith("/campaigns?id="))
    table = page.css("main table.figures")
    assert "All states" in table.text and "(BRA)" in table.text and "(JPN)" in table.text
    page.open("/campaigns")
    chart = page.css("main svg.chart")
    assert len(chart.find_elements("css selector", ".s1 circle")) >= 2
    page.screenshot("campaigns")


def test_campaign_errors_next_to_fields(page):
    page.login("secretariat")
    page.open("/campaigns")
    page.css('main input[name="scope_mode"][value="list"]').click()
    page.fill("scope", "XXX")
    page.fill("window_hours", "0")
    page.button("Launch").click()
    assert "1 to 720" in page.css('main [data-field="window_hours"] > .error').text
    page.fill("window_hours", "24")
    page.button("Launch").click()
    assert page.css('main [data-field="scope"] > .error').is_displayed()
    assert not page.all('main [data-field="window_hours"] > .error:not([hidden])')
