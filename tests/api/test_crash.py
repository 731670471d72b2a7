"""Crash durability under load: many kill -9 at random moments while writes are in flight.

Writers (FRA's and DEU's admins creating and changing PoCs, FRA's officer sending
communications, DEU's officer acknowledging and answering them) run against pocd; at a random
moment it is killed with SIGKILL, then restarted, CYCLES times. After each kill, with pocd
down: SQLite's integrity check, nothing half-written (every communication has its recipients,
their "sent" steps and its event; every PoC its revisions up to its own, the last matching it;
every acknowledgement and reply its step and event), and `pocd log verify` passes. After each
restart, over the API: every write that was answered 2xx is there with the content it was
answered with. test_durability.py holds the single-kill cases; this is the repeated, mixed one.
"""
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time

import pytest
import requests

from comm_helpers import COMMS, comm_body, path
from conftest import POCD
from pocd_helpers import clean_log, poc_body, without_receipt  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_log")

CYCLES = 15
# How long the writers run before the kill, in seconds: from "at once" to "well into it".
LOAD_MIN, LOAD_MAX = 0.05, 0.8

WRITERS = ["FRA/admin", "DEU/admin", "FRA/officer", "DEU/officer"]


class Record:
    """What pocd answered 2xx to, across every cycle."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pocs = {}  # id -> the newest document answered for it
        self.comms = {}  # id -> (subject text, description text)
        self.acks = set()  # communication ids DEU acknowledged
        self.replies = {}  # reply text -> communication id


def _poc_writer(server, who, state, rec, stop):
    """Creates a PoC, then changes it again and again (If-Match on the last answer)."""
    tz = "Europe/Paris" if state == "FRA" else "Europe/Berlin"
    with rec.lock:
        mine = [d for d in rec.pocs.values() if d["state"] == state]
    doc = mine[-1] if mine else None
    etag = None
    n = 0
    while not stop.is_set():
        n += 1
        try:
            if doc is None:
                r = server.post("/api/v1/states/%s/pocs" % state, who=who,
                                json=poc_body(organisation="Crash %s %d" % (state, n),
                                              time_zone=tz))
            else:
                if etag is None:
                    g = server.get("/api/v1/pocs/" + doc["id"], who=who)
                    if g.status_code != 200:
                        return
                    etag = g.headers["ETag"]
                r = server.put("/api/v1/pocs/" + doc["id"], who=who,
                               json=poc_body(organisation="Crash %s %d" % (state, n),
                                             role_title="Revision after %d" % doc["revision"],
                                             time_zone=tz),
                               headers={"If-Match": etag})
        except requests.RequestException:
            return
        if r.status_code in (200, 201):
            doc = without_receipt(r.json())
            etag = r.headers["ETag"]
            with rec.lock:
                rec.pocs[doc["id"]] = doc
        elif r.status_code == 412:
            etag = None  # a change not answered before an earlier kill landed after all
        else:
            raise AssertionError((r.status_code, r.text))


def _sender(server, rec, stop, cycle):
    n = 0
    while not stop.is_set():
        n += 1
        subject = "Crash cycle %d message %d" % (cycle, n)
        desc = "Sent under load, cycle %d, number %d." % (cycle, n)
        body = comm_body(urgency="routine", subject={"text": subject, "lang": "en"},
                         description={"text": desc, "lang": "en"})
        try:
            r = server.post(COMMS, who="FRA/officer", json=body)
        except requests.RequestException:
            return
        assert r.status_code == 201, r.text
        with rec.lock:
            rec.comms[r.json()["id"]] = (subject, desc)


def _recipient(server, rec, stop, cycle):
    """Acknowledges, then answers, what FRA sent and DEU has not acknowledged yet."""
    n = 0
    while not stop.is_set():
        with rec.lock:
            todo = [c for c in rec.comms if c not in rec.acks]
        if not todo:
            time.sleep(0.01)
            continue
        cid = todo[0]
        n += 1
        text = "Answer %d of cycle %d" % (n, cycle)
        try:
            a = server.post(path(cid, "acknowledge"), who="DEU/officer", json={})
            if a.status_code not in (200, 409):
                raise AssertionError((a.status_code, a.text))
            with rec.lock:
                rec.acks.add(cid)
            r = server.post(path(cid, "replies"), who="DEU/officer",
                            json={"text": text, "lang": "en"})
        except requests.RequestException:
            return
        assert r.status_code == 201, r.text
        with rec.lock:
            rec.replies[text] = cid


def _guarded(run, errors):
    """A thread's run that keeps its failure for the test to see."""
    def wrapped():
        try:
            run()
        except Exception as e:  # noqa: BLE001 - any failure of a writer fails the test
            errors.append(e)
    return wrapped


