"""Acknowledged writes survive a clean restart and a kill -9."""
import signal
import threading
import time

import pytest

from conftest import assert_problem
from pocd_helpers import account_id, clean_log, poc_body, state_pocs, without_receipt  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_log")

URL = "/api/v1/states/FRA/pocs"


def _kill9(server):
    rc = server.stop(signal.SIGKILL)
    assert rc != 0  # killed: that is the point
    server.start()


def test_writes_survive_restart(server):
    c = server.post(URL, who="FRA/admin", json=poc_body())
    assert c.status_code == 201
    loc = c.headers["Location"]
    u = server.put(loc, who="FRA/admin", json=poc_body(organisation="After restart"),
                   headers={"If-Match": c.headers["ETag"]})
    assert u.status_code == 200
    gone = state_pocs(server, "FRA")[0]
    etag = server.get("/api/v1/pocs/" + gone["id"], who="FRA/admin").headers["ETag"]
    assert server.delete("/api/v1/pocs/" + gone["id"], who="FRA/admin",
                         headers={"If-Match": etag}).status_code == 200
    before = state_pocs(server, "FRA")
    directory = server.get("/api/v1/directory", who="FRA/admin")
    server.restart()
    g = server.get(loc, who="FRA/admin")
    assert g.status_code == 200 and g.json() == without_receipt(u.json())
    assert g.headers["ETag"] == u.headers["ETag"]
    assert state_pocs(server, "FRA") == before
    assert_problem(server.get("/api/v1/pocs/" + gone["id"], who="FRA/admin"), 404)
    h = server.get(loc + "/history", who="FRA/admin").json()["items"]
    assert [i["op"] for i in h] == ["created", "changed"]
    again = server.get("/api/v1/directory", who="FRA/admin")
    assert again.json() == directory.json()
    assert again.headers["ETag"] == directory.headers["ETag"]
    # the ETag read before the restart still works for a conditional write
    r = server.put(loc, who="FRA/admin", json=poc_body(), headers={"If-Match": u.headers["ETag"]})
    assert r.status_code == 200 and r.json()["revision"] == 3


def test_accounts_and_states_survive_restart(server):
    oid = account_id(server, "FRA/officer")
    assert server.patch("/api/v1/accounts/" + oid, who="FRA/admin",
                        json={"disabled": True}).status_code == 200
    assert server.patch("/api/v1/states/DEU", who="secretariat",
                        json={"participating": False}).status_code == 200
    c = server.account("KEN/admin")
    assert server.post("/api/v1/me/password", who="KEN/admin",
                       json={"current_password": c["password"],
                             "new_password": "a new long passphrase"}).status_code == 204
    server.restart()
    o = server.account("FRA/officer")
    r = server.post("/api/v1/login", json={"username": o["username"], "password": o["password"]})
    assert_problem(r, 401)
    assert server.get("/api/v1/states/DEU", who="FRA/admin").json()["participating"] is False
    assert_problem(server.get("/api/v1/directory", who="DEU/admin"), 403)
    server.login(c["username"], "a new long passphrase")


def test_session_survives_restart(server):
    tok = server.token("FRA/admin")
    server.restart()
    server._tokens["FRA/admin"] = tok
    assert server.get("/api/v1/me", who="FRA/admin").status_code == 200


def test_acknowledged_create_survives_kill_9(server):
    c = server.post(URL, who="FRA/admin", json=poc_body(organisation="Before the kill"))
    assert c.status_code == 201
    _kill9(server)
    g = server.get(c.headers["Location"], who="FRA/admin")
    assert g.status_code == 200, g.text
    assert g.json() == without_receipt(c.json())


def test_acknowledged_change_and_delete_survive_kill_9(server):
    c = server.post(URL, who="FRA/admin", json=poc_body())
    u = server.put(c.headers["Location"], who="FRA/admin", json=poc_body(role_title="Changed"),
                   headers={"If-Match": c.headers["ETag"]})
    assert u.status_code == 200
    d = server.post(URL, who="FRA/admin", json=poc_body())
    assert server.delete(d.headers["Location"], who="FRA/admin",
                         headers={"If-Match": d.headers["ETag"]}).status_code == 200
    _kill9(server)
    assert server.get(c.headers["Location"], who="FRA/admin").json() == without_receipt(u.json())
    assert_problem(server.get(d.headers["Location"], who="FRA/admin"), 404)


def test_concurrent_acknowledged_writes_survive_kill_9(server):
    """Writes committed together (group commit) are all there after a kill -9."""
    results, lock = [], threading.Lock()
    server.token("FRA/admin")
    server.token("DEU/admin")

    def work(who, state, n):
        for i in range(n):
            r = server.post("/api/v1/states/%s/pocs" % state, who=who,
                            json=poc_body(organisation="Burst %s %d" % (state, i),
                                          time_zone="Europe/Berlin"))
            with lock:
                results.append(r)

    threads = [threading.Thread(target=work, args=(w, s, 10))
               for w, s in (("FRA/admin", "FRA"), ("FRA/admin2", "FRA"), ("DEU/admin", "DEU"),
                            ("DEU/admin2", "DEU"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 40 and all(r.status_code == 201 for r in results), \
        [r.text for r in results if r.status_code != 201][:3]
    _kill9(server)
    for r in results:
        g = server.get(r.headers["Location"], who="JPN/officer")
        assert g.status_code == 200, g.text
        assert g.json()["organisation"] == r.json()["organisation"]
    ids = {p["id"] for p in state_pocs(server, "FRA")} | {p["id"] for p in state_pocs(server, "DEU")}
    assert {r.json()["id"] for r in results} <= ids


def test_kill_9_during_writes_leaves_a_consistent_database(server):
    """Kill while writes are in flight: every acknowledged one is there, none is half there,
    and the server starts and serves."""
    acked, stop = [], threading.Event()
    server.token("FRA/admin")

    def work():
        import requests
        i = 0
        while not stop.is_set():
            try:
                r = server.post(URL, who="FRA/admin",
                                json=poc_body(organisation="Inflight %d" % i))
            except requests.ConnectionError:
                return
            if r.status_code == 201:
                acked.append(without_receipt(r.json()))
            i += 1

    threads = [threading.Thread(target=work, daemon=True) for _ in range(3)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acked) < 15 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.proc.send_signal(signal.SIGKILL)
    stop.set()
    assert len(acked) >= 15, "the writers stalled"
    for t in threads:
        t.join()
    server.proc.wait()
    server.proc = None
    server.log.close()
    server._tokens = {}
    server.start()
    pocs = {p["id"]: p for p in state_pocs(server, "FRA", who="FRA/admin")}
    for a in acked:
        assert pocs.get(a["id"]) == a
    for p in pocs.values():
        h = server.get("/api/v1/pocs/%s/history" % p["id"], who="FRA/admin")
        assert h.status_code == 200 and h.json()["items"][-1]["revision"] == p["revision"]
