"""The directory in the browser: states filtered by name, a state's card with local times
and operating hours, a search, and the exports."""


def test_state_card(page):
    page.login("FRA/officer")
    page.fill("filter", "germ")
    link = page.css('main ul.states a[href="/directory?state=DEU"]')
    assert len(page.all("main ul.states li")) < 5
    link.click()
    page.wait(lambda d: page.path() == "/directory?state=DEU")
    page.css("main article.poc")
    text = page.text()
    assert "Germany (DEU)" in text
    cards = page.all("main article.poc")
    assert len(cards) >= 3
    for c in cards:
        assert "Local time" in c.text
        assert ("In hours now" in c.text) or ("Outside hours now" in c.text)
    # The technical PoCs are 24/7: in hours whatever the hour.
    assert any("24/7" in c.text and "In hours now" in c.text for c in cards)
    page.screenshot("state-card")
    csv = page.css('main a[href*="format=csv"]')
    assert "state=DEU" in csv.get_attribute("href")
    got = page.d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0]).then(async (r) => done([r.status, r.headers.get('Content-Type'),
          (await r.text()).split('\\n').length]));""", csv.get_attribute("href"))
    assert got[0] == 200 and got[1].startswith("text/csv") and got[2] >= 4, got
    vcard = page.css('main a[href*="format=vcard"]').get_attribute("href")
    got = page.d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0]).then(async (r) => done([r.status, (await r.text()).slice(0, 11)]));""",
                                      vcard)
    assert got == [200, "BEGIN:VCARD"], got


def test_search(page):
    page.login("KEN/officer")
    page.fill("q", "Ministry of Foreign Affairs of JPN")
    page.css("main form.search button").click()
    h2 = page.css("#results h2")
    assert h2.text.split()[0].isdigit() and int(h2.text.split()[0]) >= 1
    assert "JPN" in page.css("#results section.state h2").text
    assert page.path().startswith("/directory?q=")
    page.screenshot("directory-search")


def test_stale_entries_are_flagged(page):
    # An entry past its review date, made through the API with a date in the past.
    from pocd_helpers import poc_body

    r = page.server.post("/api/v1/states/KEN/pocs", who="KEN/admin", json=poc_body(
        rank="alternate", kind="diplomatic", organisation="Stale desk (fictional)",
        review_by="2020-01-01", email="stale@ken.example", time_zone="Africa/Nairobi"))
    assert r.status_code == 201, r.text
    page.login("FRA/officer")
    page.open("/directory?state=KEN")
    card = [c for c in page.all("main article.poc") if "Stale desk" in c.text]
    assert len(card) == 1
    assert "stale" in card[0].get_attribute("class")
    assert "Past its review date" in card[0].text