def _kill(server):
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()
    server.proc = None
    server.log.close()


def _check_database(db, rec):
    """With pocd down: the file is sound, holds every write answered so far (all of them, at
    every kill, where the API check reads back only what is new) and none half-written."""
    con = sqlite3.connect(str(db))
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        assert q("PRAGMA integrity_check") == [("ok",)]
        comms = {i for (i,) in q("SELECT id FROM communications")}
        assert set(rec.comms) <= comms, set(rec.comms) - comms
        acked = {i for (i,) in q("SELECT comm_id FROM comm_recipients WHERE status <> 'sent'")}
        assert rec.acks <= acked, rec.acks - acked
        revs = dict(q("SELECT id, revision FROM pocs"))
        assert all(revs.get(i, 0) >= d["revision"] for i, d in rec.pocs.items()), revs
        assert q("SELECT id FROM communications c WHERE NOT EXISTS"
                 " (SELECT 1 FROM comm_recipients r WHERE r.comm_id = c.id)") == []
        assert q("SELECT r.comm_id, r.state FROM comm_recipients r WHERE NOT EXISTS"
                 " (SELECT 1 FROM comm_steps s WHERE s.comm_id = r.comm_id"
                 " AND s.state = r.state AND s.what = 'sent')") == []
        assert q("SELECT id FROM communications c WHERE NOT EXISTS"
                 " (SELECT 1 FROM events e WHERE e.object_id = c.id)") == []
        # Each recipient's status has its step.
        assert q("SELECT r.comm_id FROM comm_recipients r WHERE r.status <> 'sent' AND"
                 " NOT EXISTS (SELECT 1 FROM comm_steps s WHERE s.comm_id = r.comm_id"
                 " AND s.state = r.state AND s.what = 'acknowledged')") == []
        # A recipient's reply answers: its thread has its "answered" step.
        assert q("SELECT p.id FROM comm_replies p JOIN comm_recipients r"
                 " ON r.comm_id = p.comm_id AND r.state = p.author_state WHERE NOT EXISTS"
                 " (SELECT 1 FROM comm_steps s WHERE s.comm_id = p.comm_id"
                 " AND s.state = p.author_state AND s.what = 'answered')") == []
        # Every step has its event, of its kind, about its communication.
        assert q("SELECT s.seq FROM comm_steps s WHERE NOT EXISTS (SELECT 1 FROM events e"
                 " WHERE e.id = s.event_id AND e.object_id = s.comm_id"
                 " AND e.type = 'communication.' || s.what)") == []
        # A PoC has every revision from 1 to its own, and no later one.
        assert q("SELECT p.id FROM pocs p WHERE p.revision <>"
                 " (SELECT count(*) FROM poc_revisions v WHERE v.poc_id = p.id)"
                 " OR p.revision <>"
                 " (SELECT max(revision) FROM poc_revisions v WHERE v.poc_id = p.id)") == []
        assert q("SELECT p.id FROM pocs p WHERE NOT EXISTS (SELECT 1 FROM events e"
                 " WHERE e.object_id = p.id)") == []
    finally:
        con.close()


