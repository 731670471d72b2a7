"""Helpers of the ping-test and freshness API tests: campaigns, pings, answers, the outbox
rows the mail sender will deliver (read straight from the SQLite file), and tasks."""
import json
import sqlite3
from datetime import date, datetime, timezone

from comm_helpers import DAY, HOUR, advance, parse_time, server_now, wait_for  # noqa: F401
from pocd_helpers import account_id, state_pocs

CAMPAIGNS = "/api/v1/ping-campaigns"
PINGS = "/api/v1/pings"
TASKS = "/api/v1/tasks"
TREND = "/api/v1/reports/pings"

WINDOW = 72 * HOUR  # the default window
GRACE = DAY         # links and late answers after it
# The symbols of challenge codes: no 0/O, no 1/I.
CODE_SYMBOLS = set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
SUMMARY_KEYS = {"pings", "open", "answered", "late", "unanswered", "correct", "share_answered",
                "share_answered_correctly", "latency_median_seconds", "latency_p90_seconds"}
CSV_HEADER = ["ping", "poc", "state", "kind", "delivered_at", "due", "status", "answered_at",
              "latency_seconds", "channel", "correct", "late"]


def campaign(server, who="secretariat", **body):
    """Creates a campaign (scope defaults to ["FRA"]); asserts 201 and returns it."""
    body.setdefault("scope", ["FRA"])
    r = server.post(CAMPAIGNS, who=who, json=body)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert r.headers["Location"] == "%s/%s" % (CAMPAIGNS, doc["id"]), r.headers
    return doc


def campaign_doc(server, cid, who="secretariat"):
    r = server.get("%s/%s" % (CAMPAIGNS, cid), who=who)
    assert r.status_code == 200, r.text
    return r.json()


def results(server, cid, who="secretariat"):
    r = server.get("%s/%s/results" % (CAMPAIGNS, cid), who=who, params={"format": "json"})
    assert r.status_code == 200, r.text
    return r.json()


def pings(server, who, **params):
    """Every ping the caller may answer (following the pages)."""
    items, params = [], dict(params)
    for _ in range(50):
        r = server.get(PINGS, who=who, params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        items += page["items"]
        if page.get("next") is None:
            return items
        params["cursor"] = page["next"]
    raise AssertionError("the listing never ends")


def answer(server, pid, who, challenge=None):
    body = {} if challenge is None else {"challenge": challenge}
    return server.post("%s/%s/answer" % (PINGS, pid), who=who, json=body)


def answer_link(server, token=None, challenge=None, **extra):
    """Answers by link, without logging in; None leaves a member out."""
    body = dict(extra)
    if token is not None:
        body["token"] = token
    if challenge is not None:
        body["challenge"] = challenge
    return server.post(PINGS + "/answer", json=body)


def wrong_code(code):
    """A well-formed code that is not this one."""
    return "".join("A" if c != "A" else "B" for c in code)


def db_rows(server, sql, *args):
    con = sqlite3.connect("file:%s?mode=ro" % server.db, uri=True, timeout=5)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def outbox(server, kind="ping"):
    """The outbox rows of a kind, as dicts with the payload decoded."""
    rows = db_rows(server, "SELECT ref_id, poc_id, state, lang, payload, created_at FROM outbox"
                   " WHERE kind = ? ORDER BY seq", kind)
    return [{"ref": r[0], "poc": r[1], "state": r[2], "lang": r[3],
             "payload": json.loads(r[4]), "created_at": r[5]} for r in rows]


def links(server):
    """{ping id: outbox payload of its first mail} for every ping."""
    return {o["payload"]["ping"]: o["payload"] for o in outbox(server, "ping")}


def token_of(server, pid):
    link = links(server)[pid]["link"]
    assert link.startswith("/ping#"), link
    return link[len("/ping#"):]


def reminders(server):
    return outbox(server, "ping_reminder")


def poc_of(server, who, state="FRA"):
    """The id of the (one) PoC the account is linked to."""
    me = account_id(server, who)
    ids = [p["id"] for p in state_pocs(server, state, who="%s/admin" % state)
           if me in p.get("accounts", [])]
    assert len(ids) >= 1, ids
    return ids[0]


def pocs_by(server, state="FRA", **match):
    return [p for p in state_pocs(server, state)
            if all(p[k] == v for k, v in match.items())]


def ping_for(server, poc_id, who):
    ps = [p for p in pings(server, who) if p["poc"] == poc_id]
    assert len(ps) == 1, ps
    return ps[0]


def tasks(server, who="FRA/admin", all=False):
    r = server.get(TASKS, who=who, params={"all": "true"} if all else {})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def ping_tasks(server, who="FRA/admin", all=False):
    """Tasks opened by pings (not the derived review entries)."""
    return [t for t in tasks(server, who, all) if t["kind"].startswith("ping_")]


def today_of(server):
    return datetime.fromtimestamp(server_now(server), timezone.utc).date()


def plus_12_months(d):
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return date(d.year + 1, 2, 28)


def near(actual, expected, slack=5):
    """The service clock is the real one plus the test offset: it runs on a few seconds
    while a test moves it by whole hours."""
    return actual is not None and expected <= actual <= expected + slack
