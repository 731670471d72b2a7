"""Recovery links (a state_admin resets another account of its state) and the Secretariat's
re-enrolment of a state's administrator: the notice reaches every account of the state and
mail goes to each of its PoCs, the event is in the record and its receipt verifies."""
import pytest
import requests

from conftest import assert_problem
from mail_helpers import mails, pocs_of
from pocd_helpers import account_id, clean_log  # noqa: F401
from test_log import log_verify
from test_receipts import receipt_of, verify_receipt

pytestmark = pytest.mark.usefixtures("clean_log")

NEW_PW = "a brand new passphrase 2026"


def _login(server, username, password, **extra):
    return requests.post(server.url + "/api/v1/login",
                         json=dict(username=username, password=password, **extra))


def _reset_link(server, who, target):
    return server.post("/api/v1/accounts/%s/reset" % account_id(server, target), who=who)


def _use(server, token, password=NEW_PW):
    return requests.post(server.url + "/api/v1/reset",
                         json={"token": token, "password": password})


def test_recovery_link_sets_a_new_password_once(server):
    officer = server.account("FRA/officer")
    old_session = server.token("FRA/officer")
    r = _reset_link(server, "FRA/admin", "FRA/officer")
    assert r.status_code == 201, r.text
    link = r.json()
    assert link["url"] == "/reset#" + link["token"] and len(link["token"]) == 43
    assert link["account"] == account_id(server, "FRA/officer")
    assert link["role"] == "officer" and link["state"] == "FRA"
    assert "no-store" in r.headers["Cache-Control"]
    # Issuing the link changes nothing yet: the old password still works.
    assert _login(server, officer["username"], officer["password"]).status_code == 200
    assert_problem(_use(server, link["token"], "short"), 400, "password")
    r = _use(server, link["token"])
    assert r.status_code == 200, r.text
    assert r.json()["username"] == officer["username"]
    # The old password and every session are gone; the new password works.
    assert_problem(_login(server, officer["username"], officer["password"]), 401)
    assert _login(server, officer["username"], NEW_PW).status_code == 200
    assert_problem(server.get("/api/v1/me", headers={"Authorization": "Bearer " + old_session}),
                   401)
    # Single use.
    assert_problem(_use(server, link["token"], NEW_PW + "!"), 410)
    assert _login(server, officer["username"], NEW_PW).status_code == 200


def test_recovery_removes_the_second_factor(server):
    db_id = account_id(server, "FRA/admin2")
    import sqlite3
    with sqlite3.connect(str(server.db)) as con:
        con.execute("UPDATE accounts SET totp_key = randomblob(20) WHERE id = ?", (db_id,))
    r = _reset_link(server, "FRA/admin", "FRA/admin2")
    assert r.status_code == 201, r.text
    assert _use(server, r.json()["token"]).status_code == 200
    with sqlite3.connect(str(server.db)) as con:
        row = con.execute("SELECT totp_key, totp_pending FROM accounts WHERE id = ?",
                          (db_id,)).fetchone()
    assert row == (None, None)
    c = server.account("FRA/admin2")
    assert _login(server, c["username"], NEW_PW).status_code == 200


def test_a_newer_link_spends_the_older_one(server):
    first = _reset_link(server, "FRA/admin", "FRA/officer").json()["token"]
    second = _reset_link(server, "FRA/admin", "FRA/officer").json()["token"]
    assert_problem(_use(server, first), 410)
    assert _use(server, second).status_code == 200


def test_who_may_issue_recovery_links(server):
    # not one's own account: that is /me/password
    assert_problem(_reset_link(server, "FRA/admin", "FRA/admin"), 409)
    # another state's account is not found
    assert_problem(_reset_link(server, "FRA/admin", "KEN/officer"), 404)
    assert_problem(server.post("/api/v1/accounts/nosuchaccount/reset", who="FRA/admin"), 404)
    # officers and the Secretariat do not
    assert_problem(_reset_link(server, "FRA/officer", "FRA/admin2"), 403)
    assert_problem(_reset_link(server, "secretariat", "FRA/officer"), 403)
    assert_problem(server.post("/api/v1/accounts/%s/reset" % account_id(server, "FRA/officer")),
                   401)
    r = server.post("/api/v1/accounts/%s/reset" % account_id(server, "FRA/officer"),
                    who="FRA/admin", json={"x": 1})
    assert_problem(r, 400)


