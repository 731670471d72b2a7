"""A PoC's life: create, read, conditional reads and writes, delete, history, visibility."""
import re

import pytest

from conftest import assert_problem
from pocd_helpers import account_id, clean_log, etag_of, poc_body, state_pocs, without_receipt  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_log")

URL = "/api/v1/states/FRA/pocs"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _create(server, **overrides):
    r = server.post(URL, who="FRA/admin", json=poc_body(**overrides))
    assert r.status_code == 201, r.text
    return r


def test_create_returns_201_location_etag(server):
    body = poc_body()
    r = _create(server)
    doc = r.json()
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["Location"] == "/api/v1/pocs/" + doc["id"]
    etag_of(r)
    # the server adds id, state, revision and timestamps, and keeps what was sent
    assert re.match(r"^[a-z2-7]{26}$", doc["id"]), doc["id"]
    assert doc["state"] == "FRA" and doc["revision"] == 1
    assert RFC3339.match(doc["created_at"]) and doc["created_at"] == doc["updated_at"]
    for k, v in body.items():
        assert doc[k] == v, k
    assert doc["accounts"] == []


def test_ids_are_opaque_and_distinct(server):
    ids = {_create(server).json()["id"] for _ in range(5)}
    assert len(ids) == 5
    # not counters: no two share a long common prefix
    s = sorted(ids)
    assert all(a[:6] != b[:6] for a, b in zip(s, s[1:]))


def test_get_and_list(server):
    c = _create(server)
    pid = c.json()["id"]
    g = server.get("/api/v1/pocs/" + pid, who="FRA/admin")
    assert g.status_code == 200
    assert g.json() == without_receipt(c.json())
    assert g.headers["ETag"] == c.headers["ETag"]
    assert any(p["id"] == pid for p in state_pocs(server, "FRA", who="FRA/admin"))
    # every participant reads it; the Secretariat too
    for who in ("DEU/admin", "JPN/officer", "secretariat"):
        assert server.get("/api/v1/pocs/" + pid, who=who).status_code == 200
    assert_problem(server.get("/api/v1/pocs/" + pid), 401)


