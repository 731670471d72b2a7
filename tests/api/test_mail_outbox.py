"""The outbox rows events write for the mail sender, in the event's own transaction: one per
recipient PoC in its first UN language; and the one-time acknowledgement links a new
communication's mail carries, which work once without a login and then 410 like any
unknown token."""
import base64
import hashlib
import os

from conftest import assert_problem
from comm_helpers import DAY, HOUR, ack, advance, reply, send, show, steps, to, wait_for
from comm_helpers import clock_server  # noqa: F401 (fixture)
from mail_helpers import ack_link, link_token, mails, pocs_of
from ping_helpers import campaign, db_rows


def _dead(r):
    assert_problem(r, 410)
    return (r.status_code, r.headers["Content-Type"], r.content)


def _random_token():
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


def test_new_communication_mails_each_addressed_poc_in_its_language(clock_server):
    s = clock_server
    c = send(s, to=to("DEU", "RUS") + [{"state": "EGY", "kinds": ["technical", "diplomatic"]}])
    rows = mails(s, "comm_new")
    want = {p["id"] for p in pocs_of(s, "DEU", "technical", "primary")}
    want |= {p["id"] for p in pocs_of(s, "RUS", "technical", "primary")}
    want |= {p["id"] for p in pocs_of(s, "EGY", "technical", "primary")}
    want |= {p["id"] for p in pocs_of(s, "EGY", "diplomatic", "primary")}
    assert {r["poc"] for r in rows} == want and len(rows) == len(want)
    langs = {r["state"]: r["lang"] for r in rows}
    # DEU reads German and English: English; RUS Russian; EGY Arabic.
    assert langs == {"DEU": "en", "RUS": "ru", "EGY": "ar"}
    for r in rows:
        assert r["ref"] == c["id"] and r["payload"]["comm"] == c["id"]
        assert r["payload"]["urgency"] == "urgent"
        # No content of the communication travels in the outbox.
        text = str(r["payload"])
        assert "Wiper" not in text and "198.51.100.7" not in text
    tokens = [link_token(r) for r in rows]
    assert len(set(tokens)) == len(tokens)
    # Only hashes are stored for the links.
    stored = {bytes(h[0]) for h in db_rows(s, "SELECT token_hash FROM ack_links")}
    assert {hashlib.sha256(t.encode()).digest() for t in tokens} <= stored
    for t in tokens:
        assert not db_rows(s, "SELECT 1 FROM ack_links WHERE CAST(token_hash AS TEXT) = ?", t)


def test_ack_link_works_once_then_410_like_an_unknown_token(clock_server):
    s = clock_server
    c = send(s, to=to("DEU"))
    (row,) = mails(s, "comm_new")
    tok = link_token(row)
    unknown = _dead(ack_link(s, _random_token()))
    r = ack_link(s, tok)
    assert r.status_code == 200, r.text
    assert r.json() == {"communication": c["id"], "state": "DEU", "status": "acknowledged"}
    assert r.headers["Cache-Control"] == "no-store"
    doc = show(s, c["id"], "FRA/officer")
    (st,) = steps(doc, "DEU", "acknowledged")
    assert st.get("actor_account") in (None, "")
    assert doc["recipients"][0]["status"] == "acknowledged"
    assert _dead(ack_link(s, tok)) == unknown
    assert _dead(ack_link(s)) == unknown
    assert _dead(ack_link(s, "")) == unknown
    # A logged-in caller is no different.
    assert _dead(s.post("/api/v1/ack", who="DEU/officer",
                        json={"token": tok})) == unknown
    # The sender's PoCs hear of the acknowledgement: FRA/officer acts for FRA's technical PoC.
    (m,) = mails(s, "comm_acknowledged")
    assert m["state"] == "FRA" and m["lang"] == "fr" and m["payload"]["comm"] == c["id"]
    assert m["poc"] in {p["id"] for p in pocs_of(s, "FRA", "technical", "primary")}


def test_ack_link_refuses_malformed_bodies(clock_server):
    s = clock_server
    assert_problem(ack_link(s, "x" * 44), 400, "token")
    assert_problem(ack_link(s, 12), 400, "token")
    assert_problem(ack_link(s, _random_token(), extra=1), 400, "extra")


