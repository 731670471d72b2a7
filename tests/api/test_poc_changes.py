"""Two-person changes of a PoC's e-mail and OpenPGP key (issue 9, "Hijacking a state's
entry"): a change of either answers 202 and waits until a second state_admin of the state
confirms it, or, in a state with a single state_admin, until 24 hours have passed; the
state's other accounts are told meanwhile; every reader then sees when it changed."""
import json
import sqlite3
import time

import pytest
import requests

from comm_helpers import HOUR, advance, wait_for
from comm_helpers import clock_server  # noqa: F401 (fixture)
from conftest import assert_problem
from mail_helpers import mails, pocs_of
from pocd_helpers import account_id, clean_log, create_poc, etag_of, poc_body  # noqa: F401
from test_receipts import verify_receipt

pytestmark = pytest.mark.usefixtures("clean_log")

NEW_EMAIL = "hijack@evil.example"
NEW_FPR = "89ABCDEF0123456789ABCDEF0123456789ABCDEF"


def changes_path(pid, cid=None, action=None):
    p = "/api/v1/pocs/%s/changes" % pid
    if cid is not None:
        p += "/" + cid
    if action is not None:
        p += "/" + action
    return p


def propose(server, who="FRA/admin", **fields):
    """Creates a FRA PoC, then PUTs it with fields changed; returns (poc id, the 202 body)."""
    r = create_poc(server)
    pid = r.json()["id"]
    r = server.put("/api/v1/pocs/" + pid, who=who, headers={"If-Match": etag_of(r)},
                   json=poc_body(**fields))
    assert r.status_code == 202, r.text
    doc = r.json()
    ch = doc["pending_change"]
    assert r.headers["Location"] == changes_path(pid, ch["id"]), r.headers
    return pid, doc


def directory_entry(server, pid, who="DEU/admin"):
    items = server.get("/api/v1/states/FRA/pocs", who=who).json()["items"]
    return next(p for p in items if p["id"] == pid)


def test_an_email_change_waits_for_a_second_admin(server):
    pid, doc = propose(server, email=NEW_EMAIL, role_title="Day duty officer")
    ch = doc["pending_change"]
    # The other field took effect at once, as its own revision with its receipt.
    assert doc["role_title"] == "Day duty officer" and doc["revision"] == 2, doc
    assert doc["email"] == poc_body()["email"], doc
    verify_receipt(server, doc["receipt"], "FRA", "poc.changed", pid)
    assert ch["fields"] == {"email": NEW_EMAIL}, ch
    assert ch["status"] == "pending" and ch["awaiting"] == "confirmation", ch
    assert ch["effective_at"] is None, ch
    assert ch["proposed_by"] == account_id(server, "FRA/admin"), ch
    # Nothing changed for anyone before the confirmation: the entry, the directory, the
    # address mail goes to.
    old = poc_body()["email"]
    assert server.get("/api/v1/pocs/" + pid, who="FRA/admin").json()["email"] == old
    entry = directory_entry(server, pid)
    assert entry["email"] == old and "changed" not in entry, entry
    assert next(p for p in pocs_of(server, "FRA") if p["id"] == pid)["email"] == old
    # The state's accounts see it waiting; nobody else is told it exists.
    for who in ("FRA/admin", "FRA/admin2", "FRA/officer"):
        r = server.get(changes_path(pid), who=who)
        assert r.status_code == 200, r.text
        assert [c["id"] for c in r.json()["items"]] == [ch["id"]], r.text
        me = server.get("/api/v1/me", who=who).json()
        assert ch["id"] in [c["id"] for c in me["pending_changes"]], me
    for who in ("DEU/admin", "secretariat"):
        assert_problem(server.get(changes_path(pid), who=who), 404)
    assert "pending_changes" not in server.get("/api/v1/me", who="secretariat").json()

    # Who may not confirm: the proposer, an officer, another state, a wrong id.
    assert_problem(server.post(changes_path(pid, ch["id"], "confirm"), who="FRA/admin"), 403)
    assert_problem(server.post(changes_path(pid, ch["id"], "confirm"), who="FRA/officer"), 403)
    assert_problem(server.post(changes_path(pid, ch["id"], "confirm"), who="DEU/admin"), 404)
    assert_problem(server.post(changes_path(pid, ch["id"], "confirm"), who="secretariat"), 404)
    assert_problem(server.post(changes_path(pid, "0" * 26, "confirm"), who="FRA/admin2"), 404)
    assert_problem(server.post(changes_path(pid, "nope", "confirm"), who="FRA/admin2"), 404)
    other = create_poc(server).json()["id"]
    assert_problem(server.post(changes_path(other, ch["id"], "confirm"), who="FRA/admin2"), 404)
    assert server.get("/api/v1/pocs/" + pid, who="FRA/admin").json()["email"] == old

    # A second administrator confirms: a new revision, logged as the change.
    r = server.post(changes_path(pid, ch["id"], "confirm"), who="FRA/admin2")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["email"] == NEW_EMAIL and got["revision"] == 3, got
    assert got["applied_change"]["status"] == "applied", got
    assert got["applied_change"]["decided_by"] == account_id(server, "FRA/admin2"), got
    assert "receipt" in got, sorted(got)
    leaf, _, _ = verify_receipt(server, got["receipt"], "FRA", "poc.change_applied", pid)
    assert leaf["actor_role"] == "state_admin", leaf
    assert "email" in got["changed"], got
    hist = server.get("/api/v1/pocs/%s/history" % pid, who="FRA/admin").json()["items"]
    assert [h["op"] for h in hist] == ["created", "changed", "change_applied"], hist
    assert hist[-1]["poc"]["email"] == NEW_EMAIL
    # Every reader of the directory now sees the new address and when it changed; the
    # cached listing was dropped.
    entry = directory_entry(server, pid)
    assert entry["email"] == NEW_EMAIL and entry["changed"]["email"] == got["updated_at"], entry
    assert "key" not in entry["changed"], entry
    assert next(p for p in pocs_of(server, "FRA") if p["id"] == pid)["email"] == NEW_EMAIL
    # Decided once only.
    assert_problem(server.post(changes_path(pid, ch["id"], "confirm"), who="FRA/admin2"), 409)
    assert_problem(server.delete(changes_path(pid, ch["id"]), who="FRA/admin"), 409)
    assert server.get("/api/v1/me", who="FRA/officer").json()["pending_changes"] == []


