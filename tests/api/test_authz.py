"""The authorization matrix: every write route x every kind of caller.

The objects acted on are FRA's: one of its PoCs, its state record, its officer's account.
Callers: the Secretariat, FRA's own state_admin, another state's state_admin (DEU), FRA's
officer, and nobody (no credentials). Authorization is decided before the body is
validated, so a caller who may not act gets 403 even for a malformed body.
"""
import pytest
import requests

from conftest import assert_problem
from pocd_helpers import account_id, clean_log, poc_body, state_pocs  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_log")

CALLERS = ["secretariat", "FRA/admin", "DEU/admin", "FRA/officer", None]
CALLER_IDS = ["secretariat", "own_admin", "other_admin", "officer", "anonymous"]

MALFORMED = b'{"kind": "technical", '  # truncated JSON


def _target_poc(server):
    """FRA's alternate technical PoC (no linked accounts) and its ETag."""
    pocs = [p for p in state_pocs(server, "FRA")
            if p["kind"] == "technical" and p["rank"] == "alternate"]
    assert pocs, "the demo gives FRA an alternate technical PoC"
    r = server.get("/api/v1/pocs/" + pocs[0]["id"], who="FRA/admin")
    assert r.status_code == 200
    return pocs[0]["id"], r.headers["ETag"]


def _send(server, method, path, who, body=None, raw=None, headers=None):
    h = dict(headers or {})
    kw = {}
    if raw is not None:
        h.setdefault("Content-Type", "application/json")
        kw["data"] = raw
    elif body is not None:
        kw["json"] = body
    fn = getattr(server, method)
    return fn(path, who=who, headers=h, **kw)


def _snapshot(server):
    """What a refused write must leave untouched: FRA's PoCs, its state, its accounts."""
    pocs = state_pocs(server, "FRA", who="secretariat")
    st = server.get("/api/v1/states/FRA", who="secretariat").json()
    acc = server.get("/api/v1/states/FRA/accounts", who="secretariat")
    assert acc.status_code == 200, acc.text
    return pocs, st, acc.json()["items"]


# Each route: how to call it, with a good body and with a malformed one, and the expected
# status per caller (secretariat, own admin, other admin, officer, anonymous).
def r_poc_create(server, who, good):
    if good:
        return _send(server, "post", "/api/v1/states/FRA/pocs", who, body=poc_body())
    return _send(server, "post", "/api/v1/states/FRA/pocs", who, raw=MALFORMED)


def r_poc_put(server, who, good):
    pid, etag = _target_poc(server)
    if good:
        # The entry's own e-mail and key: a change of those waits for a second admin (202,
        # test_poc_changes.py).
        cur = server.get("/api/v1/pocs/" + pid, who="FRA/admin").json()
        body = poc_body(organisation="CERT-FR renamed", email=cur["email"],
                        pgp_fingerprint=cur.get("pgp_fingerprint"))
        return _send(server, "put", "/api/v1/pocs/" + pid, who, body=body,
                     headers={"If-Match": etag})
    return _send(server, "put", "/api/v1/pocs/" + pid, who, raw=MALFORMED,
                 headers={"If-Match": etag})


def r_poc_delete(server, who, good):
    pid, etag = _target_poc(server)
    # DELETE takes no body: the "malformed" request lacks its If-Match precondition.
    return _send(server, "delete", "/api/v1/pocs/" + pid, who,
                 headers={"If-Match": etag} if good else {})


def r_state_patch(server, who, good):
    if good:
        return _send(server, "patch", "/api/v1/states/FRA", who, body={"participating": True})
    return _send(server, "patch", "/api/v1/states/FRA", who, raw=b'{"participating": yes}')


def r_enrolment(server, who, good):
    # The Secretariat enrols a state's first admin; a state admin enrols officers.
    role = "state_admin" if who == "secretariat" else "officer"
    if good:
        return _send(server, "post", "/api/v1/states/FRA/enrolments", who, body={"role": role})
    return _send(server, "post", "/api/v1/states/FRA/enrolments", who, raw=b'["officer"')


def r_account_patch(server, who, good):
    target = server.creds["states"]["FRA"]["officer"]
    # The account id of FRA's officer, read through its own /me with a fresh session, so
    # that the officer's cached token (a caller in this matrix) stays untouched.
    tok = server.login(target["username"], target["password"])
    me = requests.get(server.url + "/api/v1/me", headers={"Authorization": "Bearer " + tok})
    aid = me.json()["id"]
    if good:
        return _send(server, "patch", "/api/v1/accounts/" + aid, who, body={"disabled": True})
    return _send(server, "patch", "/api/v1/accounts/" + aid, who, raw=b'{"disabled": tru}')


def r_logout(server, who, good):
    # Logout acts on the caller's own session: any logged-in caller may; it ignores bodies.
    return _send(server, "post", "/api/v1/logout", who,
                 raw=None if good else MALFORMED)


