"""The Content-Security-Policy holds in the browser: every page of every role draws without
a refused script or style (and with a label on every control), and an injected inline
script does not run."""
import requests

PAGES = {
    "FRA/admin": ["/directory", "/directory?state=DEU", "/my-state", "/communications",
                  "/communications?box=outbox", "/compose", "/pings", "/responsiveness",
                  "/account", "/verify"],
    "secretariat": ["/directory", "/campaigns", "/states", "/responsiveness", "/account"],
}


def test_pages_draw_without_violations(page):
    for who, paths in PAGES.items():
        page.login(who)
        for path in paths:
            page.open(path)
            page.css("main h1")
            bad = [e for e in page.console() if "Content Security Policy" in e["message"] or
                   e["level"] == "SEVERE" and "status of 4" not in e["message"]]
            assert not bad, (path, bad)
            assert not page.unlabelled(), (path, page.unlabelled())
        page.logout()


def test_inline_script_is_refused(page):
    page.open("/login")
    ran = page.d.execute_script("""
        window.__inline = false;
        const s = document.createElement('script');
        s.textContent = 'window.__inline = true';
        document.body.append(s);
        const d = document.createElement('div');
        d.setAttribute('style', 'color: red');
        document.body.append(d);
        return [window.__inline, getComputedStyle(d).color];""")
    assert ran[0] is False
    assert ran[1] != "rgb(255, 0, 0)"
    refused = [e for e in page.console() if "Content Security Policy" in e["message"]]
    assert len(refused) >= 2, refused


def test_the_header_is_on_every_page(server):
    for path in ("/", "/login", "/ping", "/enrol"):
        r = requests.get(server.url + path)
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