def _log_verify(db):
    r = subprocess.run([POCD, "log", "verify", "--db", str(db)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def _check_answered(server, rec, seen):
    """Every write answered 2xx is there as answered. seen holds (id, acknowledged) of the
    communications checked after an earlier restart: a commit, once read back, stays."""
    for pid, doc in rec.pocs.items():
        who = doc["state"] + "/admin"
        g = server.get("/api/v1/pocs/" + pid, who=who)
        assert g.status_code == 200, (pid, g.text)
        now = g.json()
        # A change sent but not answered before the kill may have landed after the answer
        # was recorded: the answered revision is then in the history, unchanged.
        assert now["revision"] >= doc["revision"], (now, doc)
        if now["revision"] == doc["revision"]:
            assert now == doc
        h = server.get("/api/v1/pocs/%s/history" % pid, who=who).json()["items"]
        revs = {i["revision"]: i for i in h}
        assert sorted(revs) == list(range(1, now["revision"] + 1)), sorted(revs)
        old = revs[doc["revision"]]["poc"]
        for k in ("organisation", "role_title", "email", "phones", "time_zone"):
            assert old[k] == doc[k], (k, old, doc)
    for cid, (subject, desc) in rec.comms.items():
        if (cid, cid in rec.acks) in seen:
            continue
        d = server.get(path(cid), who="FRA/officer")
        assert d.status_code == 200, (cid, d.text)
        d = d.json()
        assert d["subject"]["text"] == subject and d["description"]["text"] == desc
        assert [r["state"] for r in d["recipients"]] == ["DEU"]
        steps = [(s["state"], s["what"]) for s in d["history"]]
        assert ("DEU", "sent") in steps, steps
        if cid in rec.acks:
            assert d["recipients"][0]["status"] != "sent", d["recipients"]
            assert ("DEU", "acknowledged") in steps, steps
        seen.add((cid, cid in rec.acks))
    texts = {}
    for text, cid in rec.replies.items():
        if cid not in texts:
            d = server.get(path(cid), who="DEU/officer").json()
            texts[cid] = {t.get("text") for t in d["thread"]}
        assert text in texts[cid], (text, cid)


def test_acknowledged_writes_survive_many_kill_9(server):
    seed = int(os.environ.get("POCD_CRASH_SEED", random.randrange(1 << 30)))
    rnd = random.Random(seed)
    rec = Record()
    seen = set()
    for w in WRITERS:
        server.token(w)
    tokens = dict(server._tokens)
    started = time.monotonic()
    for cycle in range(CYCLES):
        stop = threading.Event()
        threads = [
            threading.Thread(target=_poc_writer, args=(server, "FRA/admin", "FRA", rec, stop)),
            threading.Thread(target=_poc_writer, args=(server, "DEU/admin", "DEU", rec, stop)),
            threading.Thread(target=_sender, args=(server, rec, stop, cycle)),
            threading.Thread(target=_recipient, args=(server, rec, stop, cycle)),
        ]
        errors = []
        for t in threads:
            t.run = _guarded(t.run, errors)
            t.daemon = True
            t.start()
        time.sleep(rnd.uniform(LOAD_MIN, LOAD_MAX))
        _kill(server)
        stop.set()
        for t in threads:
            t.join(timeout=30)
            assert not t.is_alive(), "a writer hung after the kill (seed %d)" % seed
        assert not errors, "%r (seed %d)" % (errors[0], seed)
        _check_database(server.db, rec)
        _log_verify(server.db)
        server.start()
        server._tokens = dict(tokens)  # sessions are in the database: they survive
        _check_answered(server, rec, seen)
    # And the file as the restarts and their writes left it, after a clean stop.
    assert server.stop() == 0
    _log_verify(server.db)
    server.start()
    assert len(rec.pocs) >= 2 and len(rec.comms) >= CYCLES, (len(rec.pocs), len(rec.comms))
    assert time.monotonic() - started < 120, "too slow for make test (seed %d)" % seed
