"""A ping campaign from start to end with the test clock: answered in time, answered with a
wrong code, answered late in the grace period, unanswered, and the reminders."""
import time

from conftest import assert_problem
from comm_helpers import clock_server  # noqa: F401 (fixture)
from ping_helpers import (CODE_SYMBOLS, DAY, GRACE, HOUR, WINDOW, advance, answer, campaign,
                          campaign_doc, near, parse_time, ping_for, ping_tasks, pings, poc_of,
                          pocs_by, reminders, server_now, wait_for, wrong_code)
from pocd_helpers import without_receipt


def test_answered_in_time(clock_server):
    s = clock_server
    c = campaign(s, scope=["FRA"])
    assert c["scope"] == ["FRA"] and c["challenge"] is True
    assert c["kinds"] == ["technical", "diplomatic"] and c["reminders_hours"] == [24, 4]
    created = parse_time(c["created_at"])
    assert parse_time(c["due"]) == created + WINDOW
    assert parse_time(c["grace_end"]) == created + WINDOW + GRACE
    assert c["pings"] == len(pocs_by(s, "FRA"))

    mine = poc_of(s, "FRA/officer")
    p = ping_for(s, mine, "FRA/officer")
    assert p["campaign"] == c["id"] and p["status"] == "open" and p["kind"] == "technical"
    assert p["due"] == c["due"]
    assert len(p["challenge"]) == 6 and set(p["challenge"]) <= CODE_SYMBOLS, p
    # The sentence is in the PoC's language (French for the demo's FRA entries).
    assert p["lang"] == "fr" and "code" in p["instruction"] and "Veuillez" in p["instruction"]

    advance(s, 2 * HOUR)
    r = answer(s, p["id"], "FRA/officer", p["challenge"])
    assert r.status_code == 200, r.text
    assert without_receipt(r.json()) == {"ping": p["id"], "correct": True, "late": False}
    got = ping_for(s, mine, "FRA/officer")
    assert got["status"] == "answered" and got["correct"] is True and got["late"] is False
    assert near(parse_time(got["answered_at"]), created + 2 * HOUR)
    assert [x["id"] for x in pings(s, "FRA/officer", status="answered")] == [p["id"]]
    assert pings(s, "FRA/officer", status="open") == []
    # Once is enough: a second answer is a conflict and changes nothing.
    assert_problem(answer(s, p["id"], "FRA/officer", p["challenge"]), 409)
    assert_problem(answer(s, p["id"], "FRA/admin", "ZZZZZZ"), 409)
    assert ping_for(s, mine, "FRA/officer")["correct"] is True
    assert ping_tasks(s) == []
    summ = campaign_doc(s, c["id"])["summary"]
    assert (summ["answered"], summ["late"], summ["unanswered"], summ["correct"]) == (1, 0, 0, 1)
    assert summ["open"] == c["pings"] - 1


def test_wrong_code_opens_a_task_for_the_state_admins(clock_server):
    s = clock_server
    c = campaign(s, scope=["FRA", "DEU"])
    dipl = poc_of(s, "FRA/admin")
    p = ping_for(s, dipl, "FRA/admin")
    r = answer(s, p["id"], "FRA/admin", wrong_code(p["challenge"]))
    assert r.status_code == 200, r.text
    assert without_receipt(r.json()) == {"ping": p["id"], "correct": False, "late": False}
    got = ping_for(s, dipl, "FRA/admin")
    assert got["status"] == "answered" and got["correct"] is False
    # A missing code is as wrong as a bad one.
    tech = poc_of(s, "FRA/officer")
    q = ping_for(s, tech, "FRA/officer")
    r = answer(s, q["id"], "FRA/officer")
    assert r.status_code == 200 and r.json()["correct"] is False, r.text

    for who in ("FRA/admin", "FRA/admin2"):
        ts = ping_tasks(s, who)
        assert sorted((t["kind"], t["poc"], t["ping"]) for t in ts) == sorted(
            [("ping_wrong", dipl, p["id"]), ("ping_wrong", tech, q["id"])]), ts
        assert all("closed_at" not in t for t in ts)
    assert ping_tasks(s, "DEU/admin") == []
    assert_problem(s.get("/api/v1/tasks", who="FRA/officer"), 403)
    assert_problem(s.get("/api/v1/tasks", who="secretariat"), 403)
    summ = campaign_doc(s, c["id"])["summary"]
    assert (summ["answered"], summ["correct"]) == (2, 0)
    assert summ["share_answered_correctly"] == 0


