"""Recovery links (a state_admin resets another account of its state) and the Secretariat's
re-enrolment of a state's administrator: the notice reaches every account of the state and
mail goes to each of its PoCs, the event is in the record and its receipt verifies."""
import re
import subprocess

import pytest
import requests

from conftest import POCD, assert_problem
from mail_helpers import mails, pocs_of
from pocd_helpers import account_id, clean_log  # noqa: F401
from test_log import log_verify
from test_receipts import receipt_of, verify_receipt
from comm_helpers import HOUR, advance
from comm_helpers import clock_server  # noqa: F401 (fixture)

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
    # the link does not work yet: FRA's administrators have a day to cancel it
    r = requests.post(server.url + "/api/v1/enrol",
                      json={"token": doc["token"], "username": "fra-new-admin",
                            "password": NEW_PW})
    assert_problem(r, 403)
    assert "a day after its issue" in r.json()["detail"], r.text
    assert _login(server, "fra-new-admin", NEW_PW).status_code == 401
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


def _enrol(server, token, username="fra-new-admin"):
    return requests.post(server.url + "/api/v1/enrol",
                         json={"token": token, "username": username, "password": NEW_PW})


def test_a_reenrolment_link_works_after_a_day_and_its_use_is_logged(clock_server):
    s = clock_server
    doc = s.post("/api/v1/states/FRA/reenrol", who="secretariat").json()
    advance(s, 23 * HOUR)
    assert_problem(_enrol(s, doc["token"]), 403)
    advance(s, HOUR + 1)
    r = _enrol(s, doc["token"])
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "state_admin"
    assert _login(s, "fra-new-admin", NEW_PW).status_code == 200


def test_an_expired_reenrolment_is_no_longer_pending(clock_server):
    s = clock_server
    doc = s.post("/api/v1/states/FRA/reenrol", who="secretariat").json()
    advance(s, 24 * HOUR)
    items = s.get("/api/v1/me/notices", who="FRA/officer").json()["items"]
    assert [n["pending"] for n in items] == [True], items
    advance(s, 30 * 24 * HOUR)
    items = s.get("/api/v1/me/notices", who="FRA/officer").json()["items"]
    assert [n["pending"] for n in items] == [False], items
    assert_problem(_enrol(s, doc["token"]), 410)


def test_any_admin_of_the_state_cancels_a_reenrolment(clock_server):
    s = clock_server
    doc = s.post("/api/v1/states/FRA/reenrol", who="secretariat").json()
    path = "/api/v1/states/FRA/reenrol/" + doc["id"]

    def pending():
        items = s.get("/api/v1/me/notices", who="FRA/admin").json()["items"]
        return [n.get("pending") for n in items if n["details"].get("enrolment") == doc["id"]]
    assert pending() == [True]
    assert_problem(s.delete(path, who="FRA/officer"), 403)
    assert_problem(s.delete(path, who="DEU/admin"), 404)
    assert_problem(s.delete(path, who="secretariat"), 403)
    assert_problem(s.delete("/api/v1/states/FRA/reenrol/" + "0" * 26, who="FRA/admin2"), 404)
    r = s.delete(path, who="FRA/admin2")
    assert r.status_code == 204, r.text
    assert pending() == [False]
    assert_problem(s.delete(path, who="FRA/admin"), 404)
    advance(s, 25 * HOUR)
    assert_problem(_enrol(s, doc["token"]), 410)
    # the cancellation is in FRA's record
    from test_log import checkpoint, leaves
    import json
    size, _ = checkpoint(s)
    got = [json.loads(i["leaf"]) for i in leaves(s, "FRA/admin", 0, size) if "leaf" in i]
    assert ("account.reenrolment_cancelled", doc["id"]) in [(g["event"], g["object"])
                                                            for g in got]


def test_a_recovery_link_tells_the_account_its_admins_and_its_pocs(server):
    from pocd_helpers import create_poc
    target = account_id(server, "FRA/admin2")
    create_poc(server, accounts=[target])
    link = _reset_link(server, "FRA/admin", "FRA/admin2").json()
    for who in ("FRA/admin", "FRA/admin2"):
        items = server.get("/api/v1/me/notices", who=who).json()["items"]
        assert [n["kind"] for n in items] == ["recovery_link"], items
        d = items[0]["details"]
        assert d["account"] == target and d["link"] == link["id"], d
        assert d["issued_by"] == account_id(server, "FRA/admin"), d
    # an officer is not an administrator: only told of its own recovery
    assert server.get("/api/v1/me/notices", who="FRA/officer").json()["items"] == []
    acts_for = sorted(p["id"] for p in server.get("/api/v1/states/FRA/pocs",
                                                   who="FRA/admin").json()["items"]
                      if target in p.get("accounts", []))
    rows = mails(server, "recovery_link")
    assert acts_for and sorted(m["poc"] for m in rows) == acts_for, rows
    assert all(m["ref"] == link["id"] for m in rows), rows
    assert _use(server, link["token"]).status_code == 200
    items = server.get("/api/v1/me/notices", who="FRA/admin").json()["items"]
    assert sorted(n["kind"] for n in items) == ["recovered", "recovery_link"], items
    used = next(n for n in items if n["kind"] == "recovered")
    assert used["details"]["used"].endswith("Z"), items
    assert sorted(m["poc"] for m in mails(server, "recovered")) == acts_for