def test_if_none_match_gives_304(server):
    c = _create(server)
    loc, etag = c.headers["Location"], c.headers["ETag"]
    r = server.get(loc, who="FRA/admin", headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    assert r.headers["ETag"] == etag
    r = server.get(loc, who="DEU/admin", headers={"If-None-Match": '"other", ' + etag})
    assert r.status_code == 304
    r = server.get(loc, who="FRA/admin", headers={"If-None-Match": '"stale-1"'})
    assert r.status_code == 200 and r.json()["id"] == c.json()["id"]


def test_state_list_etag_and_304(server):
    r = server.get(URL, who="DEU/admin")
    etag = etag_of(r)
    assert server.get(URL, who="DEU/admin", headers={"If-None-Match": etag}).status_code == 304
    _create(server)
    r2 = server.get(URL, who="DEU/admin", headers={"If-None-Match": etag})
    assert r2.status_code == 200 and r2.headers["ETag"] != etag
    assert len(r2.json()["items"]) == len(r.json()["items"]) + 1


def test_put_needs_if_match(server):
    c = _create(server)
    r = server.put(c.headers["Location"], who="FRA/admin", json=poc_body(organisation="New"))
    assert_problem(r, 428)
    g = server.get(c.headers["Location"], who="FRA/admin").json()
    assert g["revision"] == 1 and g["organisation"] == c.json()["organisation"]


@pytest.mark.parametrize("stale", ['"{id}-2"', '"{id}-0"', '"someoneelse-1"', 'W/"{id}-1"',
                                   '{id}-1', '"{id}-1x"', '"{id}-"', '""'])
def test_put_with_stale_or_bad_etag_is_412(server, stale):
    c = _create(server)
    pid = c.json()["id"]
    r = server.put(c.headers["Location"], who="FRA/admin", json=poc_body(organisation="New"),
                   headers={"If-Match": stale.format(id=pid)})
    assert_problem(r, 412)
    assert server.get(c.headers["Location"], who="FRA/admin").json()["revision"] == 1


def test_put_with_right_etag(server):
    c = _create(server)
    loc, etag = c.headers["Location"], c.headers["ETag"]
    new = poc_body(organisation="CERT-FR renamed", rank="primary", availability="24/7",
                   phones=["+33199009999"])
    r = server.put(loc, who="FRA/admin", json=new, headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    doc = without_receipt(r.json())
    assert doc["revision"] == 2 and doc["id"] == c.json()["id"]
    assert doc["organisation"] == "CERT-FR renamed" and doc["availability"] == "24/7"
    assert doc["created_at"] == c.json()["created_at"]
    etag2 = etag_of(r)
    assert etag2 != etag
    assert server.get(loc, who="FRA/admin").json() == doc
    # the old ETag is stale now
    r = server.put(loc, who="FRA/admin", json=new, headers={"If-Match": etag})
    assert_problem(r, 412)
    # and the new one works, once
    r = server.put(loc, who="FRA/admin", json=new, headers={"If-Match": etag2})
    assert r.status_code == 200 and r.json()["revision"] == 3
    r = server.put(loc, who="FRA/admin", json=new, headers={"If-Match": etag2})
    assert_problem(r, 412)


def test_put_is_a_full_replacement_validated_like_post(server):
    c = _create(server)
    r = server.put(c.headers["Location"], who="FRA/admin", json={"organisation": "Only"},
                   headers={"If-Match": c.headers["ETag"]})
    assert_problem(r, 400, "kind")
    r = server.put(c.headers["Location"], who="FRA/admin", json=poc_body(state="DEU"),
                   headers={"If-Match": c.headers["ETag"]})
    assert_problem(r, 400, "state")
    g = server.get(c.headers["Location"], who="FRA/admin").json()
    assert g == without_receipt(c.json())


def test_admin2_and_admin_see_each_others_writes(server):
    c = _create(server)
    r = server.put(c.headers["Location"], who="FRA/admin2", json=poc_body(role_title="Other"),
                   headers={"If-Match": c.headers["ETag"]})
    assert r.status_code == 200 and r.json()["revision"] == 2
    # FRA/admin still holds revision 1: its write is refused, not lost silently
    r = server.put(c.headers["Location"], who="FRA/admin", json=poc_body(role_title="Mine"),
                   headers={"If-Match": c.headers["ETag"]})
    assert_problem(r, 412)


def test_delete(server):
    c = _create(server)
    loc, etag = c.headers["Location"], c.headers["ETag"]
    assert_problem(server.delete(loc, who="FRA/admin"), 428)
    assert_problem(server.delete(loc, who="FRA/admin",
                                 headers={"If-Match": '"%s-9"' % c.json()["id"]}), 412)
    assert server.get(loc, who="FRA/admin").status_code == 200
    r = server.delete(loc, who="FRA/admin", headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["removed"] is True
    assert r.json()["receipt"]["leaf"]
    assert_problem(server.get(loc, who="FRA/admin"), 404)
    assert_problem(server.delete(loc, who="FRA/admin", headers={"If-Match": etag}), 404)
    assert_problem(server.put(loc, who="FRA/admin", json=poc_body(),
                              headers={"If-Match": etag}), 404)
    assert all(p["id"] != c.json()["id"] for p in state_pocs(server, "FRA"))


def test_history(server):
    c = _create(server)
    pid, loc = c.json()["id"], c.headers["Location"]
    u = server.put(loc, who="FRA/admin2", json=poc_body(organisation="Renamed"),
                   headers={"If-Match": c.headers["ETag"]})
    assert u.status_code == 200
    h = server.get(loc + "/history", who="FRA/admin")
    assert h.status_code == 200
    items = h.json()["items"]
    assert [(i["revision"], i["op"]) for i in items] == [(1, "created"), (2, "changed")]
    assert items[0]["poc"]["organisation"] == c.json()["organisation"]
    assert items[1]["poc"]["organisation"] == "Renamed"
    assert items[0]["actor"] == account_id(server, "FRA/admin")
    assert items[1]["actor"] == account_id(server, "FRA/admin2")
    for i in items:
        assert RFC3339.match(i["at"])
    assert h.json()["next"] is None
    d = server.delete(loc, who="FRA/admin", headers={"If-Match": u.headers["ETag"]})
    assert d.status_code == 200
    # after deletion the history is still there, and records the removal
    h = server.get(loc + "/history", who="FRA/admin")
    assert h.status_code == 200, h.text
    items = h.json()["items"]
    assert [(i["revision"], i["op"]) for i in items] == [(1, "created"), (2, "changed"),
                                                          (3, "removed")]
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)
    # another state sees the history without accounts or actors
    h = server.get(loc + "/history", who="DEU/admin")
    assert h.status_code == 200
    for i in h.json()["items"]:
        assert i.get("actor") is None and "accounts" not in i["poc"]
    assert_problem(server.get("/api/v1/pocs/%s/history" % ("a" * 26), who="FRA/admin"), 404)
    assert_problem(server.get(loc + "/history"), 401)


def test_accounts_visible_to_owner_only(server):
    officer = account_id(server, "FRA/officer")
    admin2 = account_id(server, "FRA/admin2")
    c = _create(server, accounts=[officer, admin2])
    assert sorted(c.json()["accounts"]) == sorted([officer, admin2])
    loc = c.headers["Location"]
    assert sorted(server.get(loc, who="FRA/officer").json()["accounts"]) == \
        sorted([officer, admin2])
    for who in ("DEU/admin", "JPN/officer", "secretariat"):
        doc = server.get(loc, who=who).json()
        assert "accounts" not in doc, who
        assert doc["organisation"] == c.json()["organisation"]
    # in lists too
    deu_view = [p for p in state_pocs(server, "FRA", who="DEU/admin")]
    assert deu_view and all("accounts" not in p for p in deu_view)
    fra_view = [p for p in state_pocs(server, "FRA", who="FRA/admin")]
    assert all("accounts" in p for p in fra_view)
    d = server.get("/api/v1/directory?state=FRA", who="FRA/admin").json()["items"]
    assert all("accounts" not in p for p in d)


def test_demo_links_officer_and_admins(server):
    """The demo links FRA's officer to its primary technical PoC, the admins to the
    diplomatic one."""
    pocs = state_pocs(server, "FRA", who="FRA/admin")
    tech = [p for p in pocs if p["kind"] == "technical" and p["rank"] == "primary"]
    dipl = [p for p in pocs if p["kind"] == "diplomatic" and p["rank"] == "primary"]
    assert tech[0]["accounts"] == [account_id(server, "FRA/officer")]
    assert sorted(dipl[0]["accounts"]) == sorted([account_id(server, "FRA/admin"),
                                                  account_id(server, "FRA/admin2")])


def test_link_and_unlink_accounts(server):
    c = _create(server)
    officer = account_id(server, "FRA/officer")
    r = server.put(c.headers["Location"], who="FRA/admin", json=poc_body(accounts=[officer]),
                   headers={"If-Match": c.headers["ETag"]})
    assert r.status_code == 200 and r.json()["accounts"] == [officer]
    r = server.put(c.headers["Location"], who="FRA/admin", json=poc_body(),
                   headers={"If-Match": r.headers["ETag"]})
    assert r.status_code == 200 and r.json()["accounts"] == []


def test_disabled_account_cannot_be_linked(server):
    officer = account_id(server, "FRA/officer")
    r = server.patch("/api/v1/accounts/" + officer, who="FRA/admin", json={"disabled": True})
    assert r.status_code == 200
    r = server.post(URL, who="FRA/admin", json=poc_body(accounts=[officer]))
    assert_problem(r, 400, "accounts[0]")


def test_secretariat_account_cannot_be_linked(server):
    sec = account_id(server, "secretariat")
    r = server.post(URL, who="FRA/admin", json=poc_body(accounts=[sec]))
    assert_problem(r, 400, "accounts[0]")


def test_unicode_text_round_trips(server):
    names = {"organisation": "\u0648\u0632\u0627\u0631\u0629 \u0627\u0644\u062e\u0627\u0631\u062c\u064a\u0629",
             "role_title": "\u503c\u73ed\u5b98\u5458",
             "person_name": "\u0410\u043b\u0435\u043a\u0441 \u041f\u0440\u0438\u043c\u0435\u0440 \U0001F600"}
    c = _create(server, **names)
    g = server.get(c.headers["Location"], who="DEU/admin").json()
    for k, v in names.items():
        assert g[k] == v


def test_other_state_entries_are_not_writable_through_pocs_route(server):
    deu = state_pocs(server, "DEU")[0]
    loc = "/api/v1/pocs/" + deu["id"]
    etag = server.get(loc, who="FRA/admin").headers["ETag"]
    assert_problem(server.put(loc, who="FRA/admin", json=poc_body(),
                              headers={"If-Match": etag}), 403)
    assert_problem(server.delete(loc, who="FRA/admin", headers={"If-Match": etag}), 403)
    assert server.get(loc, who="DEU/admin").json()["revision"] == deu["revision"]


def test_concurrent_puts_with_one_etag_one_wins(server):
    """Two admins racing with the same ETag: exactly one write lands, the rest get 412."""
    import threading

    c = _create(server)
    server.token("FRA/admin")
    server.token("FRA/admin2")
    res, lock = [], threading.Lock()

    def put(i):
        r = server.put(c.headers["Location"], who=("FRA/admin", "FRA/admin2")[i % 2],
                       json=poc_body(role_title="Racer %d" % i),
                       headers={"If-Match": c.headers["ETag"]})
        with lock:
            res.append(r)

    ts = [threading.Thread(target=put, args=(i,)) for i in range(10)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    codes = sorted(r.status_code for r in res)
    assert codes == [200] + [412] * 9, codes
    winner = without_receipt(next(r for r in res if r.status_code == 200).json())
    g = server.get(c.headers["Location"], who="FRA/admin").json()
    assert g == winner and g["revision"] == 2
    h = server.get(c.headers["Location"] + "/history", who="FRA/admin").json()["items"]
    assert [i["revision"] for i in h] == [1, 2]


def test_failed_write_in_a_batch_leaves_the_others(server):
    """Writes that fail in the writer (a foreign account) while others commit alongside:
    the good ones all land, the bad ones leave nothing behind."""
    import threading

    deu = account_id(server, "DEU/admin")
    server.token("FRA/admin")
    server.token("FRA/admin2")
    before = {p["id"] for p in state_pocs(server, "FRA")}
    res, lock = [], threading.Lock()

    def post(i):
        bad = i % 2 == 1
        r = server.post(URL, who=("FRA/admin", "FRA/admin2")[i % 2],
                        json=poc_body(organisation="Batch %d" % i,
                                      accounts=[deu] if bad else None))
        with lock:
            res.append((bad, r))

    ts = [threading.Thread(target=post, args=(i,)) for i in range(24)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    good = [r for bad, r in res if not bad]
    assert all(r.status_code == 201 for r in good), [r.text for r in good][:3]
    for bad, r in res:
        if bad:
            assert_problem(r, 400, "accounts[0]")
    after = state_pocs(server, "FRA")
    assert {p["id"] for p in after} == before | {r.json()["id"] for r in good}
    orgs = {p["organisation"] for p in after}
    assert not any("Batch %d" % i in orgs for i in range(1, 24, 2))


def test_delete_a_poc_with_linked_accounts(server):
    pocs = state_pocs(server, "FRA", who="FRA/admin")
    tech = next(p for p in pocs if p["kind"] == "technical" and p["rank"] == "primary")
    assert tech["accounts"]
    loc = "/api/v1/pocs/" + tech["id"]
    etag = server.get(loc, who="FRA/admin").headers["ETag"]
    assert server.delete(loc, who="FRA/admin", headers={"If-Match": etag}).status_code == 200
    assert_problem(server.get(loc, who="FRA/admin"), 404)
    # the linked officer's account is untouched and can be linked again
    assert server.get("/api/v1/me", who="FRA/officer").status_code == 200
    r = server.post(URL, who="FRA/admin", json=poc_body(accounts=tech["accounts"]))
    assert r.status_code == 201 and r.json()["accounts"] == tech["accounts"]


def test_head_gives_headers_without_body(server):
    import requests

    c = _create(server)
    for path in (c.headers["Location"], "/api/v1/directory", URL):
        g = server.get(path, who="FRA/admin")
        h = requests.head(server.url + path, headers=server.headers("FRA/admin"))
        assert h.status_code == 200 and h.content == b""
        assert h.headers["ETag"] == g.headers["ETag"]


def test_if_match_star(server):
    """If-Match: * matches any current entry (RFC 9110), and no missing one."""
    c = _create(server)
    r = server.put(c.headers["Location"], who="FRA/admin", json=poc_body(role_title="Star"),
                   headers={"If-Match": "*"})
    assert r.status_code == 200 and r.json()["revision"] == 2
    r = server.delete(c.headers["Location"], who="FRA/admin", headers={"If-Match": "*"})
    assert r.status_code == 200
    r = server.put(c.headers["Location"], who="FRA/admin", json=poc_body(),
                   headers={"If-Match": "*"})
    assert_problem(r, 404)