def test_late_answer_in_the_grace_period(clock_server):
    s = clock_server
    c = campaign(s, scope=["FRA"])
    mine = poc_of(s, "FRA/officer")
    p = ping_for(s, mine, "FRA/officer")
    advance(s, WINDOW + HOUR)
    # Past the window, before the grace end: still unanswered, not open.
    assert ping_for(s, mine, "FRA/officer")["status"] == "unanswered"
    assert pings(s, "FRA/officer", status="open") == []
    r = answer(s, p["id"], "FRA/officer", p["challenge"])
    assert r.status_code == 200, r.text
    assert without_receipt(r.json()) == {"ping": p["id"], "correct": True, "late": True}
    got = ping_for(s, mine, "FRA/officer")
    assert got["status"] == "late" and got["late"] is True and got["correct"] is True
    assert [x["id"] for x in pings(s, "FRA/officer", status="late")] == [p["id"]]
    assert pings(s, "FRA/officer", status="answered") == []
    summ = campaign_doc(s, c["id"])["summary"]
    assert (summ["answered"], summ["late"]) == (0, 1)
    assert summ["unanswered"] == c["pings"] - 1 and summ["open"] == 0
    assert summ["share_answered"] == 0
    # A late answer that is right opens no task.
    advance(s, GRACE)
    wait_for(lambda: ping_tasks(s), lambda ts: len(ts) == c["pings"] - 1)
    assert mine not in [t["poc"] for t in ping_tasks(s)]


def test_unanswered_after_the_grace_end(clock_server):
    s = clock_server
    c = campaign(s, scope=["FRA"])
    fra = {p["id"] for p in pocs_by(s, "FRA")}
    mine = poc_of(s, "FRA/officer")
    p = ping_for(s, mine, "FRA/officer")
    advance(s, WINDOW + GRACE - 60)
    time.sleep(0.3)
    # Within the grace period, nothing is opened yet.
    assert ping_tasks(s) == []
    advance(s, 120)
    ts = wait_for(lambda: ping_tasks(s), lambda ts: len(ts) == len(fra))
    assert {t["poc"] for t in ts} == fra and {t["kind"] for t in ts} == {"ping_unanswered"}
    assert all(t["ping"] for t in ts)
    assert ping_tasks(s, "FRA/admin2") == ts
    got = ping_for(s, mine, "FRA/officer")
    assert got["status"] == "unanswered" and "answered_at" not in got
    assert [x["id"] for x in pings(s, "FRA/officer", status="unanswered")] == [p["id"]]
    # The window and its grace are over: no answer any more.
    assert_problem(answer(s, p["id"], "FRA/officer", p["challenge"]), 410)
    summ = campaign_doc(s, c["id"])["summary"]
    assert (summ["unanswered"], summ["answered"], summ["late"], summ["open"]) == (
        len(fra), 0, 0, 0)
    # Nothing more happens: one task per ping, however long one waits.
    advance(s, 30 * DAY)
    time.sleep(0.3)
    assert len(ping_tasks(s)) == len(fra)
    assert ping_tasks(s, "DEU/admin") == []


def test_reminders_24_and_4_hours_before_the_window_closes(clock_server):
    s = clock_server
    c = campaign(s, scope=["FRA", "KEN"])
    due = c["due"]
    n = c["pings"]
    # One FRA ping answered before any reminder: it gets none.
    mine = poc_of(s, "FRA/officer")
    p = ping_for(s, mine, "FRA/officer")
    assert answer(s, p["id"], "FRA/officer", p["challenge"]).status_code == 200
    assert reminders(s) == []
    advance(s, WINDOW - DAY - 60)
    time.sleep(0.3)
    assert reminders(s) == []  # not yet
    advance(s, 120)
    first = wait_for(lambda: reminders(s), lambda rs: len(rs) == n - 1)
    assert p["id"] not in {r["ref"] for r in first}
    assert {r["state"] for r in first} == {"FRA", "KEN"}
    for r in first:
        assert r["payload"]["ping"] == r["ref"] and r["payload"]["due"] == due
        assert r["payload"]["campaign"] == c["id"]
    time.sleep(0.3)
    assert len(reminders(s)) == n - 1  # once
    advance(s, DAY - 4 * HOUR)  # 4 h and 1 min before the window closes
    second = wait_for(lambda: reminders(s), lambda rs: len(rs) == 2 * (n - 1))
    assert sorted(r["ref"] for r in second[n - 1:]) == sorted(r["ref"] for r in first)
    # After the window: no more reminders.
    advance(s, 5 * HOUR)
    time.sleep(0.3)
    assert len(reminders(s)) == 2 * (n - 1)
    assert server_now(s) > parse_time(due)