def test_a_key_change_by_put_waits_too(server):
    pid, doc = propose(server, pgp_fingerprint=NEW_FPR)
    ch = doc["pending_change"]
    assert ch["fields"] == {"pgp_fingerprint": NEW_FPR} and ch["with_key"] is False, ch
    assert doc["pgp_fingerprint"] == poc_body()["pgp_fingerprint"], doc
    r = server.post(changes_path(pid, ch["id"], "confirm"), who="FRA/admin2")
    assert r.status_code == 200, r.text
    assert r.json()["pgp_fingerprint"] == NEW_FPR and "key" in r.json()["changed"], r.text
    # Removing the fingerprint is a key change as well.
    r = server.put("/api/v1/pocs/" + pid, who="FRA/admin2", headers={"If-Match": etag_of(r)},
                   json=poc_body(pgp_fingerprint=None, email=NEW_EMAIL))
    assert r.status_code == 202, r.text
    assert r.json()["pending_change"]["fields"] == {"email": NEW_EMAIL,
                                                    "pgp_fingerprint": None}, r.text
    assert r.json()["pgp_fingerprint"] == NEW_FPR, r.text


def test_a_change_with_nothing_else_still_answers_202(server):
    r = create_poc(server)
    pid = r.json()["id"]
    r = server.put("/api/v1/pocs/" + pid, who="FRA/admin", headers={"If-Match": etag_of(r)},
                   json=poc_body(email=NEW_EMAIL))
    assert r.status_code == 202, r.text
    # The same body again: the e-mail still differs from the entry's, so a new proposal that
    # replaces the first.
    first = r.json()["pending_change"]["id"]
    r = server.put("/api/v1/pocs/" + pid, who="FRA/admin", headers={"If-Match": etag_of(r)},
                   json=poc_body(email="other@cert-fr.example"))
    assert r.status_code == 202, r.text
    items = server.get(changes_path(pid), who="FRA/admin").json()["items"]
    by_id = {c["id"]: c for c in items}
    assert by_id[first]["status"] == "replaced", items
    assert by_id[r.json()["pending_change"]["id"]]["status"] == "pending", items
    # A pending key change is not replaced by a newer e-mail change.
    r = server.put("/api/v1/pocs/" + pid, who="FRA/admin", headers={"If-Match": etag_of(r)},
                   json=poc_body(pgp_fingerprint=NEW_FPR))
    key_change = r.json()["pending_change"]["id"]
    r = server.put("/api/v1/pocs/" + pid, who="FRA/admin", headers={"If-Match": etag_of(r)},
                   json=poc_body(email="third@cert-fr.example"))
    statuses = {c["id"]: c["status"] for c in
                server.get(changes_path(pid), who="FRA/admin").json()["items"]}
    assert statuses[key_change] == "pending", statuses
    assert list(statuses.values()).count("pending") == 2, statuses
    # An unchanged e-mail and key: an ordinary 200.
    r = server.put("/api/v1/pocs/" + pid, who="FRA/admin", headers={"If-Match": etag_of(r)},
                   json=poc_body(role_title="Chief"))
    assert r.status_code == 200 and "pending_change" not in r.json(), r.text


