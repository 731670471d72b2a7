"""Creating ping campaigns: the Secretariat alone, the scope and kinds it asks for, and every
malformed field refused with its name."""
import pytest

from conftest import assert_problem
from pocd_helpers import clean_log, module_server, problem_fields  # noqa: F401 (fixtures)
from ping_helpers import (CAMPAIGNS, answer, answer_link, campaign, links, outbox, ping_tasks,
                          pings, pocs_by, results, token_of)

pytestmark = pytest.mark.usefixtures("clean_log")


def _count_campaigns(s):
    r = s.get(CAMPAIGNS, who="secretariat")
    assert r.status_code == 200, r.text
    return len(r.json()["items"])


def _non_participating(s):
    r = s.get("/api/v1/states", who="secretariat")
    assert r.status_code == 200, r.text
    return [st["code"] for st in r.json()["items"] if not st["participating"]]


@pytest.mark.parametrize("body", [
    {"scope": ["FRA"]},
    {"scope": "all", "kinds": ["technical"]},
    {"scope": "bogus", "kinds": "?"},
    {},
    {"unknown": 1},
])
@pytest.mark.parametrize("who", ["FRA/admin", "FRA/officer", "DEU/admin2"])
def test_only_the_secretariat_creates_campaigns(module_server, who, body):
    s = module_server
    n = _count_campaigns(s)
    assert_problem(s.post(CAMPAIGNS, who=who, json=body), 403)
    assert_problem(s.post(CAMPAIGNS, who=who, data="not json",
                          headers={"Content-Type": "application/json"}), 403)
    assert _count_campaigns(s) == n
    assert_problem(s.post(CAMPAIGNS, json=body), 401)


BAD = [
    ({}, "scope"),
    ({"scope": None}, "scope"),
    ({"scope": "ALL"}, "scope"),
    ({"scope": "FRA"}, "scope"),
    ({"scope": []}, "scope"),
    ({"scope": ["fra"]}, "scope[0]"),
    ({"scope": ["FRA", "FR"]}, "scope[1]"),
    ({"scope": ["FRA", 250]}, "scope[1]"),
    ({"scope": ["FRA", "DEU", "FRA"]}, "scope[2]"),
    ({"scope": ["DEU"] * 2}, "scope[1]"),
    ({"scope": "all", "kinds": []}, "kinds"),
    ({"scope": "all", "kinds": "technical"}, "kinds"),
    ({"scope": "all", "kinds": None}, "kinds"),
    ({"scope": "all", "kinds": ["legal"]}, "kinds[0]"),
    ({"scope": "all", "kinds": ["technical", "technical"]}, "kinds[1]"),
    ({"scope": "all", "kinds": ["technical", "diplomatic", "technical"]}, "kinds"),
    ({"scope": "all", "window_hours": 0}, "window_hours"),
    ({"scope": "all", "window_hours": -72}, "window_hours"),
    ({"scope": "all", "window_hours": 721}, "window_hours"),
    ({"scope": "all", "window_hours": 1.5}, "window_hours"),
    ({"scope": "all", "window_hours": "72"}, "window_hours"),
    ({"scope": "all", "window_hours": True}, "window_hours"),
    ({"scope": "all", "window_hours": None}, "window_hours"),
    ({"scope": "all", "reminders_hours": 4}, "reminders_hours"),
    ({"scope": "all", "reminders_hours": [1, 2, 3, 4, 5]}, "reminders_hours"),
    ({"scope": "all", "reminders_hours": [72]}, "reminders_hours[0]"),  # not within 72 h
    ({"scope": "all", "reminders_hours": [4, 100]}, "reminders_hours[1]"),
    ({"scope": "all", "window_hours": 10, "reminders_hours": [24]}, "reminders_hours[0]"),
    ({"scope": "all", "window_hours": 10, "reminders_hours": [10]}, "reminders_hours[0]"),
    ({"scope": "all", "reminders_hours": [24, 24]}, "reminders_hours[1]"),
    ({"scope": "all", "reminders_hours": [0]}, "reminders_hours[0]"),
    ({"scope": "all", "reminders_hours": [-4]}, "reminders_hours[0]"),
    ({"scope": "all", "reminders_hours": [1.5]}, "reminders_hours[0]"),
    ({"scope": "all", "reminders_hours": ["4"]}, "reminders_hours[0]"),
    ({"scope": "all", "challenge": "yes"}, "challenge"),
    ({"scope": "all", "challenge": 1}, "challenge"),
    ({"scope": "all", "challenge": None}, "challenge"),
    ({"scope": "all", "deadline": "2027-01-01"}, "deadline"),
    ({"scope": "all", "Scope": "all"}, "Scope"),
]