def test_reminders_passed_together_go_out_once(clock_server):
    s = clock_server
    c = campaign(s, scope=["FRA"])
    n = c["pings"]
    advance(s, WINDOW - 4 * HOUR + 60)  # both reminders' times pass at once
    rs = wait_for(lambda: reminders(s), lambda rs: len(rs) >= n)
    time.sleep(0.3)
    rs = reminders(s)
    assert len(rs) == n, rs
    assert len({r["ref"] for r in rs}) == n


def test_custom_and_no_reminders(clock_server):
    s = clock_server
    c = campaign(s, scope=["KEN"], window_hours=10, reminders_hours=[1, 5, 2])
    assert c["reminders_hours"] == [5, 2, 1]  # in the order they go out
    assert parse_time(c["due"]) - parse_time(c["created_at"]) == 10 * HOUR
    quiet = campaign(s, scope=["DEU"], window_hours=10, reminders_hours=[])
    assert quiet["reminders_hours"] == []
    n = c["pings"]
    advance(s, 5 * HOUR + 60)
    wait_for(lambda: reminders(s), lambda rs: len(rs) == n)
    advance(s, 3 * HOUR)
    wait_for(lambda: reminders(s), lambda rs: len(rs) == 2 * n)
    advance(s, HOUR)
    rs = wait_for(lambda: reminders(s), lambda rs: len(rs) == 3 * n)
    assert {r["state"] for r in rs} == {"KEN"}
    # The DEU campaign, without reminders, goes straight to its tasks.
    advance(s, 2 * HOUR + GRACE)
    wait_for(lambda: ping_tasks(s, "DEU/admin"), lambda ts: len(ts) == quiet["pings"])
    assert {r["state"] for r in reminders(s)} == {"KEN"}
    assert len(reminders(s)) == 3 * n


def test_short_window_has_no_default_reminder_before_it_exists(clock_server):
    s = clock_server
    # A 3-hour window: the default reminders (24 h and 4 h before) would fall before it.
    c = campaign(s, scope=["FRA"], window_hours=3)
    assert c["reminders_hours"] == []
    advance(s, 3 * HOUR + GRACE + 60)
    wait_for(lambda: ping_tasks(s), lambda ts: len(ts) == c["pings"])
    assert reminders(s) == []
    assert ping_tasks(s, "DEU/admin") == []


def test_no_reminder_once_the_links_are_dead(clock_server):
    """The scheduler catching up past the grace end (the daemon was down, or the clock
    jumped) opens the tasks but sends no reminder for a ping that can no longer be
    answered."""
    s = clock_server
    c = campaign(s, scope=["FRA"])
    advance(s, WINDOW + GRACE + HOUR)
    wait_for(lambda: ping_tasks(s), lambda ts: len(ts) == c["pings"])
    time.sleep(0.2)
    assert reminders(s) == []


def test_a_removed_pocs_ping_opens_no_task(clock_server):
    s = clock_server
    campaign(s, scope=["FRA"])
    gone = [p for p in pocs_by(s, "FRA") if p["id"] != poc_of(s, "FRA/officer")][0]
    r = s.get("/api/v1/pocs/" + gone["id"], who="FRA/admin")
    assert r.status_code == 200, r.text
    r = s.delete("/api/v1/pocs/" + gone["id"], who="FRA/admin",
                 headers={"If-Match": r.headers["ETag"]})
    assert r.status_code == 200, r.text
    advance(s, WINDOW + GRACE + HOUR)
    kept = len(pocs_by(s, "FRA"))
    ts = wait_for(lambda: ping_tasks(s), lambda ts: len(ts) == kept)
    # Every remaining PoC gets its task; the removed one, which nobody could fix, none.
    assert gone["id"] not in {t["poc"] for t in ts}
    time.sleep(0.3)
    assert len(ping_tasks(s)) == kept