def test_cancelling_a_change(server):
    pid, doc = propose(server, email=NEW_EMAIL)
    cid = doc["pending_change"]["id"]
    assert_problem(server.delete(changes_path(pid, cid), who="FRA/officer"), 403)
    assert_problem(server.delete(changes_path(pid, cid), who="DEU/admin"), 404)
    assert_problem(server.delete(changes_path(pid, "0" * 26), who="FRA/admin"), 404)
    assert_problem(server.delete(changes_path(pid, cid), who="FRA/admin", data="x"), 400)
    # The proposer may withdraw their own proposal.
    r = server.delete(changes_path(pid, cid), who="FRA/admin")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled", r.text
    verify_receipt(server, r.json()["receipt"], "FRA", "poc.change_cancelled", pid)
    assert_problem(server.post(changes_path(pid, cid, "confirm"), who="FRA/admin2"), 409)
    assert server.get("/api/v1/pocs/" + pid, who="FRA/admin").json()["email"] != NEW_EMAIL
    # Removing the entry cancels what waited for it.
    pid, doc = propose(server, email=NEW_EMAIL)
    cid = doc["pending_change"]["id"]
    r = server.get("/api/v1/pocs/" + pid, who="FRA/admin")
    assert server.delete("/api/v1/pocs/" + pid, who="FRA/admin",
                         headers={"If-Match": etag_of(r)}).status_code == 200
    assert_problem(server.post(changes_path(pid, cid, "confirm"), who="FRA/admin2"), 404)


def test_the_state_is_told_by_mail(server):
    pid, doc = propose(server, email=NEW_EMAIL)
    rows = [m for m in mails(server, "poc_change") if m["ref"] == doc["pending_change"]["id"]]
    told = {m["poc"] for m in rows}
    # The PoC itself at its current address, and the PoCs that the state's other accounts
    # (admin2 and the officer) act for; not those only the proposer acts for.
    assert pid in told, rows
    fra = {p["id"]: p for p in server.get("/api/v1/states/FRA/pocs",
                                            who="FRA/admin").json()["items"]}
    others = {account_id(server, "FRA/admin2"), account_id(server, "FRA/officer")}
    expected = {i for i, p in fra.items() if others & set(p.get("accounts", []))} | {pid}
    assert told == expected, (told, expected)
    assert all(m["payload"]["changes"] == "change_email" for m in rows), rows
    assert all("effective_at" not in m["payload"] for m in rows), rows
    assert all(NEW_EMAIL not in str(m["payload"]) for m in rows), rows


def test_a_single_admin_state_waits_24_hours(clock_server):
    s = clock_server
    admin2 = account_id(s, "FRA/admin2")
    r = s.patch("/api/v1/accounts/" + admin2, who="FRA/admin", json={"disabled": True})
    assert r.status_code == 200, r.text
    # A co-admin disabled within the last day still counts (see
    # test_disabling_the_co_admins_first_does_not_skip_the_confirmation).
    advance(s, 24 * HOUR + 1)
    start = advance(s, 0)
    pid, doc = propose(s, email=NEW_EMAIL)
    ch = doc["pending_change"]
    assert ch["awaiting"] == "delay", ch
    from comm_helpers import parse_time
    assert parse_time(ch["effective_at"]) - start in range(24 * HOUR, 24 * HOUR + 60), ch
    # Its other accounts are told: in the app and by mail, with the time it takes effect.
    me = s.get("/api/v1/me", who="FRA/officer").json()
    assert [c["id"] for c in me["pending_changes"]] == [ch["id"]], me
    rows = [m for m in mails(s, "poc_change") if m["ref"] == ch["id"]]
    assert rows and all(m["payload"]["effective_at"] == ch["effective_at"] for m in rows), rows
    # Nobody can confirm meanwhile; the proposer still cannot.
    assert_problem(s.post(changes_path(pid, ch["id"], "confirm"), who="FRA/admin"), 403)
    advance(s, 23 * HOUR)
    assert s.get("/api/v1/pocs/" + pid, who="DEU/admin").json()["email"] != NEW_EMAIL
    advance(s, HOUR + 1)
    got = wait_for(lambda: directory_entry(s, pid), lambda e: e["email"] == NEW_EMAIL)
    assert "email" in got["changed"], got
    items = s.get(changes_path(pid), who="FRA/officer").json()["items"]
    assert items[0]["status"] == "applied" and "decided_by" not in items[0], items
    hist = s.get("/api/v1/pocs/%s/history" % pid, who="FRA/admin").json()["items"]
    assert hist[-1]["op"] == "change_applied", hist


