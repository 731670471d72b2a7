"""Recovery and re-enrolment in the browser: a state's administrator makes a recovery link for
another account on My state; its owner opens /reset#TOKEN and sets a new password, with which
they log in (the old one no longer works). The Secretariat re-enrols an administrator of a
state that has one; the state's accounts see the notice on their Account page."""
import re

import requests

NEW_PW = "a password chosen in the browser"


def test_reset_link_from_my_state(page):
    target = page.server.account("RUS/admin2")
    page.login("RUS/admin")
    page.open("/my-state")
    table = page.css("main table")
    row = [r for r in table.find_elements("css selector", "tbody tr")
           if r.find_elements("xpath", "./td[1]") and
           r.find_element("xpath", "./td[1]").text == target["username"]][0]
    row.find_element("xpath", ".//button[normalize-space()='Reset']").click()
    page.d.switch_to.alert.accept()
    out = page.wait(lambda d: [e for e in page.all("main .link-out code")
                               if "/reset#" in e.text])
    link = out[0].text
    assert re.search(r"/reset#[A-Za-z0-9_-]{43}$", link), link
    assert target["username"] in page.css("main .link-out").text
    # None of your own: the administrator's own row has no Reset button.
    own = [r for r in table.find_elements("css selector", "tbody tr")
           if r.find_element("xpath", "./td[1]").text == page.server.account("RUS/admin")["username"]]
    assert not own[0].find_elements("xpath", ".//button[normalize-space()='Reset']")
    page.screenshot("my-state-reset-link")
    page.logout()

    page.open(link[link.index("/reset#"):])
    assert page.css("main h1").text == "Set a new password"
    assert "#" not in page.d.current_url  # the token left the address bar
    page.fill("password", "short")
    page.button("Set password").click()
    assert page.css('main [data-field="password"] > .error').is_displayed()
    page.fill("password", NEW_PW)
    page.button("Set password").click()
    page.wait(lambda d: page.path() == "/login")
    assert target["username"] in page.status()
    r = requests.post(page.server.url + "/api/v1/login",
                      json={"username": target["username"], "password": target["password"]})
    assert r.status_code == 401
    page.fill("username", target["username"])
    page.fill("password", NEW_PW)
    page.css("main form button[type=submit]").click()
    page.wait(lambda d: page.path() == "/directory")
    page.logout()
    # The link worked once.
    page.open(link[link.index("/reset#"):])
    page.fill("password", NEW_PW + " again")
    page.button("Set password").click()
    page.wait(lambda d: "ask your state's administrator" in page.css("main form").text)


def test_reenrol_from_states_and_the_notice(page):
    page.login("secretariat")
    page.open("/states")
    page.fill("filter", "RUS")
    row = page.css('main tr[data-state="RUS"]')
    row.find_element("xpath", ".//button[normalize-space()='Link for the first administrator']").click()
    button = page.css("main .link-out button")
    assert "has an administrator already" in page.css("main .link-out").text
    assert button.text == "Re-enrol an administrator"
    button.click()
    page.d.switch_to.alert.accept()
    page.wait(lambda d: "accounts were notified" in page.css("main .link-out").text)
    link = page.css("main .link-out code").text
    assert re.search(r"/enrol#[A-Za-z0-9_-]{43}$", link), link
    page.screenshot("states-reenrol")
    page.logout()
    page.login("RUS/officer")
    page.open("/account")
    notice = page.css("main #notices")
    assert "Secretariat issued a one-time link for a new administrator of RUS" in notice.text
    page.logout()


def test_an_administrator_cancels_a_pending_reenrolment(page):
    s = page.server
    r = s.post("/api/v1/states/JPN/reenrol", who="secretariat")
    assert r.status_code == 201, r.text
    link = r.json()
    # An officer sees the notice but cannot cancel it.
    page.login("JPN/officer")
    page.open("/account")
    notice = page.css('main #notices li[data-kind="reenrolment"]')
    assert not notice.find_elements("css selector", "button")
    page.logout()
    page.login("JPN/admin")
    page.open("/account")
    notice = page.css('main #notices li[data-kind="reenrolment"]')
    notice.find_element("xpath", ".//button[normalize-space()='Cancel this link']").click()
    page.d.switch_to.alert.accept()
    page.wait(lambda d: "Link cancelled." in notice.text)
    assert not notice.find_elements("css selector", "button")
    page.screenshot("account-reenrolment-cancelled")
    # The link is spent, and the notice no longer offers the button.
    r = requests.post(s.url + "/api/v1/enrol", json={
        "token": link["token"], "username": "jpn-new-admin", "password": NEW_PW})
    assert r.status_code in (403, 410), r.text
    items = s.get("/api/v1/me/notices", who="JPN/admin2").json()["items"]
    assert [n["pending"] for n in items if n["kind"] == "reenrolment"] == [False], items
    page.open("/account")
    notice = page.css('main #notices li[data-kind="reenrolment"]')
    assert not notice.find_elements("css selector", "button")
    page.logout()
