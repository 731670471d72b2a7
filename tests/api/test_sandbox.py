"""The seccomp filter, on the release build (the sanitizer build that runs the other suites
turns it off: ASan needs calls it refuses).

One pocd as it would run in production (release build, HTTPS, --user nobody when the tests run
as root, the filter on) serves requests of every kind: logins (argon2id on the hashing
threads), reads, exports, writes through the writer thread with the log's signatures and
receipts, a communication's lifecycle, a ping campaign, refusals, a restart. Not one system
call may be refused on the way, and every thread must be under the filter.
"""
import glob
import json
import os
import pathlib
import pwd
import shutil
import tempfile
import time

import pytest

from comm_helpers import ack, reply, send, to, wait_for
from conftest import POCD_RELEASE, Server
from mail_helpers import kill_agent, relay  # noqa: F401 (fixture)
from ping_helpers import answer, campaign, pings
from pocd_helpers import create_poc, etag_of, poc_body, state_pocs
from test_tls import make_cert

REFUSED = "seccomp: refused system call"


def log_text(server):
    with open(str(server.db) + ".log", encoding="utf-8", errors="replace") as f:
        return f.read()


def filter_modes(pid, want):
    """The seccomp modes of the threads of pid (2: a filter), once they are all want (pocd
    serves a moment before the filter, its last step of the start, is in place)."""
    for _ in range(100):
        modes = set()
        for status in glob.glob("/proc/%d/task/*/status" % pid):
            with open(status) as f:
                modes |= {int(l.split()[1]) for l in f if l.startswith("Seccomp:")}
        if modes == {want}:
            break
        time.sleep(0.05)
    return modes


@pytest.fixture
def release_server(demo_template):
    if not os.path.exists(POCD_RELEASE):
        pytest.fail("no release build at %s: make build" % POCD_RELEASE)
    d = pathlib.Path(tempfile.mkdtemp(prefix="pocd-sandbox-", dir="/tmp"))
    db = d / "pocd.db"
    shutil.copy(demo_template, db)
    shutil.copy(str(demo_template) + ".logkey", str(db) + ".logkey")
    with open(str(demo_template) + ".credentials.json") as f:
        creds = json.load(f)
    args = []
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for p in (d, db, str(db) + ".logkey"):
            os.chown(p, nobody.pw_uid, nobody.pw_gid)
        args = ["--user", "nobody"]
    s = Server(db, creds, tls=make_cert(d), binary=POCD_RELEASE)
    s.args = args
    s.start(*args)
    yield s
    rc = s.stop()
    assert rc == 0, "pocd exited with %d: see %s.log" % (rc, db)
    shutil.rmtree(d)


def test_every_kind_of_request_under_the_filter(release_server):
    s = release_server
    assert filter_modes(s.proc.pid, 2) == {2}

    # Reads, exports, refusals.
    assert s.get("/healthz").status_code == 200
    assert s.get("/api/v1/me", who="FRA/admin").status_code == 200
    assert s.get("/api/v1/directory?limit=5", who="DEU/officer").status_code == 200
    for fmt in ("csv", "vcard", "json"):
        assert s.get("/api/v1/directory?format=" + fmt, who="DEU/officer").status_code == 200
    assert s.get("/api/v1/states/FRA", who="KEN/officer").status_code == 200
    assert s.get("/api/v1/no-such-thing").status_code == 404
    assert s.post("/api/v1/states/FRA/pocs", who="DEU/admin", json={}).status_code == 403
    assert s.post("/api/v1/login", data="x" * (2 << 20),
                  headers={"Content-Type": "application/json"}).status_code == 413
    assert s.post("/api/v1/login", json={"username": "fra-admin",
                                         "password": "wrong"}).status_code == 401
    assert s.get("/metrics", who="secretariat").status_code == 200

    # Writes: a PoC created and changed, with receipts signed by the log.
    r = create_poc(s)
    assert "receipt" in r.json()
    poc = r.json()["id"]
    cur = s.get("/api/v1/pocs/" + poc, who="FRA/admin")
    r = s.put("/api/v1/pocs/" + poc, who="FRA/admin", json=poc_body(role_title="Day duty"),
              headers={"If-Match": etag_of(cur)})
    assert r.status_code == 200, r.text

    # A communication's lifecycle, and a ping answered.
    cid = send(s, to=to("DEU"))["id"]
    assert ack(s, cid, "DEU/officer").status_code == 200
    assert reply(s, cid, "DEU/officer").status_code == 201
    # An attachment: streamed to a file, renamed, referenced, read back; one too large
    # removed half-way.
    up = s.post("/api/v1/attachments", who="FRA/officer", params={"filename": "x.log"},
                data=b"evidence" * 1000)
    assert up.status_code == 201, up.text
    assert send(s, to=to("DEU"), attachments=[up.json()["id"]])["attachments"]
    got = s.get("/api/v1/attachments/" + up.json()["id"], who="DEU/officer")
    assert got.status_code == 200 and got.content == b"evidence" * 1000
    assert s.post("/api/v1/attachments", who="FRA/officer", params={"filename": "big"},
                  data=(b"x" * 65536 for _ in range(500))).status_code == 413
    campaign(s)
    mine = [p for p in pings(s, "FRA/admin") if p["status"] == "open"]
    assert mine, "the campaign pinged no FRA PoC"
    assert answer(s, mine[0]["id"], "FRA/admin", mine[0]["challenge"]).status_code == 200
    assert s.get("/api/v1/log/checkpoint").status_code == 200
    r = s.post("/api/v1/broadcasts", who="secretariat",
               json={"texts": {"en": {"subject": "Test", "body": "A test broadcast."}}})
    assert r.status_code == 201, r.text
    # The web interface's page and files.
    for path in ("/", "/app.js", "/i18n/ar.json"):
        assert s.get(path).status_code == 200, path
    assert s.post("/api/v1/logout", who="FRA/officer").status_code == 204

    # A restart: every write is there, served by the filtered process again.
    s.restart_with(*s.args)
    assert filter_modes(s.proc.pid, 2) == {2}
    assert poc in [p["id"] for p in state_pocs(s)]
    assert s.get("/api/v1/communications/" + cid, who="DEU/officer").status_code == 200

    log = log_text(s)
    assert log.count("seccomp filter on") == 2, log[-2000:]
    assert REFUSED not in log, [l for l in log.splitlines() if REFUSED in l]


def test_no_seccomp_turns_it_off(release_server):
    s = release_server
    s.restart_with("--no-seccomp", *s.args)
    assert filter_modes(s.proc.pid, 0) == {0}
    assert s.get("/api/v1/me", who="FRA/admin").status_code == 200
    assert "seccomp filter off (--no-seccomp)" in log_text(s)


def test_mail_goes_out_and_stops_under_the_filter(release_server, relay):  # noqa: F811
    """The mail supervisor starts before the filter: the sender is not confined by it, and
    the filtered process may still stop and reap it."""
    s = release_server
    s.restart_with("--smtp", relay.url, "--mail-from", "pocd@pocd.example", "--public-url",
                   "https://pocd.example", *s.args)
    assert filter_modes(s.proc.pid, 2) == {2}
    send(s, to=to("DEU"))
    assert wait_for(relay.received, lambda m: len(m) >= 1, 30), "no mail reached the relay"
    assert s.stop() == 0
    kill_agent(str(s.db) + ".gnupg")
    log = log_text(s)
    assert "mail: stopped" in log, log[-2000:]
    assert REFUSED not in log, [l for l in log.splitlines() if REFUSED in l]