@pytest.mark.parametrize("body,field", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_campaign_fields(module_server, body, field):
    s = module_server
    n = _count_campaigns(s)
    assert_problem(s.post(CAMPAIGNS, who="secretariat", json=body), 400, field)
    assert _count_campaigns(s) == n


def test_every_problem_is_named_at_once(module_server):
    r = module_server.post(CAMPAIGNS, who="secretariat",
                           json={"scope": ["FRA", "x"], "kinds": ["legal"], "window_hours": 0,
                                 "challenge": "no", "extra": 1})
    assert_problem(r, 400)
    assert set(problem_fields(r)) >= {"scope[1]", "kinds[0]", "window_hours", "challenge",
                                      "extra"}, r.text


@pytest.mark.parametrize("data", ["[]", "\"all\"", "{", "", "null"])
def test_campaign_body_must_be_an_object(module_server, data):
    r = module_server.post(CAMPAIGNS, who="secretariat", data=data,
                           headers={"Content-Type": "application/json"})
    assert_problem(r, 400)


def test_reminder_hours_too_large_to_multiply(server):
    """A number of hours far beyond the window is refused like any other (no overflow)."""
    s = server
    for h in (10 ** 16, 2 ** 62, 2 ** 63 - 1):
        r = s.post(CAMPAIGNS, who="secretariat", json={"scope": "all", "reminders_hours": [h]})
        assert_problem(r, 400, "reminders_hours[0]")
    assert _count_campaigns(s) == 0


def test_non_participating_or_unknown_state_in_scope(server):
    s = server
    out = _non_participating(s)[0]
    r = s.post(CAMPAIGNS, who="secretariat", json={"scope": ["FRA", out]})
    doc = assert_problem(r, 400, "scope[1]")
    assert out in doc["detail"] or out in r.text
    # A code of the right shape that is no UN member state.
    r = s.post(CAMPAIGNS, who="secretariat", json={"scope": ["ZZZ", "FRA", "QQQ"]})
    assert_problem(r, 400, "scope[0]")
    assert set(problem_fields(r)) == {"scope[0]", "scope[2]"}, r.text
    # Nothing was created, no ping and no mail.
    assert _count_campaigns(s) == 0
    assert outbox(s) == [] and pings(s, "FRA/admin") == []


def test_scope_list_and_kinds(server):
    s = server
    c = campaign(s, scope=["FRA", "KEN"], kinds=["technical"])
    assert c["scope"] == ["FRA", "KEN"] and c["kinds"] == ["technical"]
    want = {p["id"] for st in ("FRA", "KEN") for p in pocs_by(s, st, kind="technical")}
    assert c["pings"] == len(want)
    rows = results(s, c["id"])["items"]
    assert {r["poc"] for r in rows} == want and len(rows) == len(want)
    assert {r["kind"] for r in rows} == {"technical"}
    assert {r["state"] for r in rows} == {"FRA", "KEN"}
    mail = outbox(s)
    assert {m["poc"] for m in mail} == want and len(mail) == len(want)
    assert {m["state"] for m in mail} == {"FRA", "KEN"}
    # Each mail goes to the PoC's address.
    emails = {p["id"]: p["email"] for st in ("FRA", "KEN") for p in pocs_by(s, st)}
    for m in mail:
        assert m["payload"]["email"] == emails[m["poc"]]
    assert pings(s, "DEU/admin") == []
    d = campaign(s, scope=["DEU"], kinds=["diplomatic"])
    rows = results(s, d["id"])["items"]
    assert {r["poc"] for r in rows} == {p["id"] for p in pocs_by(s, "DEU", kind="diplomatic")}
    # Both kinds, in either order, are the default's two.
    e = campaign(s, scope=["JPN"], kinds=["diplomatic", "technical"])
    assert e["pings"] == len(pocs_by(s, "JPN"))


def test_scope_all(server):
    s = server
    r = s.get("/api/v1/directory", who="secretariat", params={"limit": 5000})
    assert r.status_code == 200 and r.json()["next"] is None
    every = {p["id"] for p in r.json()["items"]}
    c = campaign(s, scope="all")
    assert c["scope"] == "all" and c["pings"] == len(every)
    assert {m["poc"] for m in outbox(s)} == every and len(outbox(s)) == len(every)
    assert len(results(s, c["id"])["items"]) == len(every)
    tech = campaign(s, scope="all", kinds=["technical"])
    assert tech["pings"] == len([p for p in r.json()["items"] if p["kind"] == "technical"])
    listed = s.get(CAMPAIGNS, who="secretariat").json()["items"]
    assert sorted(x["id"] for x in listed) == sorted([tech["id"], c["id"]])


def test_without_challenge_any_answer_is_right(server):
    s = server
    c = campaign(s, scope=["FRA"], challenge=False)
    assert c["challenge"] is False
    ps = pings(s, "FRA/admin")
    assert len(ps) == c["pings"] >= 3
    for p in ps:
        assert "challenge" not in p and "instruction" not in p, p
    assert all(m.get("challenge") is None for m in links(s).values())
    r = answer(s, ps[0]["id"], "FRA/admin")
    assert r.status_code == 200 and r.json()["correct"] is True, r.text
    r = answer(s, ps[1]["id"], "FRA/admin", "WHATEVER")
    assert r.status_code == 200 and r.json()["correct"] is True, r.text
    r = answer_link(s, token_of(s, ps[2]["id"]))
    assert r.status_code == 200 and r.json()["correct"] is True, r.text
    assert results(s, c["id"])["summary"]["correct"] == 3
    assert ping_tasks(s) == []


def test_a_state_that_left_is_not_pinged(server):
    s = server
    r = s.patch("/api/v1/states/KEN", who="secretariat", json={"participating": False})
    assert r.status_code == 200, r.text
    assert_problem(s.post(CAMPAIGNS, who="secretariat", json={"scope": ["FRA", "KEN"]}), 400,
                   "scope[1]")
    assert _count_campaigns(s) == 0
    c = campaign(s, scope="all")
    assert "KEN" not in {m["state"] for m in outbox(s)}
    assert {m["state"] for m in outbox(s)} >= {"FRA", "DEU", "JPN"}
    assert c["pings"] == len(outbox(s))
