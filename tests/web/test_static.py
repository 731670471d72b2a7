"""pocd serves the web interface: its files with their types and caching headers, its pages
as index.html under a strict Content-Security-Policy, and nothing else (no path reaches
the disk; unknown paths under /api stay JSON problems)."""
import re

import pytest
import requests

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def app_routes():
    """The pages web/app.js routes."""
    import os

    with open(os.path.join(os.path.dirname(__file__), "..", "..", "web", "app.js")) as f:
        src = f.read()
    block = re.search(r"export const ROUTES = \{(.*?)\n\};", src, re.S).group(1)
    return re.findall(r"'(/[a-z-]*)':", block)


def test_every_page_is_the_app(server):
    index = requests.get(server.url + "/index.html").content
    routes = app_routes()
    assert "/" in routes and "/ping" in routes and "/enrol" in routes, routes
    for path in routes:
        r = requests.get(server.url + path)
        assert r.status_code == 200, path
        assert r.headers["Content-Type"] == "text/html; charset=utf-8", path
        assert r.content == index, path
        assert r.headers["Content-Security-Policy"] == CSP, path


def test_headers_of_a_page(server):
    r = requests.get(server.url + "/?lang=fr")
    assert r.status_code == 200
    h = r.headers
    assert h["Content-Security-Policy"] == CSP
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "no-referrer"
    assert h["Cache-Control"] == "no-cache"
    assert re.match(r'^"[0-9a-f]{32}"$', h["ETag"]), h


@pytest.mark.parametrize("path,ctype", [
    ("/app.js", "text/javascript; charset=utf-8"),
    ("/lib/api.js", "text/javascript; charset=utf-8"),
    ("/style.css", "text/css; charset=utf-8"),
    ("/i18n/ar.json", "application/json"),
    ("/icon.svg", "image/svg+xml"),
])
def test_files_have_their_types(server, path, ctype):
    r = requests.get(server.url + path)
    assert r.status_code == 200, path
    assert r.headers["Content-Type"] == ctype
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-cache"
    # Not a page: nothing in it may run or load anything.
    assert r.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_revalidation_costs_a_304(server):
    r = requests.get(server.url + "/app.js")
    etag = r.headers["ETag"]
    again = requests.get(server.url + "/app.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    other = requests.get(server.url + "/app.js", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200 and other.content == r.content
    head = requests.head(server.url + "/")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Security-Policy"] == CSP


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/web/app.js", "/lib/../app.js",
    "/app.js/", "//app.js", "/APP.JS", "/meson.build", "/i18n/", "/i18n/xx.json",
    "/views", "/enrol/x", "/i18n/../app.js",
])
def test_nothing_else_is_served(server, path):
    # Sent as is: requests would normalise the dots.
    s = requests.Session()
    req = requests.Request("GET", server.url + "/").prepare()
    req.url = server.url + path
    r = s.send(req)
    assert r.status_code == 404, (path, r.status_code)
    assert r.headers["Content-Type"] == "application/problem+json"


def test_api_paths_stay_problems(server):
    for path in ("/api/v1/nope", "/api/v1/", "/api/", "/api/v1/index.html"):
        r = requests.get(server.url + path)
        assert r.status_code == 404, path
        assert r.headers["Content-Type"] == "application/problem+json", path
        assert r.json()["status"] == 404


def test_only_get_and_head(server):
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        r = requests.request(method, server.url + "/directory", data=b"{}")
        assert r.status_code == 405, method
        assert r.headers["Allow"] == "GET, HEAD"
        assert r.headers["Content-Type"] == "application/problem+json"
