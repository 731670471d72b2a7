"""--trusted-proxy: X-Forwarded-For names the client only when the TCP peer is a trusted proxy.

The client address shows in two places: the request log (its first field) and failed-login
throttling, which counts per (account, address). The tests' pocd is reached from 127.0.0.1,
so trusting 127.0.0.1 makes the test itself the proxy.
"""
import re

import requests

from conftest import assert_problem

FAILS = 5  # failed logins before a (account, address) pair is throttled


def log_clients(server, path):
    """The client address of every logged request for path, oldest first (pocd stopped)."""
    with open(str(server.db) + ".log", encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    pat = re.compile(r"(\S+) [A-Z]+ %s \d{3} " % re.escape(path))
    return [m.group(1) for m in map(pat.search, lines) if m]


def probe(server, path, xff=None, proto=None):
    h = {}
    if xff is not None:
        h["X-Forwarded-For"] = xff
    if proto is not None:
        h["X-Forwarded-Proto"] = proto
    return requests.get(server.url + path, headers=h, timeout=10)


def fail_logins(server, xff, n=FAILS):
    user = server.account("FRA/officer")["username"]
    last = None
    for _ in range(n):
        last = requests.post(server.url + "/api/v1/login", timeout=30,
                             headers={"X-Forwarded-For": xff},
                             json={"username": user, "password": "not the password"})
    return last


def test_without_trusted_proxy_the_header_is_ignored(server):
    for i, xff in enumerate(["203.0.113.7", "198.51.100.1, 203.0.113.8", "garbage"]):
        assert probe(server, "/api/v1/x-%d" % i, xff).status_code == 404
    # Throttled by the real address: another forwarded address does not escape it.
    assert_problem(fail_logins(server, "203.0.113.10"), 401)
    assert_problem(fail_logins(server, "203.0.113.11", 1), 429)
    assert server.stop() == 0
    for i in range(3):
        assert log_clients(server, "/api/v1/x-%d" % i) == ["127.0.0.1"]


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(server):
    server.restart_with("--trusted-proxy", "127.0.0.1", "--trusted-proxy", "10.0.0.2")
    cases = [
        (None, "127.0.0.1"),  # no header: the proxy itself
        ("203.0.113.7", "203.0.113.7"),
        # What the client wrote comes first; the proxy appends what it saw.
        ("9.9.9.9, 203.0.113.8", "203.0.113.8"),
        # Trusted proxies in a chain are skipped, right to left.
        ("198.51.100.1, 10.0.0.2", "198.51.100.1"),
        ("198.51.100.2,10.0.0.2 , 127.0.0.1", "198.51.100.2"),
        ("10.0.0.2", "10.0.0.2"),  # all trusted: the left-most
        ("2001:db8::1", "2001:db8::1"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        # A hop that is not an address ends the walk at the proxy that passed it on.
        ("203.0.113.1, not-an-address", "127.0.0.1"),
        ("203.0.113.1, not-an-address, 10.0.0.2", "10.0.0.2"),
    ]
    for i, (xff, _) in enumerate(cases):
        assert probe(server, "/api/v1/y-%d" % i, xff).status_code == 404
    assert server.stop() == 0
    for i, (xff, want) in enumerate(cases):
        assert log_clients(server, "/api/v1/y-%d" % i) == [want], xff


def test_behind_a_trusted_proxy_throttling_is_per_forwarded_address(server):
    server.restart_with("--trusted-proxy", "127.0.0.1")
    assert_problem(fail_logins(server, "203.0.113.10"), 401)
    assert_problem(fail_logins(server, "203.0.113.10", 1), 429)
    # Another client behind the same proxy is not blocked by the first one's failures.
    assert_problem(fail_logins(server, "203.0.113.11", 1), 401)
    c = server.account("FRA/officer")
    r = requests.post(server.url + "/api/v1/login", headers={"X-Forwarded-For": "203.0.113.12"},
                      json={"username": c["username"], "password": c["password"]}, timeout=30)
    assert r.status_code == 200, r.text
    # A client that spoofs the header cannot pose as another: the proxy appends the real one.
    assert_problem(fail_logins(server, "203.0.113.11, 203.0.113.10", 1), 429)


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(server):
    server.restart_with("--trusted-proxy", "192.0.2.1")
    assert probe(server, "/api/v1/z", "192.0.2.1, 203.0.113.7").status_code == 404
    r = probe(server, "/healthz", proto="https")
    assert "Strict-Transport-Security" not in r.headers
    assert server.stop() == 0
    assert log_clients(server, "/api/v1/z") == ["127.0.0.1"]


def test_forwarded_https_makes_cookies_secure(server):
    server.restart_with("--trusted-proxy", "127.0.0.1")
    c = server.account("FRA/admin")
    body = {"username": c["username"], "password": c["password"]}
    r = requests.post(server.url + "/api/v1/login", json=body, timeout=30,
                      headers={"X-Forwarded-Proto": "https"})
    assert "; Secure" in r.headers["Set-Cookie"], r.headers
    assert r.headers.get("Strict-Transport-Security") == "max-age=31536000"
    r = requests.post(server.url + "/api/v1/login", json=body, timeout=30,
                      headers={"X-Forwarded-Proto": "http"})
    assert "Secure" not in r.headers["Set-Cookie"], r.headers
    assert "Strict-Transport-Security" not in r.headers


def test_bad_trusted_proxies_are_refused(server):
    assert server.stop() == 0
    for bad in ("localhost", "10.0.0.0/8", "[::1]", "1.2.3.4:80"):
        try:
            server.start("--trusted-proxy", bad)
        except RuntimeError:
            pass
        else:
            raise AssertionError("pocd started with --trusted-proxy " + bad)
        server.proc.wait(timeout=30)
        server.proc = None
        server.log.close()
    with open(str(server.db) + ".log", encoding="utf-8", errors="replace") as f:
        assert "--trusted-proxy 1.2.3.4:80: expected an IPv4 or IPv6 address" in f.read()
