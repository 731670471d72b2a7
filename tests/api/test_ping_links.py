"""The single-use capability links of pings: they answer once without a login, stay valid
through the grace period (as late), and every dead link (used, expired, wrong, missing)
gets the very same 410."""
import base64
import os
import re

from conftest import assert_problem
from comm_helpers import clock_server  # noqa: F401 (fixture)
from ping_helpers import (GRACE, HOUR, WINDOW, advance, answer, answer_link, campaign, db_rows,
                          links, ping_for, ping_tasks, poc_of, pocs_by, results, token_of,
                          wrong_code)

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,}$")  # at least 128 bits in base64url


def _random_token():
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


def _dead(r):
    assert_problem(r, 410)
    return (r.status_code, r.headers["Content-Type"], r.content)


def test_link_answers_once_then_410_like_a_wrong_or_missing_token(clock_server):
    s = clock_server
    c = campaign(s, scope=["FRA"])
    mine = poc_of(s, "FRA/officer")
    p = ping_for(s, mine, "FRA/officer")
    tok = token_of(s, p["id"])
    assert TOKEN_RE.match(tok), tok
    every = [token_of(s, q) for q in links(s)]
    assert len(set(every)) == len(every) == c["pings"]
    advance(s, HOUR)
    r = answer_link(s, tok, p["challenge"])
    assert r.status_code == 200, r.text
    assert r.json() == {"ping": p["id"], "correct": True, "late": False}
    got = ping_for(s, mine, "FRA/officer")
    assert got["status"] == "answered" and got["correct"] is True
    # Reuse: gone. A right-shaped unknown token, a missing one, an empty one: the same bytes.
    reuse = _dead(answer_link(s, tok, p["challenge"]))
    assert _dead(answer_link(s, tok)) == reuse
    assert _dead(answer_link(s, _random_token(), p["challenge"])) == reuse
    assert _dead(answer_link(s, None, p["challenge"])) == reuse
    assert _dead(answer_link(s, "", p["challenge"])) == reuse
    assert _dead(answer_link(s)) == reuse
    assert _dead(answer_link(s, tok[:-1] + ("A" if tok[-1] != "A" else "B"),
                             p["challenge"])) == reuse
    # Nothing of the ping changed with those attempts.
    assert ping_for(s, mine, "FRA/officer") == got
    # A logged-in caller sending a link answer is no different.
    r = s.post("/api/v1/pings/answer", who="FRA/officer",
               json={"token": tok, "challenge": p["challenge"]})
    assert _dead(r) == reuse


def test_link_of_a_ping_answered_in_the_app_is_dead(clock_server):
    s = clock_server
    campaign(s, scope=["FRA"])
    p = ping_for(s, poc_of(s, "FRA/officer"), "FRA/officer")
    assert answer(s, p["id"], "FRA/officer", p["challenge"]).status_code == 200
    reuse = _dead(answer_link(s, _random_token()))
    assert _dead(answer_link(s, token_of(s, p["id"]), p["challenge"])) == reuse


def test_link_in_the_grace_period_is_late_and_after_it_gone(clock_server):
    s = clock_server
    campaign(s, scope=["FRA"])
    ps = {q["poc"]: q for q in [ping_for(s, x["id"], "FRA/admin") for x in pocs_by(s, "FRA")]}
    a, b = list(ps.values())[:2]
    advance(s, WINDOW + GRACE - 60)
    r = answer_link(s, token_of(s, a["id"]), a["challenge"])
    assert r.status_code == 200, r.text
    assert r.json() == {"ping": a["id"], "correct": True, "late": True}
    assert ping_for(s, a["poc"], "FRA/admin")["status"] == "late"
    advance(s, 120)  # the grace period is over
    expired = _dead(answer_link(s, token_of(s, b["id"]), b["challenge"]))
    assert _dead(answer_link(s, _random_token(), b["challenge"])) == expired
    assert _dead(answer_link(s, None, b["challenge"])) == expired
    assert _dead(answer_link(s, token_of(s, a["id"]), a["challenge"])) == expired
    assert "answered_at" not in ping_for(s, b["poc"], "FRA/admin")


