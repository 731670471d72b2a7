"""The Secretariat admits a state and hands its first administrator an enrolment link; that
administrator enrols and manages the state; the Secretariat can withdraw the state again."""
import re


def a_state_outside(server):
    items = server.get("/api/v1/states?limit=500", who="secretariat").json()["items"]
    return [s for s in items if not s["participating"]][0]


def test_admit_enrol_withdraw(page):
    s = a_state_outside(page.server)
    code = s["code"]
    page.login("secretariat")
    page.open("/states")
    page.fill("filter", code)
    row = page.css('main tr[data-state="%s"]' % code)
    assert "Not participating" in row.text
    row.find_element("xpath", ".//button[normalize-space()='Admit']").click()
    page.wait(lambda d: "now takes part" in page.status())
    row = page.css('main tr[data-state="%s"]' % code)
    assert "Participating since" in row.text
    row.find_element("xpath", ".//button[normalize-space()='Link for the first administrator']").click()
    link = page.css("main .link-out code").text
    assert re.search(r"/enrol#[A-Za-z0-9_-]{40,}$", link), link
    page.screenshot("states")
    page.logout()

    page.open(link[link.index("/enrol#"):])
    page.fill("username", code.lower() + "-first-admin")
    page.fill("password", "the first administrator's own password")
    page.button("Create account").click()
    page.wait(lambda d: page.path() == "/login")
    page.fill("username", code.lower() + "-first-admin")
    page.fill("password", "the first administrator's own password")
    page.css("main form button[type=submit]").click()
    page.wait(lambda d: page.path() == "/directory")
    page.open("/my-state")
    assert code.lower() + "-first-admin" in page.css("main table").text
    page.logout()

    page.login("secretariat")
    page.open("/states")
    page.fill("filter", code)
    # A second link for the state is refused now that it has an administrator.
    row = page.css('main tr[data-state="%s"]' % code)
    row.find_element("xpath", ".//button[normalize-space()='Link for the first administrator']").click()
    page.wait(lambda d: "has an administrator already" in page.css("main .link-out").text)
    row = page.css('main tr[data-state="%s"]' % code)
    row.find_element("xpath", ".//button[normalize-space()='Withdraw']").click()
    page.d.switch_to.alert.accept()
    page.wait(lambda d: "no longer takes part" in page.status())
    assert not page.server.get("/api/v1/states/" + code, who="secretariat").json()["participating"]


def test_only_the_secretariat(page):
    page.login("FRA/admin")
    page.open("/states")
    assert "cannot open this page" in page.css("main h1").text
    assert "States" not in page.css("#nav").text
