"""Deadlines and escalation, driven by the test clock (and, for the scheduler's own sleeping
and its restart, by short real deadlines)."""
import time

from conftest import assert_problem
from comm_helpers import (DAY, DEADLINES, HOUR, ack, advance, fmt_time, list_ids, parse_time,
                          path, recipient, reply, send, server_now, show, steps, stop_clean, to,
                          wait_for)
from pocd_helpers import state_pocs
from comm_helpers import checked_server, clock_server  # noqa: F401 (fixtures)


def _rcpt(s, cid, state, who="FRA/officer"):
    return lambda: recipient(show(s, cid, who), state)


def _history(s, cid, who="FRA/officer"):
    return lambda: show(s, cid, who)


def test_urgent_escalation_steps(clock_server):
    s = clock_server
    doc = send(s, to=to("DEU", "KEN"))
    cid, created = doc["id"], parse_time(doc["created_at"])
    ack_after, answer_after = DEADLINES["urgent"]

    # KEN acknowledges within its hour; DEU stays silent.
    advance(s, HOUR)
    assert ack(s, cid, "KEN/officer").status_code == 200
    # Nothing is late yet.
    deu = recipient(show(s, cid, "FRA/officer"), "DEU")
    assert (deu["overdue"], deu["ack_late"], deu["escalation"]) == (False, False, "none")

    advance(s, HOUR + 60)
    deu = wait_for(_rcpt(s, cid, "DEU"), lambda r: r["ack_late"])
    assert deu["overdue"] is True and deu["answer_late"] is False
    assert deu["status"] == "sent"
    assert deu["escalation"] == "alternate_technical"
    doc = show(s, cid, "FRA/officer")  # the sender is told
    over = steps(doc, "DEU", "overdue")
    assert [h["detail"] for h in over] == ["acknowledgement"]
    assert over[0].get("by") is None  # the service, not a state, marks it
    esc = steps(doc, "DEU", "escalated")
    assert [h["detail"] for h in esc] == ["alternate_technical"]
    at = parse_time(over[0]["at"])
    assert created + ack_after <= at <= created + ack_after + 60 + 30
    # The recipient sees its own lateness too, and the overdue filter finds it.
    assert recipient(show(s, cid, "DEU/officer"), "DEU")["escalation"] == "alternate_technical"
    assert list_ids(s, "DEU/officer", status="overdue") == [cid]
    assert list_ids(s, "FRA/officer", box="outbox", status="overdue") == [cid]
    # KEN, who acknowledged in time, is neither late nor escalated.
    ken = recipient(doc, "KEN")
    assert (ken["ack_late"], ken["overdue"], ken["escalation"]) == (False, False, "none")
    assert list_ids(s, "KEN/officer", status="overdue") == []
    assert steps(doc, "KEN", "escalated") == [] and steps(doc, "KEN", "overdue") == []

    # One acknowledgement window later: the diplomatic PoC.
    advance(s, ack_after)
    deu = wait_for(_rcpt(s, cid, "DEU"), lambda r: r["escalation"] == "diplomatic")
    doc = show(s, cid, "FRA/officer")
    assert [h["detail"] for h in steps(doc, "DEU", "escalated")] == [
        "alternate_technical", "diplomatic"]
    assert len(steps(doc, "DEU", "overdue")) == 1
    assert deu["answer_late"] is False

    # The answer deadline passes for both.
    now = server_now(s)
    advance(s, created + answer_after - now + 30)
    doc = wait_for(_history(s, cid),
                   lambda d: all(r["answer_late"] for r in d["recipients"]))
    for st in ("DEU", "KEN"):
        assert recipient(doc, st)["overdue"] is True
        assert [h["detail"] for h in steps(doc, st, "overdue")][-1] == "answer"
    assert recipient(doc, "KEN")["ack_late"] is False
    assert recipient(doc, "KEN")["escalation"] == "none"
    # Nothing more is due: no repeated steps after another day.
    n = len(doc["history"])
    advance(s, DAY)
    time.sleep(0.3)
    assert len(show(s, cid, "FRA/officer")["history"]) == n