def test_wrong_code_by_link_opens_a_task(clock_server):
    s = clock_server
    campaign(s, scope=["DEU"])
    p = ping_for(s, poc_of(s, "DEU/officer", "DEU"), "DEU/officer")
    r = answer_link(s, token_of(s, p["id"]), wrong_code(p["challenge"]))
    assert r.status_code == 200 and r.json() == {"ping": p["id"], "correct": False,
                                                 "late": False}, r.text
    assert [(t["kind"], t["ping"]) for t in ping_tasks(s, "DEU/admin")] == [
        ("ping_wrong", p["id"])]
    assert ping_tasks(s, "FRA/admin") == []


def test_channel_link_and_app_in_results(clock_server):
    s = clock_server
    c = campaign(s, scope=["FRA"])
    by_app = ping_for(s, poc_of(s, "FRA/officer"), "FRA/officer")
    by_link = ping_for(s, poc_of(s, "FRA/admin"), "FRA/admin")
    advance(s, 30)
    assert answer(s, by_app["id"], "FRA/officer", by_app["challenge"]).status_code == 200
    assert answer_link(s, token_of(s, by_link["id"]), by_link["challenge"]).status_code == 200
    rows = {r["ping"]: r for r in results(s, c["id"])["items"]}
    assert rows[by_app["id"]]["channel"] == "app"
    assert rows[by_link["id"]]["channel"] == "link"
    assert rows[by_link["id"]]["correct"] is True
    rest = [r for k, r in rows.items() if k not in (by_app["id"], by_link["id"])]
    assert rest and all("channel" not in r for r in rest)


def test_tokens_are_not_stored_in_the_clear(clock_server):
    s = clock_server
    campaign(s, scope=["FRA", "DEU"])
    toks = [token_of(s, p) for p in links(s)]
    stored = db_rows(s, "SELECT * FROM pings")
    assert len(stored) == len(toks)
    flat = repr(stored)
    for t in toks:
        assert t not in flat


def test_one_link_answered_at_once_by_many_wins_once(clock_server):
    from concurrent.futures import ThreadPoolExecutor

    s = clock_server
    campaign(s, scope=["FRA"])
    p = ping_for(s, poc_of(s, "FRA/officer"), "FRA/officer")
    tok = token_of(s, p["id"])
    with ThreadPoolExecutor(8) as ex:
        got = list(ex.map(lambda _: answer_link(s, tok, p["challenge"]), range(16)))
    codes = sorted(r.status_code for r in got)
    assert codes == [200] + [410] * 15, codes
    assert len({r.content for r in got if r.status_code == 410}) == 1


def test_malformed_answers(clock_server):
    s = clock_server
    campaign(s, scope=["FRA"])
    p = ping_for(s, poc_of(s, "FRA/officer"), "FRA/officer")
    path = "/api/v1/pings/%s/answer" % p["id"]
    tok = token_of(s, p["id"])
    for body, field in (({"challenge": 123456}, "challenge"), ({"challenge": "X" * 200},
                                                               "challenge"),
                        ({"challenge": p["challenge"], "token": tok}, "token"),
                        ({"challenge": p["challenge"], "extra": 1}, "extra")):
        assert_problem(s.post(path, who="FRA/officer", json=body), 400, field)
    for body, field in (({"token": 42}, "token"), ({"token": tok, "challenge": None},
                                                   "challenge"),
                        ({"token": tok, "ping": p["id"]}, "ping")):
        assert_problem(s.post("/api/v1/pings/answer", json=body), 400, field)
    for data in ("[]", "{", ""):
        assert_problem(s.post("/api/v1/pings/answer", data=data,
                              headers={"Content-Type": "application/json"}), 400)
    # None of that answered the ping.
    assert ping_for(s, p["poc"], "FRA/officer")["status"] == "open"
    r = answer_link(s, tok, p["challenge"])
    assert r.status_code == 200 and r.json()["correct"] is True, r.text