def r_password(server, who, good):
    cur = server.account(who)["password"] if who is not None else "x" * 20
    if good:
        return _send(server, "post", "/api/v1/me/password", who,
                     body={"current_password": cur, "new_password": "a-new-long-passphrase"})
    return _send(server, "post", "/api/v1/me/password", who, raw=b'{"current_password": ')


ROUTES = {
    # route name: (call, expected with a good body, expected with a malformed one)
    "POST /states/{code}/pocs": (r_poc_create, [403, 201, 403, 403, 401],
                                 [403, 400, 403, 403, 401]),
    "PUT /pocs/{id}": (r_poc_put, [403, 200, 403, 403, 401], [403, 400, 403, 403, 401]),
    # without If-Match the own admin gets 428; the others are refused before that check
    "DELETE /pocs/{id}": (r_poc_delete, [403, 200, 403, 403, 401], [403, 428, 403, 403, 401]),
    "PATCH /states/{code}": (r_state_patch, [200, 403, 403, 403, 401],
                             [400, 403, 403, 403, 401]),
    # FRA has admins already: the Secretariat may ask, but gets 409 (it enrols first admins)
    "POST /states/{code}/enrolments": (r_enrolment, [409, 201, 403, 403, 401],
                                       [400, 400, 403, 403, 401]),
    "PATCH /accounts/{id}": (r_account_patch, [403, 200, 403, 403, 401],
                             [403, 400, 403, 403, 401]),
    "POST /logout": (r_logout, [204, 204, 204, 204, 401], [204, 204, 204, 204, 401]),
    "POST /me/password": (r_password, [204, 204, 204, 204, 401], [400, 400, 400, 400, 401]),
}

CASES = []
for name, (fn, good, bad) in ROUTES.items():
    for i, who in enumerate(CALLERS):
        CASES.append(pytest.param(fn, who, True, good[i], id="%s-%s-good" % (name, CALLER_IDS[i])))
        CASES.append(pytest.param(fn, who, False, bad[i],
                                  id="%s-%s-malformed" % (name, CALLER_IDS[i])))


@pytest.mark.parametrize("call,who,good,expected", CASES)
def test_write_matrix(server, call, who, good, expected):
    for w in CALLERS:  # log everyone in first: the officer's token must exist before it is
        if w is not None:  # disabled, and logins are not what is tested here
            server.token(w)
    before = _snapshot(server)
    r = call(server, who, good)
    assert r.status_code < 500, (r.status_code, r.text)
    if expected >= 400:
        assert_problem(r, expected)
        if expected == 401:
            assert "WWW-Authenticate" in r.headers
        assert _snapshot(server) == before, "a refused write changed data"
        return
    assert r.status_code == expected, r.text
    _check_effect(server, call, who, r)


def _check_effect(server, call, who, r):
    """The allowed caller's write really happened."""
    if call is r_poc_create:
        loc = r.headers["Location"]
        assert server.get(loc, who="FRA/admin").status_code == 200
    elif call is r_poc_put:
        assert r.json()["revision"] == 2 and r.json()["organisation"] == "CERT-FR renamed"
    elif call is r_poc_delete:
        pocs = state_pocs(server, "FRA")
        assert not any(p["kind"] == "technical" and p["rank"] == "alternate" for p in pocs)
    elif call is r_state_patch:
        assert r.json()["participating"] is True
    elif call is r_enrolment:
        assert r.json()["state"] == "FRA" and len(r.json()["token"]) == 43
    elif call is r_account_patch:
        assert r.json()["disabled"] is True
        assert_problem(server.get("/api/v1/me", who="FRA/officer"), 401)
    elif call is r_logout:
        assert_problem(server.get("/api/v1/me", who=who), 401)
    elif call is r_password:
        c = server.account(who)
        server.login(c["username"], "a-new-long-passphrase")


@pytest.mark.parametrize("call", [v[0] for v in ROUTES.values()], ids=list(ROUTES))
def test_bad_token_is_401(server, call):
    """A syntactically valid but unknown token is refused like no token at all."""
    bogus = "A" * 43
    server._tokens["bogus"] = bogus
    server.creds["states"]["ZZZ"] = {"bogus": {"username": "nobody", "password": "x" * 20}}
    server._tokens["ZZZ/bogus"] = bogus
    r = call(server, "ZZZ/bogus", True)
    assert_problem(r, 401)
    assert "WWW-Authenticate" in r.headers


@pytest.mark.parametrize("header", ["Basic Zm9vOmJhcg==", "Bearer", "Bearer short",
                                    "Bearer " + "A" * 44])
def test_malformed_authorization_is_401(server, header):
    r = requests.post(server.url + "/api/v1/states/FRA/pocs", json=poc_body(),
                      headers={"Authorization": header})
    assert_problem(r, 401)


