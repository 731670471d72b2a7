"""Fixtures of the browser tests: one real pocd (the API tests' Server, over a copy of the
same demo database) and one headless Chromium for the whole session, driven by Selenium.

Tests share the server: each works in data of its own (its own PoC, its own communication)
and logs in as it needs; the `page` fixture gives each a browser with no cookies and no
stored language.
"""
import importlib.util
import json
import os
import shutil
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
API_TESTS = os.path.join(HERE, "..", "api")
sys.path.insert(0, API_TESTS)

from pocd_helpers import sanitizer_lines  # noqa: E402


def _load_api_conftest():
    spec = importlib.util.spec_from_file_location("api_conftest",
                                                  os.path.join(API_TESTS, "conftest.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


api_conftest = _load_api_conftest()
Server = api_conftest.Server
# The API tests' modules (helpers, test_second_factor's code()) import these from conftest.
assert_problem = api_conftest.assert_problem
free_port = api_conftest.free_port
demo_template = api_conftest.demo_template  # the fixture, shared with the API tests' code

OUT = os.environ.get("WEB_TEST_OUT", os.path.join(HERE, "..", "out", "web"))


@pytest.fixture(scope="session")
def server(demo_template, tmp_path_factory):
    db = tmp_path_factory.mktemp("web") / "pocd.db"
    shutil.copy(demo_template, db)
    shutil.copy(str(demo_template) + ".logkey", str(db) + ".logkey")
    with open(str(demo_template) + ".credentials.json") as f:
        creds = json.load(f)
    s = Server(db, creds)
    s.start("--test-clock")
    yield s
    rc = s.stop()
    assert rc == 0, "pocd exited with %d: see %s.log" % (rc, db)
    bad = sanitizer_lines(s)
    assert not bad, bad[:5]


@pytest.fixture(scope="session")
def driver(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--window-size=1280,1000",
              "--user-data-dir=%s" % tmp_path_factory.mktemp("chromium"), "--lang=en-US"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    downloads = tmp_path_factory.mktemp("downloads")
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.downloads = str(downloads)
    d.set_page_load_timeout(30)
    yield d
    d.quit()


class Page:
    """The browser on the pocd under test, with the few moves the tests repeat."""

    def __init__(self, driver, server):
        self.d = driver
        self.server = server

    def open(self, path):
        self.d.get(self.server.url + path)
        self.wait_ready()

    def wait(self, cond, timeout=10):
        """cond's first true value; an element that a view redrew meanwhile (stale) only
        means: look again."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.d, timeout, poll_frequency=0.05,
                             ignored_exceptions=(StaleElementReferenceException,)).until(cond)

    def css(self, selector, timeout=10):
        """The first visible element matching selector, once there is one."""
        from selenium.webdriver.common.by import By

        def found(d):
            for e in d.find_elements(By.CSS_SELECTOR, selector):
                if e.is_displayed():
                    return e
            return False

        return self.wait(found, timeout)

    def all(self, selector):
        from selenium.webdriver.common.by import By

        return self.d.find_elements(By.CSS_SELECTOR, selector)

    def wait_ready(self):
        """The view has drawn (web/app.js marks #main busy while it draws)."""
        self.wait(lambda d: d.execute_script(
            "const m = document.getElementById('main');"
            "return m && m.getAttribute('aria-busy') === 'false'"))

    def field(self, name, within="main"):
        """The control of the form field named name."""
        return self.css('%s [data-field="%s"] input, %s [data-field="%s"] select, '
                        '%s [data-field="%s"] textarea' % (within, name, within, name,
                                                           within, name))

    def fill(self, name, value, within="main"):
        el = self.field(name, within)
        el.clear()
        el.send_keys(value)
        return el

    def button(self, text):
        """The visible button (or link styled as one) whose text is text."""
        from selenium.webdriver.common.by import By

        def found(d):
            for e in d.find_elements(By.CSS_SELECTOR, "button, a.button"):
                if e.is_displayed() and e.text.strip() == text:
                    return e
            return False

        return self.wait(found)

    def login(self, who, here=False, form=False):
        """Logs in as who (see Server.account): by default with the session the tests
        already hold for who (Server.token), set as the page's cookie, which spares an
        argon2id hash per test; with form, on /login as a person does; with here, on the
        login form shown already."""
        self.who = who
        if not here and not form:
            self.d.add_cookie({"name": "pocd_session", "value": self.server.token(who),
                               "path": "/", "httpOnly": True, "sameSite": "Strict"})
            self.open("/directory")
            self.css("#logout")
            return
        c = self.server.account(who)
        if not here:
            self.open("/login")
        self.fill("username", c["username"])
        self.fill("password", c["password"])
        self.css("main form button[type=submit]").click()
        self.wait(lambda d: d.execute_script("return location.pathname") != "/login")
        self.wait_ready()
        self.css("#logout")

    def logout(self):
        self.css("#logout").click()
        self.wait(lambda d: d.execute_script("return location.pathname") == "/login")
        self.forget()

    def forget(self):
        """The session of the last login is over: the next login of that account makes a
        new one."""
        self.server._tokens.pop(getattr(self, "who", None), None)

    def unlabelled(self):
        """The form controls on the page that no label names (none should be)."""
        return self.d.execute_script("""
            return [...document.querySelectorAll('input, select, textarea')]
              .filter((e) => e.type !== 'hidden' && !e.labels.length &&
                             !e.getAttribute('aria-label'))
              .map((e) => e.outerHTML);""")

    def path(self):
        return self.d.execute_script("return location.pathname + location.search")

    def text(self):
        return self.css("main").text

    def status(self):
        return self.d.find_element("id", "status").text

    def console(self):
        """Browser console entries since the last call."""
        return self.d.get_log("browser")

    def screenshot(self, name):
        os.makedirs(OUT, exist_ok=True)
        self.d.save_screenshot(os.path.join(OUT, name + ".png"))


@pytest.fixture
def page(driver, server):
    """The browser, on a blank start: no cookies, no remembered language, no old log."""
    p = Page(driver, server)
    driver.get(server.url + "/healthz")
    driver.delete_all_cookies()
    driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    p.console()
    yield p
    # The API's 4xx answers that a test provokes are logged by Chromium; anything else
    # severe (a script error, a refused resource) fails the test.
    errors = [e for e in p.console() if e["level"] == "SEVERE" and
              "the server responded with a status of 4" not in e["message"]]
    assert not errors, errors


def poll(fn, timeout=5.0):
    """Calls fn until it returns something true; returns it or fails."""
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.05)
