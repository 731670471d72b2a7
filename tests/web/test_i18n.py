"""Languages: ?lang= picks one and it is remembered; Arabic turns the page right to left;
the selector switches at once."""
import json
import os

from selenium.webdriver.support.select import Select

WEB = os.path.join(os.path.dirname(__file__), "..", "..", "web")


def catalog(lang):
    with open(os.path.join(WEB, "i18n", lang + ".json"), encoding="utf-8") as f:
        return json.load(f)


def doc_lang(page):
    return page.d.execute_script(
        "return [document.documentElement.lang, document.documentElement.dir]")


def test_arabic_is_right_to_left_and_translated(page):
    ar = catalog("ar")
    page.open("/login?lang=ar")
    assert doc_lang(page) == ["ar", "rtl"]
    assert page.css("main h1").text == ar["login.title"]
    assert page.css('main [data-field="username"] label').text == ar["login.username"]
    assert page.d.execute_script("return localStorage.getItem('pocd.lang')") == "ar"
    page.login("EGY/officer")
    assert doc_lang(page) == ["ar", "rtl"]
    assert ar["nav.directory"] in page.css("#nav").text
    assert page.css("main h1").text == ar["directory.title"]
    # State names come in Arabic too.
    assert "مصر" in page.text()
    page.screenshot("directory-ar")
    page.open("/directory?state=EGY")
    page.css("main article.poc")
    page.screenshot("state-card-ar")


def test_language_is_remembered_and_switched(page):
    page.open("/login?lang=zh")
    assert doc_lang(page) == ["zh", "ltr"]
    page.open("/login")
    assert doc_lang(page) == ["zh", "ltr"]
    assert page.css("main h1").text == catalog("zh")["login.title"]
    Select(page.css("#lang")).select_by_value("ru")
    page.wait(lambda d: page.css("main h1").text == catalog("ru")["login.title"])
    assert doc_lang(page) == ["ru", "ltr"]
    assert page.d.execute_script("return localStorage.getItem('pocd.lang')") == "ru"
    Select(page.css("#lang")).select_by_value("ar")
    page.wait(lambda d: doc_lang(page) == ["ar", "rtl"])
    Select(page.css("#lang")).select_by_value("en")
    page.wait(lambda d: doc_lang(page) == ["en", "ltr"])


def test_every_language_loads(page):
    for lang in ("ar", "zh", "en", "fr", "ru", "es"):
        page.open("/login?lang=" + lang)
        assert page.css("main h1").text == catalog(lang)["login.title"], lang
        assert page.css("header .brand").text == catalog(lang)["app.name"], lang
