"""GET /api/v1/reports/responsiveness: figures measured from the exchanges the test made, with
the test clock making the times exact; who sees which states' figures; since."""
import math

import pytest

from conftest import assert_problem
from comm_helpers import (DAY, HOUR, ack, advance, fmt_time, parse_time, reply, send, server_now,
                          show, to, wait_for)
from comm_helpers import checked_server, clock_server  # noqa: F401 (fixtures)
from pocd_helpers import module_server  # noqa: F401 (fixtures)


REPORT = "/api/v1/reports/responsiveness"


def _report(s, who, **params):
    r = s.get(REPORT, who=who, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _nearest_rank(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[max(1, math.ceil(p * len(v) / 100)) - 1]


def _expected(rows):
    """Figures of rows [(created, recipient)] as the report defines them."""
    acks = [parse_time(r["acknowledged_at"]) - c for c, r in rows if "acknowledged_at" in r]
    answers = [parse_time(r["answered_at"]) - c for c, r in rows if "answered_at" in r]
    in_time = sum(1 for c, r in rows if "acknowledged_at" in r and
                  parse_time(r["acknowledged_at"]) <= parse_time(r["ack_due"]))
    return {
        "received": len(rows),
        "acknowledged": len(acks),
        "acknowledged_in_time": in_time,
        "answered": len(answers),
        "share_acknowledged_in_time": in_time / len(rows) if rows else None,
        "ack_median_seconds": _nearest_rank(acks, 50),
        "ack_p90_seconds": _nearest_rank(acks, 90),
        "answer_median_seconds": _nearest_rank(answers, 50),
        "answer_p90_seconds": _nearest_rank(answers, 90),
    }


def _figures(f):
    return {k: v for k, v in f.items() if k != "state"}


def _by_state(doc):
    out = {f["state"]: _figures(f) for f in doc["states"]}
    assert len(out) == len(doc["states"]), doc["states"]
    return out


@pytest.fixture
def exchanges(clock_server):
    """c1 FRA -> DEU, KEN (urgent): DEU acknowledges at +10 min and answers at +30 min, KEN
    answers at +20 min. c2 DEU -> FRA, KEN (urgent), an hour later: FRA acknowledges late
    (+2 h 30 min), KEN never. c3 KEN -> FRA (priority): FRA answers at +1 h."""
    s = clock_server
    t_start = server_now(s)
    c1 = send(s, to=to("DEU", "KEN"))["id"]
    advance(s, 600)
    assert ack(s, c1, "DEU/officer").status_code == 200
    advance(s, 600)
    assert reply(s, c1, "KEN/officer").status_code == 201
    advance(s, 600)
    assert reply(s, c1, "DEU/officer").status_code == 201
    t_mid = advance(s, 1800)
    c2 = send(s, who="DEU/admin", to=to("FRA", "KEN"))["id"]
    c3 = send(s, who="KEN/officer", to=to("FRA"), urgency="priority")["id"]
    advance(s, HOUR)
    assert reply(s, c3, "FRA/officer").status_code == 201
    advance(s, HOUR + 1800)
    wait_for(lambda: show(s, c2, "DEU/admin"),
             lambda d: all(r["ack_late"] for r in d["recipients"]))
    assert ack(s, c2, "FRA/officer").status_code == 200
    rows = []
    for cid, sender in ((c1, "FRA/officer"), (c2, "DEU/admin"), (c3, "KEN/officer")):
        d = show(s, cid, sender)
        rows += [(r["state"], parse_time(d["created_at"]), r) for r in d["recipients"]]
    return s, rows, t_start, t_mid


def _expected_for(rows, state=None, since=0):
    return _expected([(c, r) for st, c, r in rows if (state is None or st == state)
                      and c >= since])


def test_figures_match_the_exchanges(exchanges):
    s, rows, t_start, _ = exchanges
    doc = _report(s, "secretariat")
    states = _by_state(doc)
    assert set(states) == {"DEU", "KEN", "FRA"}
    for st in ("DEU", "KEN", "FRA"):
        assert states[st] == _expected_for(rows, st), st
    assert doc["all"] == _expected_for(rows)
    # The same figures, spelled out (to the second the clock allows).
    deu, ken, fra = states["DEU"], states["KEN"], states["FRA"]
    assert (deu["received"], deu["acknowledged"], deu["answered"]) == (1, 1, 1)
    assert deu["share_acknowledged_in_time"] == 1.0
    assert abs(deu["ack_median_seconds"] - 600) <= 5
    assert abs(deu["answer_median_seconds"] - 1800) <= 5
    assert (ken["received"], ken["acknowledged"], ken["acknowledged_in_time"]) == (2, 1, 1)
    assert ken["share_acknowledged_in_time"] == 0.5
    assert abs(ken["ack_median_seconds"] - 1200) <= 5
    assert ken["ack_median_seconds"] == ken["answer_median_seconds"]
    assert (fra["received"], fra["acknowledged"], fra["acknowledged_in_time"]) == (2, 2, 1)
    assert fra["answered"] == 1 and abs(fra["answer_median_seconds"] - HOUR) <= 5
    # FRA: c3 answered (and so acknowledged) after 1 h, c2 acknowledged late after 2.5 h.
    assert abs(fra["ack_median_seconds"] - HOUR) <= 5
    assert abs(fra["ack_p90_seconds"] - (2 * HOUR + 1800)) <= 5
    a = doc["all"]
    assert (a["received"], a["acknowledged"], a["acknowledged_in_time"], a["answered"]) == (
        5, 4, 3, 3)
    assert a["share_acknowledged_in_time"] == pytest.approx(0.6)
    assert abs(parse_time(doc["since"]) - (server_now(s) - 90 * DAY)) <= 5


def test_a_state_sees_its_own_figures_and_the_aggregate(exchanges):
    s, rows, _, _ = exchanges
    full = _report(s, "secretariat")
    for who, st in (("DEU/officer", "DEU"), ("KEN/admin", "KEN"), ("FRA/admin2", "FRA")):
        doc = _report(s, who)
        assert [f["state"] for f in doc["states"]] == [st], doc
        assert _figures(doc["states"][0]) == _by_state(full)[st]
        assert doc["all"] == full["all"]
    # A state that received nothing sees no state's figures, only the aggregate.
    doc = _report(s, "RUS/officer")
    assert [f["state"] for f in doc["states"]] in ([], ["RUS"])
    for f in doc["states"]:
        assert f["received"] == 0
    assert doc["all"] == full["all"]


def test_since_filters(exchanges):
    s, rows, t_start, t_mid = exchanges
    doc = _report(s, "secretariat", since=fmt_time(t_mid))
    assert doc["since"] == fmt_time(t_mid)
    states = _by_state(doc)
    assert set(states) == {"FRA", "KEN"}
    assert states["KEN"] == _expected_for(rows, "KEN", t_mid)
    assert states["KEN"]["received"] == 1 and states["KEN"]["acknowledged"] == 0
    assert states["KEN"]["share_acknowledged_in_time"] == 0.0
    assert states["KEN"]["ack_median_seconds"] is None
    assert doc["all"] == _expected_for(rows, since=t_mid)
    assert doc["all"]["received"] == 3
    # Everything since the start; nothing since later.
    assert _report(s, "secretariat", since=fmt_time(t_start - 1))["all"]["received"] == 5
    empty = _report(s, "secretariat", since=fmt_time(server_now(s) + 60))
    assert empty["states"] == []
    assert empty["all"] == {
        "received": 0, "acknowledged": 0, "acknowledged_in_time": 0, "answered": 0,
        "share_acknowledged_in_time": None, "ack_median_seconds": None,
        "ack_p90_seconds": None, "answer_median_seconds": None, "answer_p90_seconds": None}
    # Without since: the last 90 days of the service's clock.
    advance(s, 91 * DAY)
    assert _report(s, "DEU/officer")["all"]["received"] == 0


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01T00:00:00Z", "2026-01-01",
                                   "2026-01-01T00:00:00", ""])
def test_bad_since(module_server, since):
    r = module_server.get(REPORT, who="FRA/officer", params={"since": since})
    assert_problem(r, 400, "since")


def test_report_before_any_exchange(checked_server):
    """A new deployment: nothing received yet is a report of zeros and nulls, not a crash."""
    s = checked_server
    for who in ("secretariat", "FRA/officer"):
        doc = _report(s, who)
        assert doc["states"] == []
        assert doc["all"]["received"] == 0
        assert doc["all"]["share_acknowledged_in_time"] is None
        assert doc["all"]["ack_median_seconds"] is None
    assert s.get("/healthz").status_code == 200