def test_a_disabled_proposer_s_change_does_not_apply(clock_server):
    s = clock_server
    pid, doc = propose(s, email=NEW_EMAIL, who="FRA/admin2")
    cid = doc["pending_change"]["id"]
    assert doc["pending_change"]["awaiting"] == "confirmation"
    # With admin2 gone, FRA has one admin left, but the change keeps waiting for a person.
    r = s.patch("/api/v1/accounts/" + account_id(s, "FRA/admin2"), who="FRA/admin",
                json={"disabled": True})
    assert r.status_code == 200, r.text
    advance(s, 25 * HOUR)
    assert s.get(changes_path(pid), who="FRA/admin").json()["items"][0]["status"] == "pending"
    # The remaining admin is not its proposer, so may confirm it, or cancel it.
    r = s.delete(changes_path(pid, cid), who="FRA/admin")
    assert r.status_code == 200, r.text


def test_poc_pocs_edit_says_the_change_waits(server, tmp_path):
    """The command line edits an entry read back from the server (its server fields, `stale`
    and `changed` included, left out of the PUT) and says when the e-mail waits."""
    from test_verify_cli import poc

    pid, doc = propose(server, email=NEW_EMAIL)
    r = server.post(changes_path(pid, doc["pending_change"]["id"], "confirm"), who="FRA/admin2")
    assert r.status_code == 200 and "changed" in r.json(), r.text
    r = poc(tmp_path, "pocs", "edit", pid, "--set", "role_title=Edited by poc", server=server,
            who="FRA/admin")
    assert r.returncode == 0, r.stderr
    assert "waits" not in r.stdout, r.stdout
    r = poc(tmp_path, "pocs", "edit", pid, "--set", "email=cli@cert-fr.example",
            server=server, who="FRA/admin")
    assert r.returncode == 0, r.stderr
    assert "waits for a second state_admin" in r.stdout, r.stdout
    cur = server.get("/api/v1/pocs/" + pid, who="FRA/admin").json()
    assert cur["role_title"] == "Edited by poc" and cur["email"] == NEW_EMAIL, cur


NEW_PW = "a brand new passphrase 2026"


def _login_as(server, username, password):
    r = requests.post(server.url + "/api/v1/login",
                      json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["token"]}


def test_a_newly_enrolled_admin_cannot_confirm(server):
    """One admin enrolling a second admin of its own is still one person."""
    pid, doc = propose(server, email=NEW_EMAIL)
    cid = doc["pending_change"]["id"]
    e = server.post("/api/v1/states/FRA/enrolments", who="FRA/admin",
                    json={"role": "state_admin"})
    assert e.status_code == 201, e.text
    r = requests.post(server.url + "/api/v1/enrol",
                      json={"token": e.json()["token"], "username": "fra-puppet",
                            "password": NEW_PW})
    assert r.status_code == 201, r.text
    puppet = _login_as(server, "fra-puppet", NEW_PW)
    r = requests.post(server.url + changes_path(pid, cid, "confirm"), headers=puppet)
    assert_problem(r, 403)
    assert "existed" in r.json()["detail"], r.text
    assert server.get("/api/v1/pocs/" + pid, who="DEU/admin").json()["email"] != NEW_EMAIL
    # The admin who was there when it was proposed still can.
    r = server.post(changes_path(pid, cid, "confirm"), who="FRA/admin2")
    assert r.status_code == 200, r.text


