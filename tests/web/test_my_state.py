"""My state: a state's administrator adds a PoC (each validation message next to its
field, then success), edits it, sees its history and confirms it."""
from selenium.webdriver.support.select import Select


def add_form(page):
    page.login("EGY/admin")
    page.open("/my-state")
    page.button("Add a point of contact").click()
    return page.css("main form.poc-form")


def test_add_poc_with_a_validation_error_then_success(page):
    form = add_form(page)
    Select(page.field("kind")).select_by_value("technical")
    Select(page.field("rank")).select_by_value("alternate")
    page.fill("organisation", "EG-CERT night desk (fictional)")
    page.fill("role_title", "Duty officer")
    page.fill("email", "night@egcert.example")
    page.fill("phones", "+20 2 1234")
    page.fill("languages", "ar, en")
    page.fill("time_zone", "Africa/Cairo")
    page.button("Save").click()
    err = page.css('main [data-field="phones"] > .error')
    assert "E.164" in err.text, err.text
    phones = page.field("phones")
    assert phones.get_attribute("aria-invalid") == "true"
    assert err.get_attribute("id") in phones.get_attribute("aria-describedby")
    assert page.d.switch_to.active_element == phones
    # Only the field in error says so.
    assert not page.css('main [data-field="email"] > .error', timeout=1).is_displayed() \
        if page.all('main [data-field="email"] > .error:not([hidden])') else True
    page.screenshot("poc-validation")
    page.fill("phones", "+20212345678, +12025550199")
    page.button("Save").click()
    page.wait(lambda d: "Point of contact added" in page.status())
    card = [c for c in page.all("main article.poc") if "EG-CERT night desk" in c.text]
    assert len(card) == 1
    assert "+20212345678" in card[0].text and "In hours now" in card[0].text
    assert not page.all("main form.poc-form")


def test_weekly_hours_and_several_errors(page):
    add_form(page)
    page.css('main input[name="availability_mode"][value="weekly"]').click()
    page.css("main .slot")
    assert not page.unlabelled(), page.unlabelled()
    page.fill("organisation", "EG hours desk (fictional)")
    page.fill("role_title", "Liaison")
    page.fill("email", "not-an-address")
    page.fill("phones", "+20212345679")
    page.fill("languages", "ar")
    page.fill("time_zone", "Mars/Olympus")
    page.button("Save").click()
    page.css('main [data-field="email"] > .error')
    assert page.css('main [data-field="time_zone"] > .error').is_displayed()
    assert not page.all('main [data-field="phones"] > .error:not([hidden])')
    page.fill("email", "hours@egcert.example")
    page.fill("time_zone", "Africa/Cairo")
    page.button("Save").click()
    page.wait(lambda d: "Point of contact added" in page.status())
    card = [c for c in page.all("main article.poc") if "EG hours desk" in c.text]
    assert len(card) == 1 and "09:00–17:00" in card[0].text


def test_edit_history_and_confirm(page):
    page.login("BRA/admin")
    page.open("/my-state")
    page.css("main article.poc")
    page.screenshot("my-state")
    first = page.all("main article.poc")[0]
    poc_id = first.get_attribute("data-poc")
    first.find_element("xpath", ".//button[normalize-space()='Edit']").click()
    form = page.css("main form.poc-form")
    page.fill("role_title", "Edited in the browser")
    form.find_element("xpath", ".//button[normalize-space()='Save']").click()
    page.wait(lambda d: "Changes saved" in page.status())
    card = page.css('main article.poc[data-poc="%s"]' % poc_id)
    assert "Edited in the browser" in card.text
    card.find_element("xpath", ".//button[normalize-space()='History']").click()
    hist = page.css('main article.poc[data-poc="%s"] ol.history' % poc_id)
    assert "Created" in hist.text and "Changed" in hist.text and "role_title" in hist.text
    card = page.css('main article.poc[data-poc="%s"]' % poc_id)
    card.find_element("xpath", ".//button[normalize-space()='Confirm still correct']").click()
    page.wait(lambda d: "Confirmed" in page.status())
    r = page.server.get("/api/v1/pocs/" + poc_id, who="BRA/admin")
    assert r.json()["role_title"] == "Edited in the browser" and r.json()["revision"] == 3


def test_accounts_of_the_state(page):
    page.login("IND/admin")
    page.open("/my-state")
    table = page.css("main table")
    for name in ("ind-admin", "ind-admin2", "ind-officer"):
        assert name in table.text
    page.button("Create an enrolment link").click()
    link = page.css("main .link-out code")
    assert "/enrol#" in link.text


def test_remove(page):
    from pocd_helpers import create_poc

    doc = create_poc(page.server, who="IND/admin", state="IND", organisation="To be removed desk",
                     email="gone@ind.example", time_zone="Asia/Kolkata").json()
    page.login("IND/admin")
    page.open("/my-state")
    card = page.css('main article.poc[data-poc="%s"]' % doc["id"])
    card.find_element("xpath", ".//button[normalize-space()='Remove']").click()
    page.d.switch_to.alert.accept()
    page.wait(lambda d: "Point of contact removed" in page.status())
    assert not page.all('main article.poc[data-poc="%s"]' % doc["id"])
    assert page.server.get("/api/v1/pocs/" + doc["id"], who="IND/admin").status_code == 404