def test_acknowledging_in_the_app_or_closing_spends_the_links(clock_server):
    s = clock_server
    c = send(s, to=to("DEU", "RUS"))
    toks = {r["state"]: link_token(r) for r in mails(s, "comm_new")}
    assert ack(s, c["id"], "DEU/officer").status_code == 200
    unknown = _dead(ack_link(s, _random_token()))
    assert _dead(ack_link(s, toks["DEU"])) == unknown
    assert s.post("/api/v1/communications/%s/close" % c["id"], who="FRA/officer",
                  json={}).status_code == 200
    assert _dead(ack_link(s, toks["RUS"])) == unknown
    assert not db_rows(s, "SELECT 1 FROM ack_links WHERE comm_id = ?", c["id"])


def test_ack_link_expires_at_the_answer_deadline(clock_server):
    s = clock_server
    send(s, to=to("DEU"))
    (row,) = mails(s, "comm_new")
    advance(s, DAY + 60)  # urgent: answer within a day
    assert _dead(ack_link(s, link_token(row))) == _dead(ack_link(s, _random_token()))


def test_answer_mails_the_sender_once(clock_server):
    s = clock_server
    c = send(s, to=to("DEU"))
    assert reply(s, c["id"], "DEU/officer").status_code == 201
    assert [m["payload"]["comm"] for m in mails(s, "comm_answered")] == [c["id"]]
    # Answering acknowledges too, but the sender hears of the answer alone.
    assert mails(s, "comm_acknowledged") == []


def test_escalation_and_overdue_mail_the_next_pocs(clock_server):
    s = clock_server
    c = send(s, to=to("DEU"))
    advance(s, 2 * HOUR + 1)
    rows = wait_for(lambda: mails(s, "comm_escalated"), lambda r: len(r) >= 1)
    alt = {p["id"] for p in pocs_of(s, "DEU", "technical", "alternate")}
    assert {r["poc"] for r in rows} == alt
    assert rows[0]["payload"]["escalation"] == "alternate_technical"
    # The alternate's own link acknowledges.
    r = ack_link(s, link_token(rows[0]))
    assert r.status_code == 200, r.text
    c2 = send(s, to=to("RUS"))
    advance(s, 4 * HOUR + 2)
    rows = wait_for(lambda: [m for m in mails(s, "comm_escalated") if m["ref"] == c2["id"]],
                    lambda r: any(m["payload"]["escalation"] == "diplomatic" for m in r))
    dip = {p["id"] for p in pocs_of(s, "RUS", "diplomatic")}
    assert {m["poc"] for m in rows if m["payload"]["escalation"] == "diplomatic"} == dip
    assert all(m["lang"] == "ru" for m in rows)
    advance(s, DAY)
    over = wait_for(lambda: mails(s, "comm_overdue"), lambda r: len(r) >= 2)
    assert {m["ref"] for m in over} == {c["id"], c2["id"]}


def test_a_correction_task_mails_the_states_administrators(clock_server):
    s = clock_server
    campaign(s, scope=["FRA"], window_hours=2, reminders_hours=[])
    advance(s, 2 * HOUR + DAY + 1)
    rows = wait_for(lambda: mails(s, "task"), lambda r: len(r) >= 1)
    admins = {p["id"] for p in pocs_of(s, "FRA", "diplomatic", "primary")}
    assert {m["poc"] for m in rows} == admins
    assert {m["payload"]["kind"] for m in rows} == {"ping_unanswered"}
    assert all(m["lang"] == "fr" for m in rows)


def test_a_review_by_date_30_days_ahead_mails_the_administrators_once(clock_server):
    from datetime import date, timedelta
    from comm_helpers import server_now
    from pocd_helpers import create_poc
    s = clock_server
    today = date.fromtimestamp(server_now(s))
    soon = (today + timedelta(days=40)).isoformat()
    p = create_poc(s, review_by=soon).json()
    advance(s, 5 * DAY)
    assert [m for m in mails(s, "review") if m["ref"] == p["id"]] == []
    advance(s, 6 * DAY)
    rows = wait_for(lambda: [m for m in mails(s, "review") if m["ref"] == p["id"]],
                    lambda r: len(r) >= 1)
    admins = {x["id"] for x in pocs_of(s, "FRA", "diplomatic", "primary")}
    assert {m["poc"] for m in rows} == admins and len(rows) == len(admins)
    assert rows[0]["payload"] == {"poc": p["id"], "review_by": soon}
    assert rows[0]["lang"] == "fr"
    advance(s, DAY)
    assert len([m for m in mails(s, "review") if m["ref"] == p["id"]]) == len(rows)