def test_a_link_dies_with_its_issuer(server):
    token = _reset_link(server, "FRA/admin2", "FRA/officer").json()["token"]
    r = server.patch("/api/v1/accounts/" + account_id(server, "FRA/admin2"), who="FRA/admin",
                     json={"disabled": True})
    assert r.status_code == 200, r.text
    assert_problem(_use(server, token), 410)


def test_recovery_links_are_not_enrolments_and_back(server):
    token = _reset_link(server, "FRA/admin", "FRA/officer").json()["token"]
    r = requests.post(server.url + "/api/v1/enrol",
                      json={"token": token, "username": "fra-sneaky", "password": NEW_PW})
    assert_problem(r, 410)
    e = server.post("/api/v1/states/FRA/enrolments", who="FRA/admin",
                    json={"role": "officer"}).json()
    assert_problem(_use(server, e["token"]), 410)
    assert _use(server, token).status_code == 200


def test_unknown_links_are_throttled(server):
    statuses = [_use(server, "A" * 43).status_code for _ in range(12)]
    assert statuses[0] == 410
    assert 429 in statuses, statuses
    r = _use(server, "A" * 43)
    assert_problem(r, 429)
    assert int(r.headers["Retry-After"]) > 0
    assert_problem(requests.post(server.url + "/api/v1/reset", json={"token": "x"}), 400,
                   "password")


def test_reenrolment_tells_every_account_and_is_logged(server):
    before = {who: server.get("/api/v1/me/notices", who=who).json()["items"]
              for who in ("FRA/admin", "FRA/admin2", "FRA/officer")}
    assert all(v == [] for v in before.values()), before
    r = server.post("/api/v1/states/FRA/reenrol", who="secretariat")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["role"] == "state_admin" and doc["state"] == "FRA"
    assert doc["url"] == "/enrol#" + doc["token"]
    accounts = server.get("/api/v1/states/FRA/accounts", who="FRA/admin").json()["items"]
    assert doc["notices"] == len(accounts) >= 3
    # the notice reached every account of the state, and no other state's
    for who in ("FRA/admin", "FRA/admin2", "FRA/officer"):
        items = server.get("/api/v1/me/notices", who=who).json()["items"]
        assert len(items) == 1, items
        n = items[0]
        assert n["kind"] == "reenrolment" and n["details"]["state"] == "FRA"
        assert n["details"]["enrolment"] == doc["id"]
    assert server.get("/api/v1/me/notices", who="KEN/officer").json()["items"] == []
    # mail to each PoC of the state
    rows = [m for m in mails(server, "reenrolment")]
    assert sorted(m["poc"] for m in rows) == sorted(p["id"] for p in pocs_of(server, "FRA"))
    assert doc["mails"] == len(rows) > 0
    assert all(m["state"] == "FRA" and m["ref"] == doc["id"] for m in rows)
    # the event is in the record, as FRA's leaf, and the receipt verifies
    leaf, _, _ = verify_receipt(server, doc["receipt"], "FRA", "account.reenrolment", doc["id"])
    assert leaf["actor_role"] == "secretariat"
    rc = receipt_of(server, doc["event_id"], "FRA/admin")
    verify_receipt(server, rc, "FRA", "account.reenrolment", doc["id"])
    # the link works although FRA has administrators, and its use is logged too
    r = requests.post(server.url + "/api/v1/enrol",
                      json={"token": doc["token"], "username": "fra-new-admin",
                            "password": NEW_PW})
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "state_admin"
    assert _login(server, "fra-new-admin", NEW_PW).status_code == 200
    server.stop()
    v = log_verify(server)
    assert v.returncode == 0, v.stdout + v.stderr
    server.start()


def test_who_may_reenrol(server):
    assert_problem(server.post("/api/v1/states/FRA/reenrol", who="FRA/admin"), 403)
    assert_problem(server.post("/api/v1/states/FRA/reenrol", who="KEN/officer"), 403)
    assert_problem(server.post("/api/v1/states/FRA/reenrol"), 401)
    assert_problem(server.post("/api/v1/states/XXX/reenrol", who="secretariat"), 404)
    assert_problem(server.post("/api/v1/states/FRA/reenrol", who="secretariat", json={}), 400)
    assert server.get("/api/v1/me/notices", who="FRA/officer").json()["items"] == []
    assert mails(server, "reenrolment") == []
