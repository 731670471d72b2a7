"""Freshness of the directory: review-by dates (12 months after the last confirmation or
change by default), stale flags by the service clock, POST /pocs/{id}/confirm, and the
tasks of a state's administrators (review due, stale, correction tasks and their closing)."""
import calendar
from datetime import datetime, timedelta

from conftest import assert_problem
from comm_helpers import clock_server  # noqa: F401 (fixture)
from pocd_helpers import DROP, create_poc, etag_of, state_pocs
from ping_helpers import (DAY, TASKS, advance, answer, campaign, ping_for, ping_tasks,
                          plus_12_months, poc_of, pocs_by, server_now, tasks, today_of,
                          wait_for, wrong_code)

EDITABLE = ("kind", "rank", "organisation", "role_title", "person_name", "email", "phones",
            "languages", "time_zone", "availability", "pgp_fingerprint", "accounts",
            "review_by")


def _poc(s, pid, who="FRA/admin"):
    r = s.get("/api/v1/pocs/%s" % pid, who=who)
    assert r.status_code == 200, r.text
    return r


def _confirm(s, pid, who="FRA/admin", **kw):
    return s.post("/api/v1/pocs/%s/confirm" % pid, who=who, **kw)


def _advance_to_day(s, day):
    """Moves the clock to one minute past midnight (UTC) of day, a date."""
    target = calendar.timegm(day.timetuple()) + 60
    now = server_now(s)
    assert target > now, (day, now)
    advance(s, target - now)


def _date(s):
    return datetime.strptime(s, "%Y-%m-%d").date()


def _stale_everywhere(s, pid, state="FRA"):
    """The stale flag of one PoC as each kind of reader sees it."""
    seen = []
    for who in ("secretariat", "%s/admin" % state, "DEU/officer"):
        seen += [p["stale"] for p in state_pocs(s, state, who=who) if p["id"] == pid]
        seen.append(_poc(s, pid, who).json()["stale"])
    r = s.get("/api/v1/directory", who="KEN/officer", params={"state": state})
    assert r.status_code == 200, r.text
    seen += [p["stale"] for p in r.json()["items"] if p["id"] == pid]
    assert len(seen) == 7, seen
    return seen


def test_new_poc_review_by_defaults_to_12_months(clock_server):
    s = clock_server
    before = today_of(s)
    r = create_poc(s, review_by=DROP)
    after = today_of(s)
    doc = r.json()
    assert doc["review_by"] in {plus_12_months(before).isoformat(),
                                plus_12_months(after).isoformat()}, doc
    assert doc["stale"] is False
    assert _poc(s, doc["id"]).json()["review_by"] == doc["review_by"]
    # A date of its own is kept as given.
    own = create_poc(s, review_by="2031-03-15", email="own@cert-fr.example").json()
    assert own["review_by"] == "2031-03-15" and own["stale"] is False

    # A change without a date starts the 12 months again from the change.
    advance(s, 40 * DAY)
    body = {k: v for k, v in doc.items() if k in EDITABLE and k != "review_by"}
    body["organisation"] = "CERT-FR renamed"
    day = today_of(s)
    u = s.put("/api/v1/pocs/%s" % doc["id"], who="FRA/admin", json=body,
              headers={"If-Match": etag_of(r)})
    assert u.status_code == 200, u.text
    assert u.json()["review_by"] in {plus_12_months(day).isoformat(),
                                     plus_12_months(today_of(s)).isoformat()}
    assert u.json()["review_by"] > doc["review_by"]


def test_stale_flag_follows_the_service_clock(clock_server):
    s = clock_server
    pid = create_poc(s, review_by=DROP).json()["id"]
    demo = poc_of(s, "FRA/officer")
    review_by = _date(_poc(s, pid).json()["review_by"])
    assert _stale_everywhere(s, pid) == [False] * 7
    # On the review-by day itself the entry is not yet stale.
    _advance_to_day(s, review_by)
    assert _stale_everywhere(s, pid) == [False] * 7
    _advance_to_day(s, review_by + timedelta(days=1))
    assert _stale_everywhere(s, pid) == [True] * 7
    # The demo's entries, due for review before then, are stale too.
    demo_by = _date(_poc(s, demo).json()["review_by"])
    assert _poc(s, demo).json()["stale"] is (demo_by < today_of(s))
    # A new entry, made now, is fresh.
    fresh = create_poc(s, review_by=DROP, email="fresh@cert-fr.example").json()
    assert fresh["stale"] is False
    assert [p["stale"] for p in state_pocs(s, "FRA") if p["id"] == fresh["id"]] == [False]