WRONG_TYPE_CASES = [
    ("post", "/api/v1/states/FRA/pocs", "DEU/admin"),
    ("post", "/api/v1/states/FRA/pocs", "FRA/officer"),
    ("put", "/api/v1/pocs/{poc}", "DEU/admin"),
    ("patch", "/api/v1/states/FRA", "FRA/admin"),
    ("post", "/api/v1/states/FRA/enrolments", "DEU/admin"),
    ("patch", "/api/v1/accounts/{officer}", "DEU/admin"),
]


@pytest.mark.parametrize("method,path,who", WRONG_TYPE_CASES,
                         ids=["%s %s as %s" % c for c in WRONG_TYPE_CASES])
def test_forbidden_whatever_the_content_type(server, method, path, who):
    """'A caller who may not act gets 403 whatever it sent' (issue 2): a wrong Content-Type
    is part of what it sent, so it must not turn the refusal into a 415."""
    pid, etag = _target_poc(server)
    path = path.format(poc=pid, officer=account_id(server, "FRA/officer"))
    before = _snapshot(server)
    r = getattr(server, method)(path, who=who, data=b"kind=technical",
                                headers={"Content-Type": "application/x-www-form-urlencoded",
                                         "If-Match": etag})
    assert_problem(r, 403)
    assert _snapshot(server) == before


def test_own_admin_cannot_write_into_another_state(server):
    """FRA's admin posting to DEU's list is refused, and nothing lands in either list."""
    fra, deu = state_pocs(server, "FRA"), state_pocs(server, "DEU")
    r = server.post("/api/v1/states/DEU/pocs", who="FRA/admin", json=poc_body())
    assert_problem(r, 403)
    assert state_pocs(server, "FRA") == fra and state_pocs(server, "DEU") == deu


def test_other_admin_cannot_disable_foreign_account(server):
    aid = account_id(server, "FRA/officer")
    r = server.patch("/api/v1/accounts/" + aid, who="DEU/admin", json={"disabled": True})
    assert_problem(r, 403)
    assert server.get("/api/v1/me", who="FRA/officer").status_code == 200


def test_accounts_list_is_for_own_admins_and_secretariat(server):
    assert server.get("/api/v1/states/FRA/accounts", who="FRA/admin").status_code == 200
    assert server.get("/api/v1/states/FRA/accounts", who="secretariat").status_code == 200
    assert_problem(server.get("/api/v1/states/FRA/accounts", who="DEU/admin"), 403)
    assert_problem(server.get("/api/v1/states/FRA/accounts", who="FRA/officer"), 403)
    assert_problem(server.get("/api/v1/states/FRA/accounts"), 401)


def test_non_participating_state_reads_nothing(server):
    """An account of a state that left the directory reads none of it, at once; its token
    still authenticates (for /me)."""
    some_poc = state_pocs(server, "FRA")[0]["id"]
    tok = server.token("DEU/admin")
    deu_seen = server.get("/api/v1/states/DEU/pocs", who="FRA/admin").json()["items"]
    assert len(deu_seen) >= 3
    assert server.get("/api/v1/directory", who="DEU/admin").status_code == 200
    r = server.patch("/api/v1/states/DEU", who="secretariat", json={"participating": False})
    assert r.status_code == 200, r.text
    assert r.json()["participating"] is False
    assert_problem(server.get("/api/v1/directory", who="DEU/admin"), 403)
    assert_problem(server.get("/api/v1/directory?format=csv", who="DEU/admin"), 403)
    assert_problem(server.get("/api/v1/states/FRA/pocs", who="DEU/admin"), 403)
    assert_problem(server.get("/api/v1/states/DEU/pocs", who="DEU/admin"), 403)
    assert_problem(server.get("/api/v1/pocs/" + some_poc, who="DEU/admin"), 403)
    assert_problem(server.get("/api/v1/pocs/%s/history" % some_poc, who="DEU/admin"), 403)
    # and it may not write its own entries while out
    assert_problem(server.post("/api/v1/states/DEU/pocs", who="DEU/admin",
                               json=poc_body(time_zone="Europe/Berlin")), 403)
    me = server.get("/api/v1/me", who="DEU/admin")
    assert me.status_code == 200 and me.json()["participating"] is False
    assert server.token("DEU/admin") == tok
    # the officer of the same state likewise; a participant still reads
    assert_problem(server.get("/api/v1/directory", who="DEU/officer"), 403)
    assert server.get("/api/v1/directory", who="FRA/officer").status_code == 200
    # DEU's entries left the directory that others see
    d = server.get("/api/v1/directory?state=DEU", who="FRA/admin")
    assert d.status_code == 200 and d.json()["items"] == []
    d = server.get("/api/v1/states/DEU/pocs", who="FRA/admin")
    assert d.status_code == 200 and d.json()["items"] == []