def test_late_acknowledgement_stops_escalation(clock_server):
    s = clock_server
    cid = send(s, to=to("DEU"))["id"]
    advance(s, 2 * HOUR + 10)
    wait_for(_rcpt(s, cid, "DEU"), lambda r: r["escalation"] == "alternate_technical")
    assert ack(s, cid, "DEU/officer").status_code == 200
    advance(s, 3 * HOUR)
    time.sleep(0.3)
    deu = recipient(show(s, cid, "FRA/officer"), "DEU")
    assert deu["status"] == "acknowledged"
    assert deu["ack_late"] is True  # it stays on the record
    assert deu["overdue"] is False  # but it is not late any more
    assert deu["escalation"] == "alternate_technical"
    assert list_ids(s, "DEU/officer", status="overdue") == []
    assert list_ids(s, "FRA/officer", box="outbox", status="overdue") == []
    assert len(steps(show(s, cid, "FRA/officer"), "DEU", "escalated")) == 1


def test_acknowledgement_before_deadline_prevents_escalation(clock_server):
    s = clock_server
    cid = send(s, to=to("DEU"), urgency="priority")["id"]
    advance(s, 11 * HOUR)
    assert ack(s, cid, "DEU/admin").status_code == 200
    advance(s, 13 * HOUR + 60)  # 24 h: twice the acknowledgement window
    time.sleep(0.3)
    doc = show(s, cid, "FRA/officer")
    deu = recipient(doc, "DEU")
    assert (deu["ack_late"], deu["overdue"], deu["escalation"]) == (False, False, "none")
    assert [h["what"] for h in doc["history"]] == ["sent", "acknowledged"]
    # The answer deadline still runs: 72 h for priority.
    advance(s, 2 * DAY)
    deu = wait_for(_rcpt(s, cid, "DEU"), lambda r: r["answer_late"])
    assert deu["ack_late"] is False and deu["escalation"] == "none"
    assert [h["detail"] for h in steps(show(s, cid, "FRA/officer"), "DEU", "overdue")] == [
        "answer"]


def test_answer_prevents_answer_lateness(clock_server):
    s = clock_server
    cid = send(s, to=to("DEU", "KEN"))["id"]
    assert reply(s, cid, "DEU/officer").status_code == 201
    advance(s, DAY + 60)
    doc = wait_for(_history(s, cid), lambda d: recipient(d, "KEN")["answer_late"] and
                   recipient(d, "KEN")["escalation"] == "diplomatic")
    deu = recipient(doc, "DEU")
    assert (deu["answer_late"], deu["ack_late"], deu["overdue"]) == (False, False, False)
    assert steps(doc, "DEU", "overdue") == []
    assert recipient(doc, "KEN")["escalation"] == "diplomatic"


def test_reply_by_sets_answer_due(clock_server):
    s = clock_server
    now = server_now(s)
    reply_by = now + 5 * HOUR
    doc = send(s, to=to("DEU", "KEN"), urgency="routine", reply_by=fmt_time(reply_by))
    assert doc["reply_by"] == fmt_time(reply_by)
    for r in doc["recipients"]:
        assert parse_time(r["answer_due"]) == reply_by
        # An answer due before the urgency's acknowledgement deadline brings it forward.
        assert parse_time(r["ack_due"]) == reply_by
    cid = doc["id"]
    assert ack(s, cid, "DEU/officer").status_code == 200
    advance(s, 5 * HOUR + 30)
    doc = wait_for(_history(s, cid),
                   lambda d: all(r["answer_late"] for r in d["recipients"]))
    deu, ken = recipient(doc, "DEU"), recipient(doc, "KEN")
    assert deu["ack_late"] is False and deu["escalation"] == "none"
    assert [h["detail"] for h in steps(doc, "DEU", "overdue")] == ["answer"]
    assert parse_time(steps(doc, "DEU", "overdue")[0]["at"]) >= reply_by
    assert ken["ack_late"] is True and ken["escalation"] == "alternate_technical"
    assert [h["detail"] for h in steps(doc, "KEN", "overdue")] == ["acknowledgement", "answer"]
    # A late reply_by leaves the urgency's acknowledgement deadline alone.
    late = now + 10 * DAY
    doc = send(s, to=to("DEU"), urgency="routine", reply_by=fmt_time(late))
    created = parse_time(doc["created_at"])
    assert parse_time(recipient(doc, "DEU")["ack_due"]) == created + DEADLINES["routine"][0]
    assert parse_time(recipient(doc, "DEU")["answer_due"]) == late


