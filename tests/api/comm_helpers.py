"""Helpers of the communications API tests: a valid communication, sending, acting, the
test clock and polling for the scheduler's work."""
import copy
import time
from datetime import datetime, timezone

import pytest

from pocd_helpers import DROP, sanitizer_lines

COMMS = "/api/v1/communications"

# A communication the server must accept from FRA (every optional field present).
VALID_COMM = {
    "type": "request_assistance",
    "urgency": "urgent",
    "tlp": "AMBER",
    "to": [{"state": "DEU", "kinds": ["technical"]}],
    "subject": {"text": "Wiper on a grid operator", "lang": "en"},
    "description": {"text": "A destructive payload reached two substations.", "lang": "en"},
    "sectors": ["energy"],
    "incident": {"first_seen": "2024-11-26T02:10:00Z", "detected": "2024-11-26T02:30:00Z",
                 "status": "ongoing", "impact": "high"},
    "indicators": [{"type": "ipv4", "value": "198.51.100.7"}],
    "requested_action": ["mitigate", "share_information"],
    "reply_languages": ["en", "fr"],
}

HOUR = 3600
DAY = 24 * HOUR
# The default deadlines: (acknowledge, answer) by urgency.
DEADLINES = {"urgent": (2 * HOUR, DAY), "priority": (12 * HOUR, 3 * DAY),
             "routine": (3 * DAY, 14 * DAY)}


def comm_body(**overrides):
    """VALID_COMM with some members replaced; a value of DROP removes the member."""
    b = copy.deepcopy(VALID_COMM)
    for k, v in overrides.items():
        if v is DROP:
            b.pop(k, None)
        else:
            b[k] = v
    return b


def to(*states, kinds=("technical",)):
    return [{"state": s, "kinds": list(kinds)} for s in states]


def send(server, who="FRA/officer", body=None, **overrides):
    """Sends body (or VALID_COMM with overrides); asserts 201 and returns the document."""
    b = body if body is not None else comm_body(**overrides)
    r = server.post(COMMS, who=who, json=b)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert r.headers["Location"] == "%s/%s" % (COMMS, doc["id"]), r.headers
    return doc


def path(cid, action=None):
    return "%s/%s" % (COMMS, cid) + ("/" + action if action else "")


def show(server, cid, who):
    r = server.get(path(cid), who=who)
    assert r.status_code == 200, r.text
    return r.json()


def ack(server, cid, who):
    return server.post(path(cid, "acknowledge"), who=who, json={})


def reply(server, cid, who, text="Received; looking into it.", lang="en", **extra):
    return server.post(path(cid, "replies"), who=who, json=dict(text=text, lang=lang, **extra))


def close(server, cid, who):
    return server.post(path(cid, "close"), who=who, json={})


def recipient(doc, state):
    rs = [r for r in doc["recipients"] if r["state"] == state]
    assert len(rs) == 1, doc["recipients"]
    return rs[0]


def steps(doc, state=None, what=None):
    return [h for h in doc["history"] if (state is None or h["state"] == state)
            and (what is None or h["what"] == what)]


def listing(server, who, **params):
    r = server.get(COMMS, who=who, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def list_ids(server, who, **params):
    """Every id of a listing, following the cursor pages."""
    ids = []
    params = dict(params)
    for _ in range(100):
        page = listing(server, who, **params)
        ids += [i["id"] for i in page["items"]]
        if page.get("next") is None:
            return ids
        params["cursor"] = page["next"]
    raise AssertionError("the listing never ends")


def parse_time(s):
    assert s.endswith("Z"), s
    return int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc).timestamp())


def fmt_time(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def advance(server, seconds):
    """Moves the server's clock; returns its new time (epoch seconds)."""
    r = server.post("/api/v1/test/clock", json={"advance_seconds": seconds})
    assert r.status_code == 200, r.text
    return parse_time(r.json()["now"])


def server_now(server):
    return advance(server, 0)


def wait_for(fetch, pred, timeout=5.0):
    """Calls fetch() until pred(result) holds; returns the result, or fails with the last."""
    deadline = time.monotonic() + timeout
    while True:
        got = fetch()
        if pred(got):
            return got
        if time.monotonic() > deadline:
            raise AssertionError("timed out; last: %r" % (got,))
        time.sleep(0.05)


def stop_clean(server):
    rc = server.stop()
    assert rc == 0, "pocd exited with %d: see %s.log" % (rc, server.db)
    bad = sanitizer_lines(server)
    assert not bad, bad[:5]


@pytest.fixture
def clock_server(server):
    """The `server`, restarted with --test-clock; its log checked for sanitizer reports."""
    assert server.stop() == 0
    server.start("--test-clock")
    yield server
    stop_clean(server)


@pytest.fixture
def checked_server(server):
    """The `server`, its exit status and log checked after the test."""
    yield server
    stop_clean(server)
