"""Who sees and answers which pings: an officer its linked PoC's, a state administrator all
of its state's, another state none (404), the Secretariat none (403)."""
import pytest

from conftest import assert_problem
from pocd_helpers import clean_log  # noqa: F401 (fixture)
from ping_helpers import (CAMPAIGNS, PINGS, answer, campaign, ping_for, pings, poc_of, pocs_by,
                          results)

pytestmark = pytest.mark.usefixtures("clean_log")


def test_officer_sees_its_linked_poc_admin_its_state(server):
    c = campaign(server, scope=["FRA", "DEU"])
    fra = {p["id"] for p in pocs_by(server, "FRA")}
    mine = poc_of(server, "FRA/officer")
    officer = pings(server, "FRA/officer")
    assert [p["poc"] for p in officer] == [mine]
    for who in ("FRA/admin", "FRA/admin2"):
        got = pings(server, who)
        assert {p["poc"] for p in got} == fra and len(got) == len(fra)
        assert {p["campaign"] for p in got} == {c["id"]}
        for p in got:
            for k in ("id", "poc", "campaign", "challenge", "due"):
                assert k in p, p
    deu = {p["poc"] for p in pings(server, "DEU/admin")}
    assert deu == {p["id"] for p in pocs_by(server, "DEU")} and not (deu & fra)
    # A state outside the campaign has nothing to answer.
    assert pings(server, "KEN/admin") == [] and pings(server, "KEN/officer") == []
    # Pages follow each other without loss.
    r = server.get(PINGS, who="FRA/admin", params={"limit": 1})
    assert r.status_code == 200 and len(r.json()["items"]) == 1 and r.json()["next"]


def test_another_states_ping_is_404(server):
    campaign(server, scope=["FRA", "DEU"])
    p = ping_for(server, poc_of(server, "FRA/officer"), "FRA/officer")
    for who in ("DEU/officer", "DEU/admin", "KEN/admin"):
        assert_problem(answer(server, p["id"], who, p["challenge"]), 404)
    # Indistinguishable from a ping that does not exist.
    assert_problem(answer(server, "a" * 26, "DEU/admin", "ABCDEF"), 404)
    assert_problem(answer(server, "not-an-id", "DEU/admin", "ABCDEF"), 404)
    # The ping is still open for its own state.
    assert ping_for(server, p["poc"], "FRA/officer")["status"] == "open"


def test_same_state_officer_not_linked_is_403(server):
    campaign(server, scope=["FRA"])
    dipl = poc_of(server, "FRA/admin")  # the admins' PoC, not the officer's
    p = ping_for(server, dipl, "FRA/admin")
    assert_problem(answer(server, p["id"], "FRA/officer", p["challenge"]), 403)
    assert ping_for(server, dipl, "FRA/admin")["status"] == "open"
    # An administrator answers for any PoC of its state, linked or not.
    alt = [q for q in pocs_by(server, "FRA", kind="technical", rank="alternate")][0]["id"]
    a = ping_for(server, alt, "FRA/admin")
    r = answer(server, a["id"], "FRA/admin2", a["challenge"])
    assert r.status_code == 200 and r.json()["correct"] is True, r.text


def test_secretariat_has_no_pings(server):
    campaign(server, scope=["FRA"])
    p = ping_for(server, poc_of(server, "FRA/officer"), "FRA/officer")
    assert_problem(server.get(PINGS, who="secretariat"), 403)
    assert_problem(answer(server, p["id"], "secretariat", p["challenge"]), 403)
    # Without a login: 401.
    assert_problem(server.get(PINGS), 401)
    assert_problem(server.post("%s/%s/answer" % (PINGS, p["id"]),
                               json={"challenge": p["challenge"]}), 401)


def test_bad_listing_parameters(server):
    for params, field in (({"status": "closed"}, "status"), ({"status": ""}, "status"),
                          ({"cursor": "nope"}, "cursor")):
        assert_problem(server.get(PINGS, who="FRA/admin", params=params), 400, field)


def test_campaign_results_by_state(server):
    c = campaign(server, scope=["FRA", "DEU"])
    fra = {p["id"] for p in pocs_by(server, "FRA")}
    deu = {p["id"] for p in pocs_by(server, "DEU")}
    all_rows = results(server, c["id"])
    assert {r["poc"] for r in all_rows["items"]} == fra | deu
    assert "own" not in all_rows
    for who, own in (("FRA/admin", fra), ("FRA/officer", fra), ("DEU/admin", deu)):
        doc = results(server, c["id"], who)
        assert {r["poc"] for r in doc["items"]} == own, who
        assert doc["summary"] == all_rows["summary"]
        assert doc["own"]["pings"] == len(own)
    # A state outside the scope sees the aggregate and no rows.
    doc = results(server, c["id"], "KEN/admin")
    assert doc["items"] == [] and doc["own"]["pings"] == 0
    assert doc["summary"]["pings"] == len(fra | deu)
    assert_problem(server.get("%s/%s/results" % (CAMPAIGNS, c["id"])), 401)