def test_confirm_renews_review_by_and_bumps_revision(clock_server):
    s = clock_server
    c = create_poc(s, review_by=(today_of(s) + timedelta(days=10)).isoformat())
    pid, rev = c.json()["id"], c.json()["revision"]
    advance(s, 20 * DAY)
    assert _poc(s, pid).json()["stale"] is True
    old_etag = etag_of(_poc(s, pid))
    day = today_of(s)
    r = _confirm(s, pid, "FRA/admin2")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["revision"] == rev + 1 and doc["stale"] is False
    assert doc["review_by"] in {plus_12_months(day).isoformat(),
                                plus_12_months(today_of(s)).isoformat()}
    g = _poc(s, pid)
    assert g.json()["review_by"] == doc["review_by"] and g.json()["revision"] == rev + 1
    assert etag_of(g) != old_etag
    assert [p["stale"] for p in state_pocs(s, "FRA", who="DEU/admin") if p["id"] == pid] == [
        False]
    # Nothing else changed.
    before = c.json()
    for k in ("organisation", "email", "phones", "languages", "kind", "rank"):
        assert g.json()[k] == before[k], k
    # The history records the confirmation.
    h = s.get("/api/v1/pocs/%s/history" % pid, who="FRA/admin")
    assert h.status_code == 200, h.text
    assert [i["op"] for i in h.json()["items"]][-1] == "confirmed"
    # Confirming again renews again.
    advance(s, 3 * DAY)
    again = _confirm(s, pid)
    assert again.status_code == 200 and again.json()["revision"] == rev + 2
    assert again.json()["review_by"] > doc["review_by"]


def test_confirm_refused(clock_server):
    s = clock_server
    pid = poc_of(s, "FRA/officer")
    rev = _poc(s, pid).json()["revision"]
    for who in ("FRA/officer", "DEU/admin", "secretariat"):
        assert_problem(_confirm(s, pid, who), 403)
    assert_problem(_confirm(s, pid, None), 401)
    for bad in ("a" * 26, "nope"):
        assert_problem(_confirm(s, bad), 404)
    assert_problem(_confirm(s, pid, json={"review_by": "2040-01-01"}), 400)
    assert _poc(s, pid).json()["revision"] == rev


def _review_items(s, pid, who="FRA/admin"):
    return [t for t in tasks(s, who) if t["kind"] in ("review_due", "stale") and t["poc"] == pid]


def test_tasks_review_due_and_stale(clock_server):
    s = clock_server
    today = today_of(s)
    soon = create_poc(s, review_by=(today + timedelta(days=40)).isoformat(),
                      email="soon@cert-fr.example").json()
    later = create_poc(s, review_by=(today + timedelta(days=200)).isoformat(),
                       email="later@cert-fr.example").json()
    assert _review_items(s, soon["id"]) == [] and _review_items(s, later["id"]) == []
    # 30 days before its date, an entry is due for review; the other is not yet.
    advance(s, 15 * DAY)
    items = _review_items(s, soon["id"])
    assert items == [{"kind": "review_due", "poc": soon["id"], "review_by": soon["review_by"]}]
    assert _review_items(s, later["id"]) == []
    assert _review_items(s, soon["id"], "FRA/admin2") == items
    # Other states do not see it.
    assert [t for t in tasks(s, "DEU/admin") if t["poc"] == soon["id"]] == []
    # Past the date: stale.
    _advance_to_day(s, _date(soon["review_by"]) + timedelta(days=1))
    assert [t["kind"] for t in _review_items(s, soon["id"])] == ["stale"]
    # A confirmation clears it.
    assert _confirm(s, soon["id"]).status_code == 200
    assert _review_items(s, soon["id"]) == []
    # Only the state's administrators have tasks.
    for who in ("FRA/officer", "secretariat"):
        assert_problem(s.get(TASKS, who=who), 403)
    assert_problem(s.get(TASKS), 401)
    assert_problem(s.get(TASKS, who="FRA/admin", params={"all": "yes"}), 400, "all")


