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


def test_pending_changes_are_confirmed_by_a_second_admin(page):
    """An administrator changes an entry's e-mail: the page says it waits for a second
    administrator; the state's officer is told; the other administrator confirms it on My
    state; then every reader sees the new address marked as changed."""
    from pocd_helpers import create_poc

    doc = create_poc(page.server, who="EGY/admin", state="EGY",
                     organisation="EG mail change desk (fictional)",
                     email="old@egcert.example", time_zone="Africa/Cairo").json()
    pid = doc["id"]
    page.login("EGY/admin2")
    page.open("/my-state")
    card = page.css('main article.poc[data-poc="%s"]' % pid)
    card.find_element("xpath", ".//button[normalize-space()='Edit']").click()
    form = page.css("main form.poc-form")
    page.fill("email", "new@egcert.example")
    form.find_element("xpath", ".//button[normalize-space()='Save']").click()
    page.wait(lambda d: "waiting for a second administrator" in page.status())
    item = page.css("main .pending-changes li")
    assert "new@egcert.example" in item.text and "EG mail change desk" in item.text, item.text
    assert "waiting for a second administrator" in item.text, item.text
    # The proposer is offered no confirmation of their own change.
    assert "Confirm change" not in item.text and "Cancel change" in item.text
    card = page.css('main article.poc[data-poc="%s"]' % pid)
    assert "old@egcert.example" in card.text and "new@egcert.example" not in card.text
    page.screenshot("pending-change")
    # The officer (who has no My state page) is told on the directory.
    page.login("EGY/officer")
    assert "about to change" in page.css("#pending-notice").text
    # The other administrator confirms.
    page.login("EGY/admin")
    page.open("/my-state")
    item = page.css("main .pending-changes li")
    item.find_element("xpath", ".//button[normalize-space()='Confirm change']").click()
    page.wait(lambda d: "Change confirmed" in page.status())
    page.wait(lambda d: not page.all("main .pending-changes li"))
    card = page.css('main article.poc[data-poc="%s"]' % pid)
    assert "new@egcert.example" in card.text and "e-mail changed on" in card.text, card.text
    # Another state's reader sees the mark on the state's card.
    page.login("DEU/officer")
    page.open("/directory?state=EGY")
    card = page.css('main article.poc[data-poc="%s"]' % pid)
    assert card.find_element("css selector", '[data-changed="email"]').is_displayed()
    r = page.server.get("/api/v1/pocs/" + pid, who="DEU/officer")
    assert r.json()["email"] == "new@egcert.example" and "email" in r.json()["changed"]


def test_a_pending_change_is_cancelled(page):
    from pocd_helpers import create_poc, poc_body

    s = page.server
    r = create_poc(s, who="IND/admin", state="IND", organisation="IN key desk (fictional)",
                   email="key@ind.example", time_zone="Asia/Kolkata")
    pid = r.json()["id"]
    r = s.put("/api/v1/pocs/" + pid, who="IND/admin", headers={"If-Match": r.headers["ETag"]},
              json=poc_body(organisation="IN key desk (fictional)", email="key@ind.example",
                            time_zone="Asia/Kolkata",
                            pgp_fingerprint="89ABCDEF0123456789ABCDEF0123456789ABCDEF"))
    assert r.status_code == 202, r.text
    page.login("IND/admin")
    page.open("/my-state")
    item = page.css("main .pending-changes li")
    assert "89ABCDEF0123456789ABCDEF0123456789ABCDEF" in item.text, item.text
    item.find_element("xpath", ".//button[normalize-space()='Cancel change']").click()
    page.wait(lambda d: "Change cancelled" in page.status())
    assert "None waiting" in page.css("main .pending-changes").text
    changes = s.get("/api/v1/pocs/%s/changes" % pid, who="IND/admin").json()["items"]
    assert changes[0]["status"] == "cancelled", changes
