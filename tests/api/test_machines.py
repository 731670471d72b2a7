"""Machines: API keys (scoped by the route table, shown once, stored hashed, revocable) and
webhooks (signed events, checked here by an independent HTTPS receiver; retries while it is
down; private targets refused)."""
import hashlib
import hmac
import http.server
import json
import os
import re
import socket
import sqlite3
import ssl
import subprocess
import threading
import time

import pytest
import requests

from conftest import assert_problem
from pocd_helpers import clean_log, module_server  # noqa: F401
from test_authz_table import TABLE, Ctx
from test_openapi import ROUTER, Probe, spec  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_log")

SCOPES = ["directory:read", "communications:read", "communications:send",
          "communications:ack", "pings:answer"]

# What each scope opens, as routes[] says it; the table and this list change together.
EXPECTED = {
    "directory:read": {
        ("GET", "/api/v1/states"), ("GET", "/api/v1/states/{}"),
        ("GET", "/api/v1/states/{}/pocs"), ("GET", "/api/v1/pocs/{}"),
        ("GET", "/api/v1/pocs/{}/history"), ("GET", "/api/v1/directory")},
    "communications:read": {
        ("GET", "/api/v1/communications"), ("GET", "/api/v1/communications/{}"),
        ("GET", "/api/v1/communications/{}/receipts"), ("GET", "/api/v1/receipts/{}"),
        ("GET", "/api/v1/attachments/{}")},
    "communications:send": {
        ("GET", "/api/v1/templates"), ("POST", "/api/v1/communications"),
        ("POST", "/api/v1/communications/{}/replies"),
        ("POST", "/api/v1/communications/{}/close"), ("POST", "/api/v1/attachments")},
    "communications:ack": {("POST", "/api/v1/communications/{}/acknowledge")},
    "pings:answer": {("GET", "/api/v1/pings"), ("POST", "/api/v1/pings/{}/answer")},
}
SCOPE_MACROS = {"DIR_READ": "directory:read", "COMM_READ": "communications:read",
                "COMM_SEND": "communications:send", "COMM_ACK": "communications:ack",
                "PING_ANSWER": "pings:answer", "ANY_KEY": "any", "0": None}


def route_scopes():
    """(METHOD, pattern) -> (flags, scope name or None) of every entry of routes[]."""
    with open(ROUTER, encoding="utf-8") as f:
        src = f.read()
    body = re.search(r"\broutes\s*\[\s*\]\s*=\s*\{(.*?)\n\s*\};", src, re.S).group(1)
    out = {}
    for m, pat, flags, scope in re.findall(
            r"\{\s*M_([A-Z]+)\s*,\s*\"([^\"]*)\"\s*,\s*\w+\s*,\s*([\w|]+)\s*,\s*(\w+)\s*\}", body):
        out[(m, pat)] = (flags, SCOPE_MACROS[scope])
    assert len(out) == len(re.findall(r"\{\s*M_", body)), "a route without a scope column"
    return out