def test_correction_tasks_close_on_edit_confirm_or_removal(clock_server):
    s = clock_server
    campaign(s, scope=["FRA", "DEU"])
    dipl = poc_of(s, "FRA/admin")
    tech = poc_of(s, "FRA/officer")
    alt = pocs_by(s, "FRA", kind="technical", rank="alternate")[0]["id"]
    for pid in (dipl, tech, alt):
        p = ping_for(s, pid, "FRA/admin")
        r = answer(s, p["id"], "FRA/admin", wrong_code(p["challenge"]))
        assert r.status_code == 200 and r.json()["correct"] is False, r.text
    q = ping_for(s, poc_of(s, "DEU/officer", "DEU"), "DEU/officer")
    assert answer(s, q["id"], "DEU/officer", "WRONG1").json()["correct"] is False
    open_ = ping_tasks(s)
    assert sorted(t["poc"] for t in open_) == sorted([dipl, tech, alt])
    assert all(t["kind"] == "ping_wrong" for t in open_)
    advance(s, 3600)

    # An edit of the entry closes its task.
    g = _poc(s, dipl)
    body = {k: v for k, v in g.json().items() if k in EDITABLE}
    body["role_title"] = "Cyber diplomacy focal point (new)"
    u = s.put("/api/v1/pocs/%s" % dipl, who="FRA/admin", json=body,
              headers={"If-Match": etag_of(g)})
    assert u.status_code == 200, u.text
    assert sorted(t["poc"] for t in ping_tasks(s)) == sorted([tech, alt])
    # So does a confirmation.
    assert _confirm(s, tech).status_code == 200
    assert [t["poc"] for t in ping_tasks(s)] == [alt]
    # And a removal.
    d = s.delete("/api/v1/pocs/%s" % alt, who="FRA/admin2",
                 headers={"If-Match": etag_of(_poc(s, alt))})
    assert d.status_code == 200, d.text
    assert ping_tasks(s) == []

    closed = {t["poc"]: t for t in ping_tasks(s, all=True)}
    assert set(closed) == {dipl, tech, alt}
    assert {k: t["closed_reason"] for k, t in closed.items()} == {
        dipl: "changed", tech: "confirmed", alt: "removed"}
    for t in closed.values():
        assert t["kind"] == "ping_wrong" and t["closed_at"] > t["created_at"]
    assert ping_tasks(s, "FRA/admin2", all=True) == ping_tasks(s, all=True)
    assert ping_tasks(s, all=False) == []
    assert_problem(s.get(TASKS, who="FRA/admin", params={"all": "1"}), 400, "all")
    # Another state's task is untouched.
    deu = ping_tasks(s, "DEU/admin")
    assert [(t["kind"], t["ping"]) for t in deu] == [("ping_wrong", q["id"])]
    assert "closed_at" not in deu[0]


def test_unanswered_task_closes_on_confirmation(clock_server):
    s = clock_server
    c = campaign(s, scope=["KEN"], window_hours=1, reminders_hours=[])
    advance(s, 3600 + DAY + 60)
    ts = wait_for(lambda: ping_tasks(s, "KEN/admin"), lambda ts: len(ts) == c["pings"])
    assert {t["kind"] for t in ts} == {"ping_unanswered"}
    pid = poc_of(s, "KEN/officer", "KEN")
    assert _confirm(s, pid, "KEN/admin").status_code == 200
    left = ping_tasks(s, "KEN/admin")
    assert len(left) == c["pings"] - 1 and pid not in {t["poc"] for t in left}
    closed = [t for t in ping_tasks(s, "KEN/admin", all=True) if t["poc"] == pid]
    assert [(t["kind"], t["closed_reason"]) for t in closed] == [
        ("ping_unanswered", "confirmed")]
    assert s.get("/api/v1/pocs/%s" % pid, who="KEN/admin").json()["stale"] is False


def test_conditional_get_sees_the_entry_turn_stale(clock_server):
    """A client revalidating its copy with If-None-Match must not be told "not modified"
    when the representation changed from stale false to stale true (RFC 9110 8.8.3: a
    strong validator changes with the representation)."""
    s = clock_server
    c = create_poc(s, review_by=(today_of(s) + timedelta(days=2)).isoformat())
    pid = c.json()["id"]
    lst = s.get("/api/v1/states/FRA/pocs", who="DEU/officer")
    assert lst.status_code == 200
    g = _poc(s, pid, "DEU/officer")
    assert g.json()["stale"] is False
    tag = etag_of(g)
    same = s.get("/api/v1/pocs/%s" % pid, who="DEU/officer", headers={"If-None-Match": tag})
    assert same.status_code == 304
    advance(s, 5 * DAY)
    # The per-state list revalidates to the new flags.
    r = s.get("/api/v1/states/FRA/pocs", who="DEU/officer",
              headers={"If-None-Match": etag_of(lst)})
    assert r.status_code == 200, r.status_code
    assert [p["stale"] for p in r.json()["items"] if p["id"] == pid] == [True]
    # And so must the entry itself.
    r = s.get("/api/v1/pocs/%s" % pid, who="DEU/officer", headers={"If-None-Match": tag})
    assert r.status_code == 200, (r.status_code, r.headers)
    assert r.json()["stale"] is True