def test_default_deadlines_by_urgency(checked_server):
    s = checked_server
    for urgency, (ack_after, answer_after) in DEADLINES.items():
        doc = send(s, urgency=urgency)
        created = parse_time(doc["created_at"])
        r = recipient(doc, "DEU")
        assert parse_time(r["ack_due"]) - created == ack_after, urgency
        assert parse_time(r["answer_due"]) - created == answer_after, urgency


def test_no_alternate_technical_goes_straight_to_diplomatic(clock_server):
    s = clock_server
    alternates = [p for p in state_pocs(s, "KEN")
                  if p["kind"] == "technical" and p["rank"] == "alternate"]
    assert alternates
    for p in alternates:
        r = s.delete("/api/v1/pocs/" + p["id"], who="KEN/admin", headers={"If-Match": "*"})
        assert r.status_code == 200, r.text
    cid = send(s, to=to("KEN"))["id"]
    advance(s, 2 * HOUR + 10)
    ken = wait_for(_rcpt(s, cid, "KEN"), lambda r: r["ack_late"])
    assert ken["escalation"] == "diplomatic"
    assert [h["detail"] for h in steps(show(s, cid, "FRA/officer"), "KEN", "escalated")] == [
        "diplomatic"]


def test_diplomatic_addressee_escalates_straight_to_diplomatic(clock_server):
    """Escalation follows the kinds addressed: a communication to the diplomatic PoCs does
    not go to a technical alternate."""
    s = clock_server
    cid = send(s, who="FRA/admin", to=to("DEU", kinds=["diplomatic"]))["id"]
    advance(s, 2 * HOUR + 10)
    deu = wait_for(_rcpt(s, cid, "DEU", who="FRA/admin"), lambda r: r["ack_late"])
    assert deu["escalation"] == "diplomatic"
    advance(s, 4 * HOUR)
    time.sleep(0.3)
    doc = show(s, cid, "FRA/admin")
    assert [h["detail"] for h in steps(doc, "DEU", "escalated")] == ["diplomatic"]


def test_escalation_to_diplomatic_opens_red_content_to_its_accounts(clock_server):
    s = clock_server
    cid = send(s, tlp="RED", to=to("DEU", kinds=["technical"]))["id"]
    assert show(s, cid, "DEU/admin").get("content_withheld") == "TLP:RED"
    advance(s, 2 * HOUR + 10)
    wait_for(_rcpt(s, cid, "DEU"), lambda r: r["escalation"] == "alternate_technical")
    assert show(s, cid, "DEU/admin").get("content_withheld") == "TLP:RED"
    advance(s, 2 * HOUR)
    wait_for(_rcpt(s, cid, "DEU"), lambda r: r["escalation"] == "diplomatic")
    doc = show(s, cid, "DEU/admin")
    assert "content_withheld" not in doc and doc["subject"]["text"], doc


def test_closed_communication_is_never_late(clock_server):
    s = clock_server
    cid = send(s, to=to("DEU"))["id"]
    r = s.post(path(cid, "close"), who="FRA/officer", json={})
    assert r.status_code == 200, r.text
    advance(s, 2 * DAY)
    time.sleep(0.3)
    doc = show(s, cid, "FRA/officer")
    deu = recipient(doc, "DEU")
    assert (deu["ack_late"], deu["answer_late"], deu["escalation"]) == (False, False, "none")
    assert [h["what"] for h in doc["history"]] == ["sent", "closed"]


def test_the_clock_route(clock_server):
    s = clock_server
    t0 = server_now(s)
    assert 3600 <= advance(s, 3600) - t0 <= 3610
    for body, field in (({"advance_seconds": -1}, "advance_seconds"),
                        ({"advance_seconds": "60"}, "advance_seconds"),
                        ({"advance_seconds": 1.5}, "advance_seconds"),
                        ({}, "advance_seconds"),
                        ({"advance_seconds": 1, "set": 2}, "set")):
        assert_problem(s.post("/api/v1/test/clock", json=body), 400, field)
    assert server_now(s) - t0 < 3600 + 15


