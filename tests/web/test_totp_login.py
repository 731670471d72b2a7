"""The second factor in the browser: an account sets up a TOTP key on its account page, and
its logins then ask for the code; where the deployment requires one of an administrator's
role, the interface leads there first and opens once it is in use."""
import json
import shutil

import pytest

from conftest import Page, Server
from test_second_factor import code


def set_up(page):
    page.open("/account")
    page.button("Set up a second factor").click()
    key = page.css("main code.totp-key").get_attribute("data-key")
    assert page.css('main a[href^="otpauth://totp/"]')
    page.fill("code", code(key))
    page.button("Confirm").click()
    page.wait(lambda d: "Second factor in use" in page.status())
    return key


def test_set_up_then_log_in_with_a_code(page):
    page.login("JPN/admin2")
    key = set_up(page)
    assert "logging in needs a code" in page.css("#second-factor").text
    page.logout()
    c = page.server.account("JPN/admin2")
    page.open("/login")
    page.fill("username", c["username"])
    page.fill("password", c["password"])
    page.css("main form button[type=submit]").click()
    box = page.css('main [data-field="totp"]')
    assert "enter the code your app shows" in box.find_element("css selector", ".error").text
    # The step spent at confirmation is spent: the next one (within the drift window) works.
    page.fill("totp", code(key, step_offset=1))
    page.css("main form button[type=submit]").click()
    page.wait(lambda d: page.path() == "/directory")
    assert "jpn-admin2" in page.css("#who").text


@pytest.fixture
def strict_server(demo_template, tmp_path):
    """A second pocd, of a deployment that requires a second factor of administrators."""
    db = tmp_path / "pocd.db"
    shutil.copy(demo_template, db)
    shutil.copy(str(demo_template) + ".logkey", str(db) + ".logkey")
    with open(str(demo_template) + ".credentials.json") as f:
        s = Server(db, json.load(f))
    s.start("--require-second-factor")
    yield s
    assert s.stop() == 0


def test_a_required_second_factor_comes_first(driver, strict_server):
    page = Page(driver, strict_server)
    driver.get(strict_server.url + "/healthz")
    driver.delete_all_cookies()
    page.login("KEN/admin", form=True)
    page.wait(lambda d: page.path() == "/account")
    assert "requires a second factor" in page.status()
    assert [a.text for a in page.all("#nav a")] == ["Account"]
    page.open("/directory")
    page.wait(lambda d: page.path() == "/account")
    set_up(page)
    assert "Remove the second factor" not in page.text()
    assert "Directory" in page.css("#nav").text
    page.open("/directory?state=KEN")
    page.css("main article.poc")
    driver.delete_all_cookies()
