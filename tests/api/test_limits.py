"""Limits against exhaustion, each set on the command line or in the config file: request
rates per address and per session (429 with Retry-After), body and header sizes, idle
connections, the connection limit.
"""
import socket
import subprocess
import time

import requests

from conftest import POCD, assert_problem, free_port


def hammer(server, n, path="/api/v1/log/key", **kw):
    """Sends n requests on one keep-alive connection; returns the responses and seconds."""
    t0 = time.monotonic()
    with requests.Session() as s:
        rs = [s.get(server.url + path, timeout=30, **kw) for _ in range(n)]
    return rs, time.monotonic() - t0


def assert_rate_limited(rs, rate, seconds, detail):
    codes = [r.status_code for r in rs]
    assert set(codes) <= {200, 429}, codes
    assert codes[:rate] == [200] * rate, codes
    # A burst of `rate`, then `rate` a second: the rest is refused.
    assert codes.count(200) <= rate + rate * seconds + 1, (codes, seconds)
    r = next(r for r in rs if r.status_code == 429)
    doc = assert_problem(r, 429)
    assert doc["type"] == "urn:pocd:problem:rate-limited"
    assert detail in doc["detail"], doc
    assert int(r.headers["Retry-After"]) >= 1
    return r


def test_requests_per_address_are_limited(server):
    server.restart_with("--rate-limit", "2")
    rs, secs = hammer(server, 12)
    r = assert_rate_limited(rs, 2, secs, "from your address")
    # What costs no more than a refusal is not counted: health checks, the web interface.
    for path in ("/healthz", "/"):
        free, _ = hammer(server, 10, path)
        assert {x.status_code for x in free} == {200}, path
    time.sleep(int(r.headers["Retry-After"]))
    assert requests.get(server.url + "/api/v1/log/key", timeout=30).status_code == 200


def test_requests_per_session_are_limited(server):
    # Through a "proxy" (the test) each request comes from a new address: only the
    # session's own bucket can stop them.
    server.restart_with("--rate-limit", "3", "--trusted-proxy", "127.0.0.1")
    token = server.token("FRA/officer")
    other = server.token("FRA/admin")
    t0 = time.monotonic()
    rs = []
    for i in range(12):
        rs.append(requests.get(server.url + "/api/v1/me", timeout=30, headers={
            "Authorization": "Bearer " + token, "X-Forwarded-For": "198.51.100.%d" % i}))
    assert_rate_limited(rs, 3, time.monotonic() - t0, "with this session")
    codes = [requests.get(server.url + "/api/v1/me", timeout=30, headers={
        "Authorization": "Bearer " + other,
        "X-Forwarded-For": "203.0.113.%d" % i}).status_code for i in range(2)]
    assert codes == [200, 200]


def test_rate_limit_zero_is_off(server):
    server.restart_with("--rate-limit", "0")
    rs, _ = hammer(server, 200)
    assert {r.status_code for r in rs} == {200}


def test_body_limit(server):
    server.restart_with("--body-limit", "2K")
    user = server.account("FRA/admin")["username"]
    r = requests.post(server.url + "/api/v1/login", timeout=30,
                      json={"username": user, "password": "x" * 3000})
    doc = assert_problem(r, 413)
    assert "2 KiB" in doc["detail"], doc
    r = requests.post(server.url + "/api/v1/login", timeout=30,
                      json={"username": user, "password": "x" * 1500})
    assert r.status_code != 413, r.text


def test_header_limit(server):
    server.restart_with("--header-limit", "8K")
    assert requests.get(server.url + "/healthz", headers={"X-Pad": "a" * 4000},
                        timeout=30).status_code == 200
    r = requests.get(server.url + "/healthz", headers={"X-Pad": "a" * 12000}, timeout=30)
    assert r.status_code == 431, r.status_code
    server.restart_with()
    assert requests.get(server.url + "/healthz", headers={"X-Pad": "a" * 12000},
                        timeout=30).status_code == 200


def test_idle_connections_are_closed_after_the_timeout(server):
    server.restart_with("--timeout", "1")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the end of it
        t0 = time.monotonic()
        assert s.recv(4096) == b""
        assert 0.5 <= time.monotonic() - t0 < 8


def test_connection_limit(server):
    server.restart_with("--conn-limit", "3", "--threads", "1")
    held = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(3)]
    try:
        try:
            r = requests.get(server.url + "/healthz", timeout=2)
        except (requests.ConnectionError, requests.Timeout):
            pass  # left waiting in the listen queue, or closed
        else:
            raise AssertionError("a fourth connection was served: %d" % r.status_code)
    finally:
        for s in held:
            s.close()
    for _ in range(100):
        try:
            if requests.get(server.url + "/healthz", timeout=5).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.05)
    else:
        raise AssertionError("connections freed, yet nothing is served")


def test_limits_from_the_config_file(server, tmp_path):
    conf = tmp_path / "pocd.conf"
    conf.write_text("# limits\nrate-limit = 2\nbody-limit = 1K\nheader-limit = 4096\n"
                    "trusted-proxy = 127.0.0.1\ntimeout = 5\nconn-limit = 100\n")
    server.restart_with("--config", str(conf))
    rs, secs = hammer(server, 10, headers={"X-Forwarded-For": "203.0.113.1"})
    assert_rate_limited(rs, 2, secs, "from your address")
    # Another forwarded address has its own bucket: trusted-proxy was read too.
    r = requests.post(server.url + "/api/v1/login", json={"password": "x" * 1100}, timeout=30,
                      headers={"X-Forwarded-For": "203.0.113.2"})
    assert "1 KiB" in assert_problem(r, 413)["detail"]


def test_bad_limits_are_refused(tmp_path):
    db = tmp_path / "none.db"  # never opened: the options are refused first
    for args, msg in [
        (["--rate-limit", "-1"], "--rate-limit -1: expected a whole number from 0 to 1000000"),
        (["--rate-limit", "many"], "--rate-limit many: expected a whole number"),
        (["--body-limit", "10"], "--body-limit 10: expected a size from 1024 to 67108864"),
        (["--body-limit", "1G"], "--body-limit 1G: expected a size"),
        (["--header-limit", "2M"], "--header-limit 2M: expected a size from 4096 to 1048576"),
        (["--timeout", "0"], "--timeout 0: expected a whole number from 1 to 3600"),
    ]:
        r = subprocess.run([POCD, "serve", "--db", str(db), "--listen",
                            "127.0.0.1:%d" % free_port(), *args],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and msg in r.stderr, (args, r.stderr)