def test_a_co_admin_taken_over_by_a_recovery_link_cannot_confirm(server):
    pid, doc = propose(server, email=NEW_EMAIL)
    cid = doc["pending_change"]["id"]
    link = server.post("/api/v1/accounts/%s/reset" % account_id(server, "FRA/admin2"),
                       who="FRA/admin")
    assert link.status_code == 201, link.text
    r = requests.post(server.url + "/api/v1/reset",
                      json={"token": link.json()["token"], "password": NEW_PW})
    assert r.status_code == 200, r.text
    taken = _login_as(server, server.account("FRA/admin2")["username"], NEW_PW)
    assert_problem(requests.post(server.url + changes_path(pid, cid, "confirm"),
                                 headers=taken), 403)
    items = server.get(changes_path(pid), who="FRA/admin").json()["items"]
    assert items[0]["status"] == "pending", items


def test_disabling_the_co_admins_first_does_not_skip_the_confirmation(clock_server):
    s = clock_server
    r = s.patch("/api/v1/accounts/" + account_id(s, "FRA/admin2"), who="FRA/admin",
                json={"disabled": True})
    assert r.status_code == 200, r.text
    advance(s, 23 * HOUR)
    pid, doc = propose(s, email=NEW_EMAIL)
    ch = doc["pending_change"]
    # Not the 24 h path: a confirmation, which nobody but a real second admin can give.
    assert ch["awaiting"] == "confirmation" and ch["effective_at"] is None, ch
    advance(s, 48 * HOUR)
    time.sleep(0.3)
    assert s.get("/api/v1/pocs/" + pid, who="DEU/admin").json()["email"] != NEW_EMAIL
    assert s.get(changes_path(pid), who="FRA/admin").json()["items"][0]["status"] == "pending"


def test_delete_and_recreate_is_loud(server):
    """Removing an entry and creating one with the new address takes effect at once, by
    design, but not quietly: counterparts see the old entry gone and the new one made just
    now (no "changed" history to vouch for it), and both steps are leaves of the state's
    log."""
    from test_log import checkpoint, leaves
    r = create_poc(server)
    old = r.json()["id"]
    first, _ = checkpoint(server)
    d = server.delete("/api/v1/pocs/" + old, who="FRA/admin", headers={"If-Match": etag_of(r)})
    assert d.status_code in (200, 204), d.text
    r = create_poc(server, email=NEW_EMAIL)
    new = r.json()["id"]
    entry = directory_entry(server, new)
    assert entry["email"] == NEW_EMAIL and entry["created_at"] == r.json()["created_at"]
    assert entry["revision"] == 1, entry
    assert all(p["id"] != old for p in server.get("/api/v1/states/FRA/pocs",
                                                  who="DEU/admin").json()["items"])
    second, _ = checkpoint(server)
    got = [json.loads(i["leaf"]) for i in leaves(server, "FRA/admin", first, second)
           if "leaf" in i]
    assert ("poc.removed", old) in [(g["event"], g["object"]) for g in got], got
    assert ("poc.created", new) in [(g["event"], g["object"]) for g in got], got


def test_one_change_that_cannot_apply_does_not_hold_up_the_others(clock_server):
    s = clock_server
    r = s.patch("/api/v1/accounts/" + account_id(s, "FRA/admin2"), who="FRA/admin",
                json={"disabled": True})
    assert r.status_code == 200, r.text
    advance(s, 24 * HOUR + 1)
    bad, bad_doc = propose(s, email=NEW_EMAIL)
    advance(s, 60)
    good, good_doc = propose(s, email="good@example.org")
    # The first entry's update fails in the store (a trigger stands in for any such fault).
    with sqlite3.connect(str(s.db)) as con:
        con.execute("CREATE TRIGGER harden_fail BEFORE UPDATE ON pocs WHEN OLD.id = '%s'"
                    " BEGIN SELECT RAISE(ABORT, 'injected'); END" % bad)
    advance(s, 25 * HOUR)
    got = wait_for(lambda: directory_entry(s, good),
                   lambda e: e["email"] == "good@example.org")
    assert "email" in got["changed"], got
    items = wait_for(lambda: s.get(changes_path(bad), who="FRA/admin").json()["items"],
                     lambda i: i[0]["status"] != "pending")
    assert items[0]["status"] == "cancelled", items
    with sqlite3.connect(str(s.db)) as con:
        con.execute("DROP TRIGGER harden_fail")