def test_no_clock_route_without_test_clock(checked_server):
    assert_problem(checked_server.post("/api/v1/test/clock", json={"advance_seconds": 1}), 404)


def test_scheduler_wakes_for_an_earlier_deadline(server):
    """Real time: a routine communication first (the scheduler sleeps for 3 days), then an
    urgent one due in 1 s, which must wake it."""
    s = server
    assert s.stop() == 0
    s.start("--deadline-urgent", "1s/1h")
    try:
        send(s, urgency="routine")
        cid = send(s, urgency="urgent")["id"]
        wait_for(_rcpt(s, cid, "DEU"), lambda r: r["ack_late"], timeout=6)
        # The first step (a slow machine may already see the second, 1 s later).
        esc = steps(show(s, cid, "FRA/officer"), "DEU", "escalated")
        assert esc[0]["detail"] == "alternate_technical", esc
    finally:
        stop_clean(s)


def test_deadline_passing_while_down_is_processed_on_start(server):
    s = server
    assert s.stop() == 0
    s.start("--deadline-urgent", "2s/1h")
    doc = send(s, urgency="urgent")
    cid, due = doc["id"], parse_time(recipient(doc, "DEU")["ack_due"])
    assert s.stop() == 0
    time.sleep(max(0.0, due + 1.2 - time.time()))
    s.start("--deadline-urgent", "2s/1h")
    try:
        wait_for(_rcpt(s, cid, "DEU"), lambda r: r["ack_late"], timeout=5)
        esc = steps(show(s, cid, "FRA/officer"), "DEU", "escalated")
        assert esc[0]["detail"] == "alternate_technical", esc
        over = steps(show(s, cid, "FRA/officer"), "DEU", "overdue")
        assert len(over) == 1 and parse_time(over[0]["at"]) >= due
    finally:
        stop_clean(s)


def test_due_items_survive_a_restart_with_the_test_clock(clock_server):
    s = clock_server
    c1 = send(s, to=to("DEU"))["id"]
    c2 = send(s, to=to("KEN"), urgency="priority")["id"]
    assert s.stop() == 0
    s.start("--test-clock")  # the clock's offset does not survive; the deadlines do
    advance(s, 2 * HOUR + 10)
    wait_for(_rcpt(s, c1, "DEU"), lambda r: r["ack_late"])
    assert recipient(show(s, c2, "FRA/officer"), "KEN")["ack_late"] is False
    advance(s, 10 * HOUR)
    wait_for(_rcpt(s, c2, "KEN"), lambda r: r["ack_late"])
    assert recipient(show(s, c1, "FRA/officer"), "DEU")["escalation"] == "diplomatic"


def test_reply_by_before_the_acknowledgement_deadline(clock_server):
    """reply_by in 1 h on an urgent communication (acknowledge in 2 h): both deadlines fall
    at reply_by, and both are marked then."""
    s = clock_server
    reply_by = server_now(s) + HOUR
    doc = send(s, to=to("DEU"), reply_by=fmt_time(reply_by))
    cid = doc["id"]
    assert parse_time(recipient(doc, "DEU")["answer_due"]) == reply_by
    assert parse_time(recipient(doc, "DEU")["ack_due"]) == reply_by
    advance(s, HOUR - 120)
    time.sleep(0.3)
    assert recipient(show(s, cid, "FRA/officer"), "DEU")["overdue"] is False
    advance(s, 150)
    deu = wait_for(_rcpt(s, cid, "DEU"), lambda r: r["answer_late"] and r["ack_late"])
    assert deu["escalation"] == "alternate_technical" and deu["overdue"] is True
    assert [h["detail"] for h in steps(show(s, cid, "FRA/officer"), "DEU", "overdue")] == [
        "acknowledgement", "answer"]
    # The next escalation step is one acknowledgement window (2 h) after the deadline.
    advance(s, 2 * HOUR)
    wait_for(_rcpt(s, cid, "DEU"), lambda r: r["escalation"] == "diplomatic")
