"""Fixtures for the API tests: a real pocd on a loopback port over a real SQLite file.

The demo database is created once per run (argon2id makes account creation slow) and
copied for each test, so every test starts from the same known directory.
"""
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time

import pytest
import requests

POCD = os.environ.get("POCD_BIN", os.path.join(os.path.dirname(__file__), "../../build/pocd"))
# The release build, for what a sanitizer build cannot show (its seccomp filter is off).
POCD_RELEASE = os.environ.get("POCD_RELEASE_BIN",
                              os.path.join(os.path.dirname(__file__), "../../build/pocd"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    d = tmp_path_factory.mktemp("template")
    db = d / "demo.db"
    subprocess.run([POCD, "init", "--db", str(db), "--demo", "--test"], check=True,
                   capture_output=True)
    # The demo accounts existed well before any test's proposal: a PoC change is confirmed
    # only by an account made before the second the change was proposed in.
    with sqlite3.connect(str(db)) as con:
        con.execute("UPDATE accounts SET created_at = created_at - 60")
    con.close()
    return db


class Server:
    """A running pocd and the demo logins of its database; with tls (a (cert, key) pair of
    PEM files) it serves HTTPS, and requests trust that certificate."""

    def __init__(self, db, creds, tls=None, binary=POCD):
        self.binary = binary
        self.db = db
        self.creds = creds
        self.tls = tls
        self.verify = tls[0] if tls else True
        self.port = None
        self.proc = None
        self.log = None
        self._tokens = {}

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    def start(self, *extra):
        self.port = free_port()
        self.log = open(str(self.db) + ".log", "ab")
        tls = ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])] if self.tls else []
        # The suites send far more than 50 requests a second from one address; the rate
        # limiter has tests of its own (test_limits.py).
        rate = [] if "--rate-limit" in extra else ["--rate-limit", "0"]
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--db", str(self.db), "--listen", "127.0.0.1:%d" % self.port,
             *tls, *rate, *extra], stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                if requests.get(self.url + "/healthz", timeout=1,
                                verify=self.verify).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or a handshake slower than the timeout
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError("pocd did not start: see %s.log" % self.db)

    def stop(self, sig=signal.SIGTERM):
        """Stops pocd; with SIGTERM it must exit 0 (a sanitizer report makes it fail)."""
        if self.proc is None:
            return 0
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=30)
        self.proc = None
        self.log.close()
        self._tokens = {}
        return rc

    def restart(self):
        assert self.stop() == 0
        self.start()

    def restart_with(self, *extra):
        """Restarts pocd with these options."""
        assert self.stop() == 0
        self.start(*extra)

    def login(self, username, password):
        r = requests.post(self.url + "/api/v1/login",
                          json={"username": username, "password": password}, verify=self.verify)
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def account(self, who):
        """Credentials by name: 'secretariat', or 'FRA/admin', 'FRA/admin2', 'FRA/officer'."""
        if who == "secretariat":
            return self.creds["secretariat"]
        code, slot = who.split("/")
        return self.creds["states"][code][slot]

    def token(self, who):
        if who not in self._tokens:
            c = self.account(who)
            self._tokens[who] = self.login(c["username"], c["password"])
        return self._tokens[who]

    def headers(self, who=None, **extra):
        h = dict(extra)
        if who is not None:
            h["Authorization"] = "Bearer " + self.token(who)
        return h

    def request(self, method, path, who=None, **kw):
        kw.setdefault("verify", self.verify)
        return requests.request(method, self.url + path,
                                headers=self.headers(who, **kw.pop("headers", {})), **kw)

    def get(self, path, who=None, **kw):
        return self.request("GET", path, who, **kw)

    def post(self, path, who=None, **kw):
        return self.request("POST", path, who, **kw)

    def put(self, path, who=None, **kw):
        return self.request("PUT", path, who, **kw)

    def patch(self, path, who=None, **kw):
        return self.request("PATCH", path, who, **kw)

    def delete(self, path, who=None, **kw):
        return self.request("DELETE", path, who, **kw)


@pytest.fixture
def server(demo_template, tmp_path):
    db = tmp_path / "pocd.db"
    shutil.copy(demo_template, db)
    # The log's signing key goes with its database.
    shutil.copy(str(demo_template) + ".logkey", str(db) + ".logkey")
    with open(str(demo_template) + ".credentials.json") as f:
        creds = json.load(f)
    s = Server(db, creds)
    s.start()
    yield s
    rc = s.stop()
    assert rc == 0, "pocd exited with %d: see %s.log" % (rc, db)


def assert_problem(r, status, field=None):
    """r is an RFC 9457 problem with this status (and, if given, naming this field)."""
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/problem+json"), r.headers
    doc = r.json()
    for k in ("type", "title", "status", "detail"):
        assert k in doc, doc
    assert doc["status"] == status
    if field is not None:
        fields = [e["field"] for e in doc.get("errors", [])]
        assert field in fields, doc
    return doc