def test_a_malformed_notice_hides_only_itself(server):
    import sqlite3
    server.post("/api/v1/states/FRA/reenrol", who="secretariat")
    with sqlite3.connect(str(server.db)) as con:
        # the newest, so that it comes first
        con.execute("INSERT INTO notices VALUES ('zzzzzzzzzzzzzzzzzzzzzzzzzz', ?, 'reenrolment',"
                    " 4102444800, 'not json')", (account_id(server, "FRA/officer"),))
    r = server.get("/api/v1/me/notices", who="FRA/officer")
    assert r.status_code == 200, r.text
    assert [n["kind"] for n in r.json()["items"]] == ["reenrolment"], r.text


def _more_secretariat_accounts(server, *names):
    """Secretariat accounts beside the one `pocd init` makes, added by `pocd secretariat add`
    while the server runs: {name: (id, password)}."""
    out = {}
    for name in names:
        r = subprocess.run([POCD, "secretariat", "add", "--db", str(server.db), "--username",
                            name], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        m = re.match(r"Secretariat login: (\S+) / (\S+)\n", r.stdout)
        assert m and m.group(1) == name, r.stdout
        out[name] = (account_id_by_login(server, name, m.group(2)), m.group(2))
    return out


def account_id_by_login(server, name, password):
    token = server.login(name, password)
    r = server.get("/api/v1/me", headers={"Authorization": "Bearer " + token})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def test_secretariat_add_refuses_a_taken_or_bad_username(server):
    _more_secretariat_accounts(server, "secretariat-b")
    for name, why in (("secretariat-b", "taken"), ("X", "3 to 64")):
        r = subprocess.run([POCD, "secretariat", "add", "--db", str(server.db), "--username",
                            name], capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and why in r.stderr, (r.returncode, r.stderr)


def test_the_secretariat_recovers_another_secretariat_account(server):
    more = _more_secretariat_accounts(server, "secretariat-b", "secretariat-c")
    ids = {n: v[0] for n, v in more.items()}
    tok = {n: server.login(n, v[1]) for n, v in more.items()}
    first = account_id(server, "secretariat")
    r = server.post("/api/v1/accounts/%s/reset" % ids["secretariat-b"], who="secretariat")
    assert r.status_code == 201, r.text
    link = r.json()
    assert link["account"] == ids["secretariat-b"] and link["role"] == "secretariat", link
    assert "state" not in link, link

    def notices(token):
        r = server.get("/api/v1/me/notices", headers={"Authorization": "Bearer " + token})
        assert r.status_code == 200, r.text
        return r.json()["items"]
    # The target and every other Secretariat account are told; no state is, and no PoC mailed.
    for items in (notices(tok["secretariat-b"]), notices(tok["secretariat-c"]),
                  server.get("/api/v1/me/notices", who="secretariat").json()["items"]):
        assert [n["kind"] for n in items] == ["recovery_link"], items
        d = items[0]["details"]
        assert d["account"] == ids["secretariat-b"] and d["issued_by"] == first, d
    assert server.get("/api/v1/me/notices", who="FRA/admin").json()["items"] == []
    assert mails(server, "recovery_link") == []
    r = _use(server, link["token"])
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "secretariat" and r.json()["username"] == "secretariat-b"
    assert_problem(_login(server, "secretariat-b", more["secretariat-b"][1]), 401)
    assert _login(server, "secretariat-b", NEW_PW).status_code == 200
    assert_problem(server.get("/api/v1/me", headers={"Authorization": "Bearer " +
                                                      tok["secretariat-b"]}), 401)
    assert sorted(n["kind"] for n in notices(tok["secretariat-c"])) == [
        "recovered", "recovery_link"]
    assert mails(server, "recovered") == []
    # A link whose issuer was disabled meanwhile no longer works.
    link = server.post("/api/v1/accounts/%s/reset" % ids["secretariat-c"],
                       headers={"Authorization": "Bearer " +
                                server.login("secretariat-b", NEW_PW)}).json()
    import sqlite3
    with sqlite3.connect(str(server.db)) as con:
        con.execute("UPDATE accounts SET disabled = 1 WHERE id = ?", (ids["secretariat-b"],))
    assert_problem(_use(server, link["token"]), 410)


def test_who_may_recover_a_secretariat_account(server):
    ids = {n: v[0] for n, v in _more_secretariat_accounts(server, "secretariat-b").items()}
    first = account_id(server, "secretariat")
    # Not one's own; not a state's account; a state's administrator is not told it exists.
    assert_problem(server.post("/api/v1/accounts/%s/reset" % first, who="secretariat"), 409)
    assert_problem(_reset_link(server, "secretariat", "FRA/officer"), 403)
    assert_problem(_reset_link(server, "secretariat", "FRA/admin"), 403)
    for who in ("FRA/admin", "KEN/admin"):
        for target in (first, ids["secretariat-b"]):
            assert_problem(server.post("/api/v1/accounts/%s/reset" % target, who=who), 404)
    assert_problem(server.post("/api/v1/accounts/%s/reset" % first, who="FRA/officer"), 403)
    assert_problem(server.post("/api/v1/accounts/%s/reset" % ("0" * 26), who="secretariat"),
                   404)
    assert mails(server) == [] or all(m["kind"] != "recovery_link" for m in mails(server))
