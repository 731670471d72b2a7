"""Logging in and out in the browser: the session lives in an HttpOnly cookie, never in
script-readable storage; the keyboard alone is enough to log in."""
import requests
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys


def storage(page):
    return page.d.execute_script(
        "return [JSON.stringify(localStorage), JSON.stringify(sessionStorage), document.cookie]")


def test_login_and_logout(page):
    page.open("/")
    page.wait(lambda d: page.path() == "/login")
    page.screenshot("login")
    page.login("FRA/officer", form=True)
    assert page.path() == "/directory"
    assert "fra-officer" in page.css("#who").text
    nav = page.css("#nav").text
    assert "Communications" in nav and "Campaigns" not in nav and "My state" not in nav
    cookie = page.d.get_cookie("pocd_session")
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict", cookie
    local, session, visible = storage(page)
    # Nothing of the session is readable by script: not the token, not the cookie.
    assert cookie["value"] not in local + session + visible
    assert "pocd_session" not in visible
    assert local in ("{}", '{"pocd.lang":"en"}'), local
    page.logout()
    assert page.d.get_cookie("pocd_session") is None
    assert "logged out" in page.status()
    # The session is over on the server too: the old cookie no longer works.
    r = requests.get(page.server.url + "/api/v1/me", cookies={"pocd_session": cookie["value"]})
    assert r.status_code == 401
    page.open("/directory")
    page.wait(lambda d: page.path() == "/login?next=%2Fdirectory")


def test_wrong_password_is_shown(page):
    page.open("/login")
    page.fill("username", "fra-officer")
    page.fill("password", "not the password at all")
    page.css("main form button[type=submit]").click()
    err = page.css("main .form-error")
    assert "Wrong username or password" in err.text
    assert page.path() == "/login"


def test_login_goes_back_where_it_was_asked(page):
    page.open("/communications?box=outbox")
    page.wait(lambda d: page.path().startswith("/login?next="))
    page.login("FRA/officer", here=True)
    assert page.path() == "/communications?box=outbox"


def test_a_reload_keeps_the_session_and_csrf_works(page):
    page.login("FRA/admin")
    page.open("/account")
    # A reloaded page lost the CSRF token from memory: it reads it again, and a write works.
    page.fill("current_password", "not my password")
    page.fill("new_password", "a long enough new password")
    page.button("Change password").click()
    err = page.css('main [data-field="current_password"] .error')
    assert "is not your current password" in err.text


def test_keyboard_only_login(page):
    c = page.server.account("DEU/officer")
    page.open("/login")
    page.d.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    keys = ActionChains(page.d)

    def focused(attr):
        return page.d.execute_script("const e = document.activeElement;"
                                     "return e ? e.getAttribute(arguments[0]) : null", attr)

    for _ in range(15):
        if focused("autocomplete") == "username":
            break
        keys.send_keys(Keys.TAB).perform()
    assert focused("autocomplete") == "username"
    keys.send_keys(c["username"]).send_keys(Keys.TAB).perform()
    assert focused("autocomplete") == "current-password"
    keys.send_keys(c["password"]).send_keys(Keys.ENTER).perform()
    page.wait(lambda d: page.path() == "/directory")
    page.wait_ready()
    assert "deu-officer" in page.css("#who").text
    # Every control the page shows has a label a screen reader can name.
    assert not page.unlabelled(), page.unlabelled()


def test_an_ended_session_asks_to_log_in_again(page):
    page.login("FRA/officer")
    page.open("/communications")
    page.css("main h1")
    # Logged out elsewhere (another tab, an administrator): the next request gets 401.
    page.d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/api/v1/me').then((r) => r.json()).then((me) =>
          fetch('/api/v1/logout', {method: 'POST', headers: {'X-CSRF-Token': me.csrf_token}}))
          .then(() => done());""")
    page.forget()
    page.css('main a[href="/compose"]').click()
    page.wait(lambda d: page.path().startswith("/login?next="))
    assert "session ended" in page.status()


def test_enrolment_link(page):
    r = page.server.post("/api/v1/states/KEN/enrolments", who="KEN/admin",
                         json={"role": "officer"})
    assert r.status_code == 201, r.text
    page.open(r.json()["url"])
    assert page.d.execute_script("return location.hash") == ""
    page.fill("username", "ken-night-officer")
    page.fill("password", "short")
    page.button("Create account").click()
    assert page.css('main [data-field="password"] > .error').is_displayed()
    page.fill("password", "a long and fine password for the night")
    page.button("Create account").click()
    page.wait(lambda d: page.path() == "/login")
    assert "Account created" in page.status()
    page.fill("username", "ken-night-officer")
    page.fill("password", "a long and fine password for the night")
    page.css("main form button[type=submit]").click()
    page.wait(lambda d: page.path() == "/directory")
    assert "ken-night-officer" in page.css("#who").text
