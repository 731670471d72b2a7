"""Campaign results: per-PoC rows in JSON and CSV, the summary counts, shares and latency
percentiles, what a state sees of them, and the trend across campaigns."""
import csv
import io

import pytest

from conftest import assert_problem
from comm_helpers import clock_server  # noqa: F401 (fixture)
from ping_helpers import (CAMPAIGNS, CSV_HEADER, HOUR, SUMMARY_KEYS, TREND, WINDOW, advance,
                          answer, answer_link, campaign, campaign_doc, near, parse_time,
                          ping_for, poc_of, pocs_by, results, token_of, wrong_code)
from pocd_helpers import without_receipt


def _csv(server, cid, who="secretariat"):
    r = server.get("%s/%s/results" % (CAMPAIGNS, cid), who=who, params={"format": "csv"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/csv"), r.headers
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
    assert rows[0] == CSV_HEADER, rows[0]
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def _as_csv(row):
    """A JSON result row as the CSV writes it."""
    def b(v):
        return "" if v is None else ("true" if v else "false")
    return {"ping": row["ping"], "poc": row["poc"], "state": row["state"], "kind": row["kind"],
            "delivered_at": row["delivered_at"], "due": row["due"], "status": row["status"],
            "answered_at": row.get("answered_at", ""),
            "latency_seconds": str(row["latency_seconds"]) if "latency_seconds" in row else "",
            "channel": row.get("channel", ""), "correct": b(row.get("correct")),
            "late": b(row.get("late"))}


@pytest.fixture
def played(clock_server):
    """A campaign over FRA and DEU three hours in: three answers (app right, app wrong, link
    right) an hour apart."""
    s = clock_server
    c = campaign(s, scope=["FRA", "DEU"])
    t = ping_for(s, poc_of(s, "FRA/officer"), "FRA/officer")
    d = ping_for(s, poc_of(s, "FRA/admin"), "FRA/admin")
    k = ping_for(s, poc_of(s, "DEU/officer", "DEU"), "DEU/officer")
    advance(s, HOUR)
    assert answer(s, t["id"], "FRA/officer", t["challenge"]).json()["correct"] is True
    advance(s, HOUR)
    assert answer(s, d["id"], "FRA/admin", wrong_code(d["challenge"])).json()["correct"] is False
    advance(s, HOUR)
    assert answer_link(s, token_of(s, k["id"]), k["challenge"]).json()["correct"] is True
    return s, c, t, d, k


def test_results_rows_and_summary(played):
    s, c, t, d, k = played
    n = c["pings"]
    created = parse_time(c["created_at"])
    doc = results(s, c["id"])
    assert doc["campaign"] == c["id"] and len(doc["items"]) == n
    summ = doc["summary"]
    assert set(summ) == SUMMARY_KEYS
    assert (summ["pings"], summ["open"], summ["answered"], summ["late"], summ["unanswered"],
            summ["correct"]) == (n, n - 3, 3, 0, 0, 2)
    assert summ["share_answered"] == pytest.approx(3 / n)
    assert summ["share_answered_correctly"] == pytest.approx(2 / n)
    assert near(summ["latency_median_seconds"], 2 * HOUR)
    assert near(summ["latency_p90_seconds"], 3 * HOUR)
    rows = {r["ping"]: r for r in doc["items"]}
    assert rows[t["id"]] == {
        "ping": t["id"], "poc": t["poc"], "state": "FRA", "kind": "technical",
        "delivered_at": c["created_at"], "due": c["due"], "status": "answered",
        "answered_at": rows[t["id"]]["answered_at"],
        "latency_seconds": rows[t["id"]]["latency_seconds"],
        "channel": "app", "correct": True, "late": False}
    assert near(parse_time(rows[t["id"]]["answered_at"]), created + HOUR)
    assert near(rows[t["id"]]["latency_seconds"], HOUR)
    assert rows[d["id"]]["correct"] is False
    assert near(rows[d["id"]]["latency_seconds"], 2 * HOUR)
    assert (rows[k["id"]]["channel"], rows[k["id"]]["state"]) == ("link", "DEU")
    assert near(rows[k["id"]]["latency_seconds"], 3 * HOUR)
    for pid, r in rows.items():
        if pid not in (t["id"], d["id"], k["id"]):
            assert r["status"] == "open" and "answered_at" not in r and "correct" not in r
    # The campaign's own page carries the same summary; the Secretariat has no "own".
    page = campaign_doc(s, c["id"])
    assert page["summary"] == summ and "own" not in page
    assert page["id"] == c["id"] and page["scope"] == ["FRA", "DEU"]

    # Past the window, one more answer, late: latencies 1 h, 2 h, 3 h and 73 h.
    a = [p for p in pocs_by(s, "FRA", kind="technical", rank="alternate")][0]["id"]
    a = ping_for(s, a, "FRA/admin")
    advance(s, WINDOW - 2 * HOUR)
    r = answer(s, a["id"], "FRA/admin2", a["challenge"])
    assert without_receipt(r.json()) == {"ping": a["id"], "correct": True, "late": True}, r.text
    summ = campaign_doc(s, c["id"])["summary"]
    assert (summ["pings"], summ["open"], summ["answered"], summ["late"], summ["unanswered"],
            summ["correct"]) == (n, 0, 3, 1, n - 4, 3)
    assert summ["share_answered"] == pytest.approx(3 / n)
    assert summ["share_answered_correctly"] == pytest.approx(2 / n)
    assert near(summ["latency_median_seconds"], 2 * HOUR)
    assert near(summ["latency_p90_seconds"], WINDOW + HOUR)
    late_row = {r["ping"]: r for r in results(s, c["id"])["items"]}[a["id"]]
    assert (late_row["status"], late_row["late"]) == ("late", True)
    assert near(late_row["latency_seconds"], WINDOW + HOUR)


def test_results_csv_matches_json(played):
    s, c, t, d, k = played
    rows = _csv(s, c["id"])
    doc = results(s, c["id"])
    assert len(rows) == c["pings"]
    assert sorted(rows, key=lambda r: r["ping"]) == sorted(
        (_as_csv(r) for r in doc["items"]), key=lambda r: r["ping"])
    by = {r["ping"]: r for r in rows}
    assert near(int(by[t["id"]]["latency_seconds"]), HOUR)
    assert (by[t["id"]]["channel"], by[t["id"]]["correct"]) == ("app", "true")
    assert by[d["id"]]["correct"] == "false" and by[k["id"]]["channel"] == "link"
    # A state gets its own rows only.
    fra = _csv(s, c["id"], "FRA/admin")
    assert {r["state"] for r in fra} == {"FRA"}
    assert sorted(r["ping"] for r in fra) == sorted(r["ping"] for r in rows
                                                   if r["state"] == "FRA")


def test_a_state_sees_its_rows_and_the_aggregate(played):
    s, c, t, d, k = played
    full = results(s, c["id"])
    nfra = len(pocs_by(s, "FRA"))
    for who in ("FRA/admin", "FRA/officer"):
        doc = results(s, c["id"], who)
        assert {r["state"] for r in doc["items"]} == {"FRA"} and len(doc["items"]) == nfra
        assert doc["summary"] == full["summary"]
        own = doc["own"]
        assert (own["pings"], own["answered"], own["correct"], own["open"]) == (
            nfra, 2, 1, nfra - 2)
        assert near(own["latency_median_seconds"], HOUR)
        assert near(own["latency_p90_seconds"], 2 * HOUR)
        page = campaign_doc(s, c["id"], who)
        assert page["summary"] == full["summary"] and page["own"] == own
    deu = results(s, c["id"], "DEU/officer")
    assert {r["ping"] for r in deu["items"]} == {r["ping"] for r in full["items"]
                                                 if r["state"] == "DEU"}
    assert deu["own"]["answered"] == 1


def test_results_bad_requests(clock_server):
    s = clock_server
    c = campaign(s, scope=["FRA"])
    path = "%s/%s/results" % (CAMPAIGNS, c["id"])
    assert_problem(s.get(path, who="secretariat", params={"format": "xml"}), 400, "format")
    for bad in ("a" * 26, "nope", "A" * 26):
        assert_problem(s.get("%s/%s/results" % (CAMPAIGNS, bad), who="secretariat"), 404)
        assert_problem(s.get("%s/%s" % (CAMPAIGNS, bad), who="FRA/admin"), 404)
    # JSON is the default.
    r = s.get(path, who="secretariat")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")


def test_trend_across_two_campaigns(clock_server):
    s = clock_server
    nfra, ndeu = len(pocs_by(s, "FRA")), len(pocs_by(s, "DEU"))
    c1 = campaign(s, scope=["FRA"])
    t = ping_for(s, poc_of(s, "FRA/officer"), "FRA/officer")
    advance(s, 600)
    assert answer(s, t["id"], "FRA/officer", t["challenge"]).status_code == 200
    advance(s, HOUR)
    c2 = campaign(s, scope=["FRA", "DEU"])

    def trend(who, **params):
        r = s.get(TREND, who=who, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    fra = trend("secretariat", state="FRA")
    assert fra["state"] == "FRA"
    assert [x["id"] for x in fra["campaigns"]] == [c2["id"], c1["id"]]
    f2, f1 = fra["campaigns"][0]["figures"], fra["campaigns"][1]["figures"]
    assert (f1["pings"], f1["answered"], f1["open"]) == (nfra, 1, nfra - 1)
    assert f1["share_answered"] == pytest.approx(1 / nfra)
    assert near(f1["latency_median_seconds"], 600)
    assert (f2["pings"], f2["answered"], f2["open"]) == (nfra, 0, nfra)
    assert f2["share_answered"] == 0
    # All states together.
    every = trend("secretariat")
    assert every["state"] is None
    assert [x["figures"]["pings"] for x in every["campaigns"]] == [nfra + ndeu, nfra]
    # A state follows its own figures only.
    assert trend("FRA/admin") == fra
    assert trend("FRA/officer", state="FRA") == fra
    assert_problem(s.get(TREND, who="FRA/officer", params={"state": "DEU"}), 403)
    deu = trend("DEU/admin")
    assert deu["state"] == "DEU"
    assert [x["figures"]["pings"] for x in deu["campaigns"]] == [ndeu, 0]
    assert deu["campaigns"][1]["figures"]["share_answered"] is None
    for bad in ("fra", "FRANCE", "12"):
        assert_problem(s.get(TREND, who="secretariat", params={"state": bad}), 400, "state")


def test_the_secretariat_sees_a_roll_up_per_state(played):
    s, c, t, d, k = played
    doc = campaign_doc(s, c["id"])
    by_state = {x["state"]: x for x in doc["states"]}
    assert set(by_state) == {"DEU", "FRA"}, doc
    assert sum(x["pings"] for x in doc["states"]) == doc["summary"]["pings"]
    # FRA: one right and one wrong answer; DEU: one right answer by link.
    assert by_state["FRA"]["answered"] == 2 and by_state["FRA"]["correct"] == 1
    assert by_state["DEU"]["answered"] == 1 and by_state["DEU"]["correct"] == 1
    # A state gets its own figures, not everyone's roll-up.
    mine = campaign_doc(s, c["id"], who="FRA/admin")
    assert "states" not in mine and mine["own"]["answered"] == 2