def new_key(s, scopes, who="FRA/admin", **extra):
    r = s.post("/api/v1/api-keys", who=who, json={"name": "Ticketing", "scopes": scopes, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def with_key(s, key, method, path, **kw):
    return requests.request(method, s.url + path, headers={"Authorization": "Bearer " + key},
                            **kw)


# -- API keys -----------------------------------------------------------------------------

def test_the_route_table_gives_each_scope_its_routes():
    got = {}
    for route, (_, scope) in route_scopes().items():
        if scope is not None:
            got.setdefault(scope, set()).add(route)
    # Who it is, any key may ask.
    assert got.pop("any") == {("GET", "/api/v1/me")}
    assert got == EXPECTED


class KeyCtx(Ctx):
    """The authorization table's objects, with requests sent under an API key when the
    caller is "key:TEXT"."""

    def send(self, method, path, who, token=None, **kw):
        if who is not None and who.startswith("key:"):
            return super().send(method, path, None, token=who[4:], **kw)
        return super().send(method, path, who, token=token, **kw)


@pytest.fixture(scope="module")
def kctx(module_server):  # noqa: F811
    return KeyCtx(module_server)


def _scope_refused(r):
    if r.status_code != 403:
        return False
    doc = assert_problem(r, 403)
    return "API key" in doc["detail"]


@pytest.mark.parametrize("scope", SCOPES)
def test_each_scope_allows_exactly_its_routes(kctx, scope):
    key = new_key(kctx.s, [scope])["key"]
    for route, (flags, needs) in sorted(route_scopes().items()):
        if "PUBLIC" in flags or "METRICS" in flags:
            continue
        if needs in (scope, "any"):
            r = TABLE[route][0](kctx, "key:" + key)
            assert r.status_code < 500 and r.status_code != 401, (route, r.status_code, r.text)
            assert not _scope_refused(r), (route, r.text)
        else:
            # Refused before the body is read: any path of the route's shape will do.
            path = route[1].replace("{}", "a" * 26)
            r = with_key(kctx.s, key, route[0], path, json={})
            assert _scope_refused(r), (route, r.status_code, r.text)
            detail = r.json()["detail"]
            if needs is not None:
                assert needs in detail, detail
            else:
                assert "cannot use this route" in detail, detail


def test_a_key_works_as_its_state(server):
    key = new_key(server, ["directory:read", "communications:send", "communications:read"])
    assert key["key"].startswith("pocd_") and len(key["key"]) == 48
    assert key["scopes"] == ["directory:read", "communications:read", "communications:send"]
    me = with_key(server, key["key"], "GET", "/api/v1/me").json()
    assert me["state"] == "FRA" and me["role"] == "officer", me
    assert me["api_key"] == {"id": key["id"], "scopes": key["scopes"]}
    r = with_key(server, key["key"], "GET", "/api/v1/directory")
    assert r.status_code == 200, r.text
    r = with_key(server, key["key"], "POST", "/api/v1/communications", json={
        "type": "notification", "urgency": "routine", "tlp": "GREEN",
        "to": [{"state": "KEN", "kinds": ["technical"]}],
        "subject": {"text": "From a machine", "lang": "en"},
        "description": {"text": "Sent by FRA's ticketing system.", "lang": "en"}})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = with_key(server, key["key"], "GET", "/api/v1/communications/" + cid)
    assert r.status_code == 200 and r.json()["sender"]["state"] == "FRA", r.text
    # FRA's key is not KEN's: it cannot acknowledge (no scope), and KEN sees FRA as sender.
    r = server.get("/api/v1/communications/" + cid, who="KEN/admin")
    assert r.status_code == 200 and r.json()["sender"]["state"] == "FRA"


def test_key_shown_once_and_stored_hashed(server):
    key = new_key(server, ["directory:read"])
    r = server.get("/api/v1/api-keys", who="FRA/admin")
    assert r.status_code == 200, r.text
    listed = [k for k in r.json()["items"] if k["id"] == key["id"]]
    assert len(listed) == 1 and "key" not in listed[0] and "secret" not in listed[0]
    assert key["key"] not in r.text
    assert listed[0]["last_used_at"] is None
    assert with_key(server, key["key"], "GET", "/api/v1/states").status_code == 200
    # The last use is written by a write of its own, shortly after.
    for _ in range(100):
        items = server.get("/api/v1/api-keys", who="FRA/admin").json()["items"]
        if [k for k in items if k["id"] == key["id"]][0]["last_used_at"] is not None:
            break
        time.sleep(0.05)
    else:
        pytest.fail("last_used_at was never set")
    con = sqlite3.connect("file:%s?mode=ro" % server.db, uri=True)
    row = con.execute("SELECT key_hash FROM api_keys WHERE id = ?", (key["id"],)).fetchone()
    con.close()
    assert row[0] == hashlib.sha256(key["key"].encode()).digest()
    for suffix in ("", "-wal"):
        if os.path.exists(str(server.db) + suffix):
            with open(str(server.db) + suffix, "rb") as f:
                data = f.read()
            assert key["key"].encode() not in data
            assert key["key"][5:].encode() not in data


def test_revocation_is_immediate(server):
    key = new_key(server, ["directory:read"])
    assert with_key(server, key["key"], "GET", "/api/v1/states").status_code == 200
    # Another state's administrator does not find it.
    assert_problem(server.delete("/api/v1/api-keys/" + key["id"], who="DEU/admin"), 404)
    assert with_key(server, key["key"], "GET", "/api/v1/states").status_code == 200
    r = server.delete("/api/v1/api-keys/" + key["id"], who="FRA/admin")
    assert r.status_code == 204, r.text
    assert_problem(with_key(server, key["key"], "GET", "/api/v1/states"), 401)
    assert_problem(server.delete("/api/v1/api-keys/" + key["id"], who="FRA/admin"), 404)
    ids = [k["id"] for k in server.get("/api/v1/api-keys", who="FRA/admin").json()["items"]]
    assert key["id"] not in ids


def test_a_disabled_creator_takes_its_keys_along(server):
    key = new_key(server, ["directory:read"], who="FRA/admin2")
    assert with_key(server, key["key"], "GET", "/api/v1/states").status_code == 200
    me = server.get("/api/v1/me", who="FRA/admin2").json()["id"]
    r = server.patch("/api/v1/accounts/" + me, who="FRA/admin", json={"disabled": True})
    assert r.status_code == 200, r.text
    assert_problem(with_key(server, key["key"], "GET", "/api/v1/states"), 401)


def test_a_key_cannot_make_keys_or_webhooks(server):
    key = new_key(server, ["directory:read"])["key"]
    for method, path in (("POST", "/api/v1/api-keys"), ("GET", "/api/v1/api-keys"),
                         ("POST", "/api/v1/webhooks"), ("POST", "/api/v1/me/password")):
        r = with_key(server, key, method, path, json={"name": "x", "scopes": SCOPES})
        assert _scope_refused(r), (path, r.text)


@pytest.mark.parametrize("body,field", [
    ({"scopes": ["directory:read"]}, "name"),
    ({"name": "x"}, "scopes"),
    ({"name": "x", "scopes": []}, "scopes"),
    ({"name": "x", "scopes": ["directory:write"]}, "scopes"),
    ({"name": "x", "scopes": ["directory:read", "directory:read"]}, "scopes"),
    ({"name": "x", "scopes": "directory:read"}, "scopes"),
    ({"name": "", "scopes": ["directory:read"]}, "name"),
    ({"name": "a\nb", "scopes": ["directory:read"]}, "name"),
    ({"name": "x", "scopes": ["directory:read"], "expires_at": "2001-01-01T00:00:00Z"},
     "expires_at"),
    ({"name": "x", "scopes": ["directory:read"], "expires_at": "2999-01-01T00:00:00Z"},
     "expires_at"),
    ({"name": "x", "scopes": ["directory:read"], "expires_at": "tomorrow"}, "expires_at"),
    ({"name": "x", "scopes": ["directory:read"], "admin": True}, "admin"),
])
def test_bad_key_requests(server, body, field):
    assert_problem(server.post("/api/v1/api-keys", who="FRA/admin", json=body), 400, field)


def test_key_expiry_is_kept_and_ends_the_key(server):
    key = new_key(server, ["directory:read"], expires_at="2027-01-31T00:00:00Z")
    assert key["expires_at"] == "2027-01-31T00:00:00Z"
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
    key = new_key(server, ["directory:read"], expires_at=soon)
    assert with_key(server, key["key"], "GET", "/api/v1/states").status_code == 200
    time.sleep(4)
    assert_problem(with_key(server, key["key"], "GET", "/api/v1/states"), 401)


def test_malformed_keys_are_refused(server):
    for text in ("pocd_" + "!" * 43, "pocd_short", "xxxx_" + "A" * 43, "pocd_" + "A" * 43):
        assert_problem(with_key(server, text, "GET", "/api/v1/states"), 401)


# -- webhooks -----------------------------------------------------------------------------

def make_cert(d):
    """A self-signed certificate for 127.0.0.1 and localhost; (cert, key) paths."""
    cert, key = str(d / "hook.crt"), str(d / "hook.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


class Receiver:
    """An HTTPS receiver that checks every event's signature with the secret it is given,
    independently of pocd's code."""

    def __init__(self, cert, key, port=0):
        self.events, self.bad = [], []
        self.secret = None
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.check(self.headers, body)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def check(self, headers, body):
        parts = dict(p.split("=", 1) for p in headers["X-Pocd-Signature"].split(","))
        mac = hmac.new(self.secret.encode(), parts["t"].encode() + b"." + body,
                       hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(mac, parts["v1"]) and abs(int(parts["t"]) - time.time()) < 300
        (self.events if ok else self.bad).append((dict(headers), json.loads(body)))

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hook_server(server, tmp_path):
    cert, key = make_cert(tmp_path)
    server.restart_with("--webhook-allow-private", "--webhook-ca", cert,
                        "--mail-retry-base", "1")
    server.cert = (cert, key)
    return server


def send_comm(s, to="KEN", subject="Webhook test"):
    r = s.post("/api/v1/communications", who="FRA/officer", json={
        "type": "request_assistance", "urgency": "urgent", "tlp": "RED",
        "to": [{"state": to, "kinds": ["technical"]}],
        "subject": {"text": subject, "lang": "en"},
        "description": {"text": "Secret details that must not leave by webhook.",
                        "lang": "en"}})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def wait_for(pred, seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    pytest.fail("timed out")


def test_signed_events_reach_an_independent_receiver(hook_server):
    s = hook_server
    rx = Receiver(*s.cert)
    try:
        r = s.post("/api/v1/webhooks", who="KEN/admin",
                   json={"url": "https://127.0.0.1:%d/pocd" % rx.port})
        assert r.status_code == 201, r.text
        hook = r.json()
        rx.secret = hook["secret"]
        assert hook["events"] == ["communication.new", "communication.reply",
                                  "communication.overdue", "communication.escalated", "ping"]
        listed = s.get("/api/v1/webhooks", who="KEN/admin").json()["items"]
        assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
        cid = send_comm(s)
        wait_for(lambda: rx.events)
        headers, ev = rx.events[0]
        assert ev["type"] == "communication.new" and ev["state"] == "KEN"
        assert ev["data"]["communication"] == cid and ev["data"]["from"] == "FRA"
        assert ev["data"]["tlp"] == "RED"
        assert headers["X-Pocd-Event"] == "communication.new"
        assert "Secret details" not in json.dumps(ev) and "Webhook test" not in json.dumps(ev)
        # A reply from FRA reaches KEN's webhook too.
        r = s.post("/api/v1/communications/%s/replies" % cid, who="FRA/officer",
                   json={"text": "More", "lang": "en"})
        assert r.status_code == 201, r.text
        wait_for(lambda: [e for _, e in rx.events if e["type"] == "communication.reply"])
        assert rx.bad == []
        log = s.get("/api/v1/webhooks/%s/deliveries" % hook["id"], who="KEN/admin")
        assert log.status_code == 200, log.text
        items = log.json()["items"]
        assert {d["event"] for d in items} == {"communication.new", "communication.reply"}
        for d in items:
            wait_for(lambda: s.get("/api/v1/webhooks/%s/deliveries" % hook["id"],
                                   who="KEN/admin").json()["items"][0]["status"] == "delivered")
        d = s.get("/api/v1/webhooks/%s/deliveries" % hook["id"], who="KEN/admin").json()
        assert all(x["status"] == "delivered" and x["http_status"] == 204 for x in d["items"])
        # FRA's webhooks log is not KEN's.
        assert_problem(s.get("/api/v1/webhooks/%s/deliveries" % hook["id"], who="FRA/admin"),
                       404)
        # Deleted, it receives nothing more.
        assert s.delete("/api/v1/webhooks/" + hook["id"], who="KEN/admin").status_code == 204
        n = len(rx.events)
        send_comm(s)
        time.sleep(1.5)
        assert len(rx.events) == n
    finally:
        rx.close()


def test_a_tampered_signature_fails_the_receivers_check(hook_server):
    """The receiver's check is not vacuous: a wrong secret fails it."""
    s = hook_server
    rx = Receiver(*s.cert)
    try:
        r = s.post("/api/v1/webhooks", who="KEN/admin",
                   json={"url": "https://127.0.0.1:%d/" % rx.port, "events": ["communication.new"]})
        assert r.status_code == 201, r.text
        rx.secret = r.json()["secret"][::-1]
        send_comm(s)
        wait_for(lambda: rx.bad)
        assert rx.events == []
    finally:
        rx.close()


def test_retries_while_the_receiver_is_down(hook_server):
    s = hook_server
    port = free_tcp_port()
    r = s.post("/api/v1/webhooks", who="KEN/admin",
               json={"url": "https://localhost:%d/later" % port})
    assert r.status_code == 201, r.text
    hook = r.json()
    send_comm(s)
    path = "/api/v1/webhooks/%s/deliveries" % hook["id"]

    def failed_once():
        items = s.get(path, who="KEN/admin").json()["items"]
        return items and items[0]["attempts"] >= 1 and items[0]["last_error"] and items[0]
    d = wait_for(failed_once)
    assert d["status"] == "pending" and d["next_attempt_at"], d
    rx = Receiver(*s.cert, port=port)
    rx.secret = hook["secret"]
    try:
        wait_for(lambda: rx.events, seconds=30)
        d = wait_for(lambda: [x for x in s.get(path, who="KEN/admin").json()["items"]
                              if x["status"] == "delivered"], seconds=10)[0]
        assert d["attempts"] > 1 and d["http_status"] == 204, d
        assert rx.bad == []
    finally:
        rx.close()


def free_tcp_port():
    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        return sk.getsockname()[1]


@pytest.mark.parametrize("url", [
    "http://hooks.example.org/pocd",
    "ftp://hooks.example.org/",
    "https://10.0.0.1/pocd",
    "https://127.0.0.1:8443/pocd",
    "https://[::1]/pocd",
    "https://[::ffff:127.0.0.1]/pocd",
    "https://[fe80::1]/pocd",
    "https://[fd00::1]/pocd",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/",
    "https://192.168.1.1/",
    "https://172.16.0.1/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://localhost/pocd",
    "https://api.localhost/pocd",
    "https://user:pw@hooks.example.org/",
    "https://hooks.example.org/#frag",
    "https://hooks.example.org:0/",
    "https://hooks.example.org:99999/",
    "https://hooks example.org/",
    "https:///nohost",
    "https://" + "a" * 600 + ".org/",
])
def test_refused_targets(server, url):
    r = server.post("/api/v1/webhooks", who="FRA/admin", json={"url": url})
    assert_problem(r, 400, "url")


def test_a_name_that_resolves_inside_is_refused_at_connection(server, tmp_path):
    """Registration cannot know what a name will resolve to; the sender checks the address it
    is about to connect to, every time."""
    name = next((n for n in ("vm", socket.gethostname())
                 if _resolves_to_loopback(n) and n != "localhost"), None)
    if name is None:
        pytest.skip("no name other than localhost resolves to the loopback here")
    cert, key = make_cert(tmp_path)
    rx = Receiver(cert, key)
    try:
        r = server.post("/api/v1/webhooks", who="KEN/admin",
                        json={"url": "https://%s:%d/" % (name, rx.port)})
        assert r.status_code == 201, r.text
        rx.secret = r.json()["secret"]
        send_comm(server)
        path = "/api/v1/webhooks/%s/deliveries" % r.json()["id"]
        d = wait_for(lambda: [x for x in server.get(path, who="KEN/admin").json()["items"]
                              if x["attempts"] >= 1])[0]
        assert "refused" in d["last_error"] and d["status"] == "pending", d
        assert rx.events == [] and rx.bad == []
    finally:
        rx.close()


def _resolves_to_loopback(name):
    try:
        return all(a[4][0].startswith("127.") or a[4][0] == "::1"
                   for a in socket.getaddrinfo(name, 443))
    except socket.gaierror:
        return False


@pytest.mark.parametrize("body,field", [
    ({}, "url"),
    ({"url": 5}, "url"),
    ({"url": "https://hooks.example.org/", "events": []}, "events"),
    ({"url": "https://hooks.example.org/", "events": ["communication.deleted"]}, "events"),
    ({"url": "https://hooks.example.org/", "events": ["ping", "ping"]}, "events"),
    ({"url": "https://hooks.example.org/", "secret": "mine"}, "secret"),
])
def test_bad_webhook_requests(server, body, field):
    assert_problem(server.post("/api/v1/webhooks", who="FRA/admin", json=body), 400, field)


def test_webhooks_per_state_are_bounded(server):
    for i in range(10):
        r = server.post("/api/v1/webhooks", who="FRA/admin",
                        json={"url": "https://hooks.example.org/%d" % i})
        assert r.status_code == 201, r.text
    assert_problem(server.post("/api/v1/webhooks", who="FRA/admin",
                               json={"url": "https://hooks.example.org/x"}), 409)


def test_answers_match_the_documented_schemas(hook_server, spec):  # noqa: F811
    s = hook_server
    probe = Probe(s, spec)
    failures = []
    check = lambda path, method, r: failures.extend(probe.check_documented(path, method, r))
    check("/api/v1/api-keys", "POST", s.post("/api/v1/api-keys", who="FRA/admin", json={
        "name": "Schema", "scopes": SCOPES}))
    check("/api/v1/api-keys", "GET", s.get("/api/v1/api-keys", who="FRA/admin"))
    rx = Receiver(*s.cert)
    try:
        r = s.post("/api/v1/webhooks", who="KEN/admin",
                   json={"url": "https://127.0.0.1:%d/" % rx.port})
        check("/api/v1/webhooks", "POST", r)
        rx.secret = r.json()["secret"]
        check("/api/v1/webhooks", "GET", s.get("/api/v1/webhooks", who="KEN/admin"))
        send_comm(s)
        wait_for(lambda: rx.events)
        path = "/api/v1/webhooks/%s/deliveries" % r.json()["id"]
        d = wait_for(lambda: [x for x in s.get(path, who="KEN/admin").json()["items"]
                              if x["status"] == "delivered"])
        assert d
        check("/api/v1/webhooks/{id}/deliveries", "GET", s.get(path, who="KEN/admin"))
    finally:
        rx.close()
    assert not failures, failures


def test_poc_takes_an_api_key_from_the_environment(server, tmp_path):
    poc = os.environ.get("POC_BIN", os.path.join(os.path.dirname(__file__), "../../build/poc"))
    key = new_key(server, ["directory:read"])["key"]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path), "POC_SERVER": server.url}
    r = subprocess.run([poc, "--json", "states"], env={**env, "POC_API_KEY": key},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert any(s["code"] == "FRA" for s in json.loads(r.stdout)["items"])
    # Its scope is all it opens.
    r = subprocess.run([poc, "inbox"], env={**env, "POC_API_KEY": key},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "communications:read" in r.stderr, r.stderr
    # Without it, no login: refused.
    r = subprocess.run([poc, "states"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r.stdout


def test_deadlines_and_pings_reach_the_webhook(server, tmp_path):
    cert, key = make_cert(tmp_path)
    server.restart_with("--webhook-allow-private", "--webhook-ca", cert, "--test-clock")
    rx = Receiver(cert, key)
    try:
        r = server.post("/api/v1/webhooks", who="KEN/admin", json={
            "url": "https://127.0.0.1:%d/" % rx.port,
            "events": ["communication.escalated", "communication.overdue", "ping"]})
        assert r.status_code == 201, r.text
        rx.secret = r.json()["secret"]
        cid = send_comm(server)
        r = server.post("/api/v1/test/clock", json={"advance_seconds": 25 * 3600})
        assert r.status_code == 200, r.text
        types = lambda: {e["type"] for _, e in rx.events}
        wait_for(lambda: {"communication.escalated", "communication.overdue"} <= types())
        assert all(e["data"]["communication"] == cid for _, e in rx.events)
        r = server.post("/api/v1/ping-campaigns", who="secretariat",
                        json={"scope": ["KEN"], "kinds": ["technical"]})
        assert r.status_code == 201, r.text
        ping = wait_for(lambda: [e for _, e in rx.events if e["type"] == "ping"])[0]
        assert ping["data"]["campaign"] == r.json()["id"] and ping["state"] == "KEN"
        assert "challenge" not in ping["data"]
        # Not subscribed: no communication.new.
        assert "communication.new" not in types() and rx.bad == []
    finally:
        rx.close()


# -- hardening ----------------------------------------------------------------------------

def test_a_key_reads_no_tlp_red_content(server):
    """A key acts for its creator but is no person: TLP:RED content, its attachments and its
    exports are for people only, though the creator reads them."""
    from test_attachments import send_with, uploaded
    from comm_helpers import to
    att = uploaded(server, who="FRA/admin")
    cid = send_with(server, [att["id"]], who="FRA/admin", tlp="RED", to=to("DEU"))["id"]
    path = "/api/v1/communications/" + cid
    assert "content_withheld" not in server.get(path, who="FRA/admin").json()
    assert server.get("/api/v1/attachments/" + att["id"], who="FRA/admin").status_code == 200
    assert server.get(path, who="FRA/admin", params={"format": "stix"}).status_code == 200
    key = new_key(server, ["communications:read"])["key"]
    doc = with_key(server, key, "GET", path).json()
    assert doc.get("content_withheld") == "TLP:RED" and "description" not in doc, doc
    r = with_key(server, key, "GET", "/api/v1/attachments/" + att["id"])
    assert r.status_code in (403, 404) and r.content != b"" and b"PCAP" not in r.content
    for fmt in ("iodef", "stix"):
        assert_problem(with_key(server, key, "GET", path, params={"format": fmt}), 403)
    # Below RED the key reads what its creator reads.
    more = uploaded(server, who="FRA/admin", filename="more.pcap")
    green = send_with(server, [more["id"]], who="FRA/admin", tlp="GREEN", to=to("DEU"))["id"]
    doc = with_key(server, key, "GET", "/api/v1/communications/" + green).json()
    assert "content_withheld" not in doc and "description" in doc, doc


def test_the_record_tells_a_key_from_a_person(server):
    """What a key does is logged with actor_role "api_key" under the account that made it, so
    that a state (and anyone its receipts are shown to) can tell a machine from a person."""
    from comm_helpers import comm_body, to
    from test_receipts import verify_receipt

    def sent_leaf(r):
        assert r.status_code == 201, r.text
        return verify_receipt(server, r.json()["receipt"], "FRA", "communication.sent",
                              r.json()["id"])[0], r.json()["id"]
    person, _ = sent_leaf(server.post("/api/v1/communications", who="FRA/admin",
                                      json=comm_body(to=to("DEU"))))
    assert person["actor_role"] == "state_admin", person
    key = new_key(server, ["communications:send"])["key"]
    machine, cid = sent_leaf(with_key(server, key, "POST", "/api/v1/communications",
                                      json=comm_body(to=to("DEU"))))
    # The same account (the log names it by the same pseudonym), but a machine.
    assert (machine["actor"], machine["actor_state"], machine["actor_role"]) == (
        person["actor"], "FRA", "api_key"), machine
    deu = new_key(server, ["communications:ack"], who="DEU/admin")["key"]
    r = with_key(server, deu, "POST", "/api/v1/communications/%s/acknowledge" % cid, json={})
    assert r.status_code == 200, r.text
    leaf, _, _ = verify_receipt(server, r.json()["receipt"], "DEU",
                                "communication.acknowledged", cid)
    assert leaf["actor_role"] == "api_key", leaf


def test_a_disabled_creator_s_webhooks_get_nothing(hook_server):
    s = hook_server
    r = s.post("/api/v1/webhooks", who="FRA/admin2", json={"url": "https://127.0.0.1:9/x"})
    assert r.status_code == 201, r.text

    def queued():
        with sqlite3.connect(str(s.db)) as con:
            return con.execute("SELECT count(*) FROM outbox WHERE kind = 'webhook'"
                               " AND state = 'FRA'").fetchone()[0]

    def send_to_fra():
        r = s.post("/api/v1/communications", who="DEU/officer", json={
            "type": "notification", "urgency": "routine", "tlp": "GREEN",
            "to": [{"state": "FRA", "kinds": ["technical"]}],
            "subject": {"text": "Hello", "lang": "en"},
            "description": {"text": "x", "lang": "en"}})
        assert r.status_code == 201, r.text

    send_to_fra()
    assert queued() == 1
    me = s.get("/api/v1/me", who="FRA/admin2").json()["id"]
    r = s.patch("/api/v1/accounts/" + me, who="FRA/admin", json={"disabled": True})
    assert r.status_code == 200, r.text
    send_to_fra()
    assert queued() == 1


def test_keys_and_webhooks_take_the_service_clock(server):
    from comm_helpers import advance, parse_time
    server.restart_with("--test-clock", "--webhook-allow-private")
    now = advance(server, 400 * 86400)
    key = new_key(server, ["directory:read"])
    assert parse_time(key["expires_at"]) - now in range(365 * 86400 - 5, 365 * 86400 + 60)
    r = server.post("/api/v1/webhooks", who="FRA/admin", json={"url": "https://127.0.0.1:9/"})
    assert r.status_code == 201, r.text
    assert abs(parse_time(r.json()["created_at"]) - now) < 60, r.text
