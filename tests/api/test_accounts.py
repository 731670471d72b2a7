"""Accounts: enrolment links, disabling, passwords, logout, throttling, cookie sessions,
participation changes."""
import pytest
import requests

from conftest import assert_problem
from pocd_helpers import account_id, clean_log, poc_body  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_log")

NEW_PW = "correct horse battery staple"


def _login(server, username, password):
    return requests.post(server.url + "/api/v1/login",
                         json={"username": username, "password": password})


def _bearer(tok):
    return {"Authorization": "Bearer " + tok}


def _state_without_admin(server):
    """A participating state that is not one of the demo's eight login states."""
    states = server.get("/api/v1/states", who="secretariat").json()["items"]
    for st in states:
        if st["participating"] and st["code"] not in server.creds["states"]:
            acc = server.get("/api/v1/states/%s/accounts" % st["code"], who="secretariat")
            assert acc.status_code == 200
            if not acc.json()["items"]:
                return st["code"]
    raise AssertionError("no participating state without accounts")


def test_login_response(server):
    c = server.account("FRA/admin")
    r = _login(server, c["username"], c["password"])
    assert r.status_code == 200
    doc = r.json()
    assert len(doc["token"]) == 43 and doc["expires_at"].endswith("Z")
    assert doc["account"]["username"] == c["username"]
    assert doc["account"]["role"] == "state_admin" and doc["account"]["state"] == "FRA"
    assert "no-store" in r.headers.get("Cache-Control", "")
    # two logins give two different tokens
    assert _login(server, c["username"], c["password"]).json()["token"] != doc["token"]


def test_login_refusals(server):
    c = server.account("FRA/admin")
    assert_problem(_login(server, c["username"], c["password"] + "x"), 401)
    assert_problem(_login(server, "no-such-user", c["password"]), 401)
    assert_problem(_login(server, c["username"].upper(), c["password"]), 401)
    r = requests.post(server.url + "/api/v1/login", json={"username": c["username"]})
    assert_problem(r, 400, "password")


def test_me_for_each_role(server):
    for who, role, state in (("secretariat", "secretariat", None),
                             ("FRA/admin", "state_admin", "FRA"),
                             ("KEN/officer", "officer", "KEN")):
        me = server.get("/api/v1/me", who=who)
        assert me.status_code == 200
        doc = me.json()
        assert doc["role"] == role and doc.get("state") == state
        assert doc["username"] == server.account(who)["username"]
        assert doc["participating"] is True


def test_enrolment_of_a_first_admin(server):
    code = _state_without_admin(server)
    r = server.post("/api/v1/states/%s/enrolments" % code, who="secretariat",
                    json={"role": "state_admin"})
    assert r.status_code == 201, r.text
    e = r.json()
    assert e["state"] == code and e["role"] == "state_admin"
    assert len(e["token"]) == 43 and e["token"] in e["url"]
    assert "no-store" in r.headers.get("Cache-Control", "")
    # the Secretariat never learns the password: the new admin chooses it
    user = code.lower() + "-focal"
    r = requests.post(server.url + "/api/v1/enrol",
                      json={"token": e["token"], "username": user, "password": NEW_PW})
    assert r.status_code == 201, r.text
    acc = r.json()
    assert acc["username"] == user and acc["role"] == "state_admin" and acc["state"] == code
    # the new admin logs in and acts for its state
    t = _login(server, user, NEW_PW)
    assert t.status_code == 200, t.text
    tok = t.json()["token"]
    me = requests.get(server.url + "/api/v1/me", headers=_bearer(tok)).json()
    assert me["id"] == acc["id"] and me["state"] == code
    p = requests.post(server.url + "/api/v1/states/%s/pocs" % code, headers=_bearer(tok),
                      json=poc_body(time_zone="UTC"))
    assert p.status_code == 201, p.text
    assert p.json()["state"] == code
    # and not for another
    p = requests.post(server.url + "/api/v1/states/FRA/pocs", headers=_bearer(tok),
                      json=poc_body())
    assert_problem(p, 403)
    # the link is one-time
    r = requests.post(server.url + "/api/v1/enrol",
                      json={"token": e["token"], "username": user + "2", "password": NEW_PW})
    assert_problem(r, 410)
    # now the state has an admin: the Secretariat no longer enrols for it
    r = server.post("/api/v1/states/%s/enrolments" % code, who="secretariat",
                    json={"role": "state_admin"})
    assert_problem(r, 409)
    acc_list = server.get("/api/v1/states/%s/accounts" % code, who="secretariat").json()
    assert [a["username"] for a in acc_list["items"]] == [user]


def test_enrolment_refusals(server):
    # FRA has admins: 409 for the Secretariat
    r = server.post("/api/v1/states/FRA/enrolments", who="secretariat",
                    json={"role": "state_admin"})
    assert_problem(r, 409)
    # the Secretariat does not enrol officers
    code = _state_without_admin(server)
    r = server.post("/api/v1/states/%s/enrolments" % code, who="secretariat",
                    json={"role": "officer"})
    assert_problem(r, 400, "role")
    # unknown state
    r = server.post("/api/v1/states/ZZZ/enrolments", who="secretariat",
                    json={"role": "state_admin"})
    assert r.status_code in (404, 403), r.text
    assert_problem(r, r.status_code)
    # unknown, malformed and empty enrolment tokens
    for tok in ("A" * 43, "short", ""):
        r = requests.post(server.url + "/api/v1/enrol",
                          json={"token": tok, "username": "someone", "password": NEW_PW})
        assert_problem(r, 410 if tok else r.status_code)
        assert r.status_code in (400, 410)


def test_admin_enrols_an_officer_of_its_own_state_only(server):
    r = server.post("/api/v1/states/FRA/enrolments", who="FRA/admin", json={"role": "officer"})
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "officer" and r.json()["state"] == "FRA"
    tok = r.json()["token"]
    r = server.post("/api/v1/states/DEU/enrolments", who="FRA/admin", json={"role": "officer"})
    assert_problem(r, 403)
    r = server.post("/api/v1/states/FRA/enrolments", who="FRA/officer",
                    json={"role": "officer"})
    assert_problem(r, 403)
    r = requests.post(server.url + "/api/v1/enrol",
                      json={"token": tok, "username": "fra-officer2", "password": NEW_PW})
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "officer" and r.json()["state"] == "FRA"
    new_tok = _login(server, "fra-officer2", NEW_PW).json()["token"]
    # an officer reads the directory but writes no PoC
    assert requests.get(server.url + "/api/v1/directory",
                        headers=_bearer(new_tok)).status_code == 200
    assert_problem(requests.post(server.url + "/api/v1/states/FRA/pocs",
                                 headers=_bearer(new_tok), json=poc_body()), 403)


def test_enrol_with_taken_username_is_409_and_keeps_the_link(server):
    r = server.post("/api/v1/states/FRA/enrolments", who="FRA/admin", json={"role": "officer"})
    tok = r.json()["token"]
    taken = server.account("DEU/admin")["username"]
    r = requests.post(server.url + "/api/v1/enrol",
                      json={"token": tok, "username": taken, "password": NEW_PW})
    assert_problem(r, 409, "username")
    # the failed attempt did not use up the link
    r = requests.post(server.url + "/api/v1/enrol",
                      json={"token": tok, "username": "fra-fresh", "password": NEW_PW})
    assert r.status_code == 201, r.text


def test_enrol_with_weak_password_is_400(server):
    r = server.post("/api/v1/states/FRA/enrolments", who="FRA/admin", json={"role": "officer"})
    tok = r.json()["token"]
    r = requests.post(server.url + "/api/v1/enrol",
                      json={"token": tok, "username": "fra-weak", "password": "short"})
    assert_problem(r, 400, "password")


def test_disabling_an_officer(server):
    officer = server.account("FRA/officer")
    old_tok = server.token("FRA/officer")
    assert server.get("/api/v1/me", who="FRA/officer").status_code == 200
    oid = account_id(server, "FRA/officer")
    r = server.patch("/api/v1/accounts/" + oid, who="FRA/admin", json={"disabled": True})
    assert r.status_code == 200, r.text
    assert r.json()["disabled"] is True and r.json()["id"] == oid
    # the existing token stops working at once, and so does the password
    r = requests.get(server.url + "/api/v1/me", headers=_bearer(old_tok))
    assert_problem(r, 401)
    assert_problem(_login(server, officer["username"], officer["password"]), 401)
    accs = server.get("/api/v1/states/FRA/accounts", who="FRA/admin").json()["items"]
    assert next(a for a in accs if a["id"] == oid)["disabled"] is True
    # re-enabled, it logs in again; the old token stays dead
    r = server.patch("/api/v1/accounts/" + oid, who="FRA/admin2", json={"disabled": False})
    assert r.status_code == 200 and r.json()["disabled"] is False
    assert _login(server, officer["username"], officer["password"]).status_code == 200
    assert_problem(requests.get(server.url + "/api/v1/me", headers=_bearer(old_tok)), 401)


def test_cannot_disable_itself(server):
    me = account_id(server, "FRA/admin")
    r = server.patch("/api/v1/accounts/" + me, who="FRA/admin", json={"disabled": True})
    assert_problem(r, 409)
    assert server.get("/api/v1/me", who="FRA/admin").status_code == 200


def test_admin_can_disable_the_other_admin(server):
    other = account_id(server, "FRA/admin2")
    r = server.patch("/api/v1/accounts/" + other, who="FRA/admin", json={"disabled": True})
    assert r.status_code == 200
    c = server.account("FRA/admin2")
    assert_problem(_login(server, c["username"], c["password"]), 401)


def test_password_change(server):
    c = server.account("FRA/officer")
    r = server.post("/api/v1/me/password", who="FRA/officer",
                    json={"current_password": "not-the-password", "new_password": NEW_PW})
    assert_problem(r, 400, "current_password")
    assert _login(server, c["username"], c["password"]).status_code == 200
    r = server.post("/api/v1/me/password", who="FRA/officer",
                    json={"current_password": c["password"], "new_password": "short"})
    assert_problem(r, 400, "new_password")
    r = server.post("/api/v1/me/password", who="FRA/officer",
                    json={"current_password": c["password"], "new_password": NEW_PW})
    assert r.status_code == 204, r.text
    assert _login(server, c["username"], NEW_PW).status_code == 200
    assert_problem(_login(server, c["username"], c["password"]), 401)


def test_logout(server):
    tok = server.token("FRA/admin")
    other = server.token("FRA/admin2")
    r = server.post("/api/v1/logout", who="FRA/admin")
    assert r.status_code == 204
    assert_problem(requests.get(server.url + "/api/v1/me", headers=_bearer(tok)), 401)
    assert_problem(requests.post(server.url + "/api/v1/logout", headers=_bearer(tok)), 401)
    # another session of the same state is untouched
    assert requests.get(server.url + "/api/v1/me", headers=_bearer(other)).status_code == 200


def test_logout_ends_only_that_session(server):
    c = server.account("FRA/admin")
    t1 = _login(server, c["username"], c["password"]).json()["token"]
    t2 = _login(server, c["username"], c["password"]).json()["token"]
    assert requests.post(server.url + "/api/v1/logout", headers=_bearer(t1)).status_code == 204
    assert_problem(requests.get(server.url + "/api/v1/me", headers=_bearer(t1)), 401)
    assert requests.get(server.url + "/api/v1/me", headers=_bearer(t2)).status_code == 200


def test_login_throttling(server):
    c = server.account("FRA/officer")
    for _ in range(5):
        assert_problem(_login(server, c["username"], "wrong password " * 2), 401)
    r = _login(server, c["username"], c["password"])
    assert_problem(r, 429)
    assert int(r.headers["Retry-After"]) > 0
    # the pair (account, address) is throttled, not the address: another account logs in
    d = server.account("FRA/admin")
    assert _login(server, d["username"], d["password"]).status_code == 200


def test_throttling_counts_only_failures(server):
    c = server.account("DEU/officer")
    for _ in range(4):
        assert_problem(_login(server, c["username"], "wrong password " * 2), 401)
    # a success resets the count
    assert _login(server, c["username"], c["password"]).status_code == 200
    for _ in range(4):
        assert_problem(_login(server, c["username"], "wrong password " * 2), 401)
    assert _login(server, c["username"], c["password"]).status_code == 200


def test_cookie_session(server):
    c = server.account("FRA/admin")
    r = _login(server, c["username"], c["password"])
    assert r.status_code == 200
    tok, csrf = r.json()["token"], r.json()["csrf_token"]
    sc = r.headers["Set-Cookie"]
    attrs = [a.strip().lower() for a in sc.split(";")]
    assert sc.startswith("pocd_session=" + tok)
    assert "httponly" in attrs and "samesite=strict" in attrs and "path=/" in attrs
    jar = {"Cookie": "pocd_session=" + tok}
    me = requests.get(server.url + "/api/v1/me", headers=jar)
    assert me.status_code == 200 and me.json()["username"] == c["username"]
    assert requests.get(server.url + "/api/v1/directory?state=FRA",
                        headers=jar).status_code == 200
    # an unsafe method with only the cookie needs the CSRF token
    r = requests.post(server.url + "/api/v1/states/FRA/pocs", headers=jar, json=poc_body())
    assert_problem(r, 403)
    r = requests.post(server.url + "/api/v1/states/FRA/pocs",
                      headers={**jar, "X-CSRF-Token": "A" * 43}, json=poc_body())
    assert_problem(r, 403)
    other = _login(server, c["username"], c["password"]).json()["csrf_token"]
    r = requests.post(server.url + "/api/v1/states/FRA/pocs",
                      headers={**jar, "X-CSRF-Token": other}, json=poc_body())
    assert_problem(r, 403)
    pocs = server.get("/api/v1/states/FRA/pocs", who="FRA/admin").json()["items"]
    r = requests.post(server.url + "/api/v1/states/FRA/pocs",
                      headers={**jar, "X-CSRF-Token": csrf}, json=poc_body())
    assert r.status_code == 201, r.text
    after = server.get("/api/v1/states/FRA/pocs", who="FRA/admin").json()["items"]
    assert len(after) == len(pocs) + 1
    # logout by cookie clears the cookie and ends the session
    r = requests.post(server.url + "/api/v1/logout", headers={**jar, "X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert "max-age=0" in r.headers.get("Set-Cookie", "").lower()
    assert_problem(requests.get(server.url + "/api/v1/me", headers=jar), 401)


def test_cookie_among_other_cookies(server):
    c = server.account("FRA/admin")
    tok = _login(server, c["username"], c["password"]).json()["token"]
    h = {"Cookie": "theme=dark; xpocd_session=zzz; pocd_session=%s; lang=fr" % tok}
    assert requests.get(server.url + "/api/v1/me", headers=h).status_code == 200
    h = {"Cookie": "pocd_session=" + "A" * 43}
    assert_problem(requests.get(server.url + "/api/v1/me", headers=h), 401)


def test_participation_change_applies_at_once(server):
    tok = server.token("BRA/officer")
    assert server.get("/api/v1/directory", who="BRA/officer").status_code == 200
    assert server.get("/api/v1/me", who="BRA/officer").json()["participating"] is True
    r = server.patch("/api/v1/states/BRA", who="secretariat", json={"participating": False})
    assert r.status_code == 200 and r.json()["participating"] is False
    assert r.json()["participating_since"] is None
    assert_problem(server.get("/api/v1/directory", who="BRA/officer"), 403)
    assert server.get("/api/v1/me", who="BRA/officer").json()["participating"] is False
    st = server.get("/api/v1/states/BRA", who="FRA/admin").json()
    assert st["participating"] is False
    r = server.patch("/api/v1/states/BRA", who="secretariat", json={"participating": True})
    assert r.status_code == 200 and r.json()["participating"] is True
    assert r.json()["participating_since"]
    assert server.get("/api/v1/directory", who="BRA/officer").status_code == 200
    assert server.token("BRA/officer") == tok
    # admitting a new state lets its accounts in, and its entries appear
    code = _state_without_admin(server)
    server.patch("/api/v1/states/%s" % code, who="secretariat", json={"participating": False})
    d = server.get("/api/v1/directory?state=" + code, who="FRA/admin").json()["items"]
    assert d == []
    server.patch("/api/v1/states/%s" % code, who="secretariat", json={"participating": True})
    d = server.get("/api/v1/directory?state=" + code, who="FRA/admin").json()["items"]
    assert len(d) >= 3


def test_log_has_one_line_per_request_and_no_secrets(server):
    """The request log names method, path, status and account, never a password or token."""
    code = _state_without_admin(server)
    e = server.post("/api/v1/states/%s/enrolments" % code, who="secretariat",
                    json={"role": "state_admin"}).json()
    r = requests.post(server.url + "/api/v1/enrol",
                      json={"token": e["token"], "username": "new-focal", "password": NEW_PW})
    assert r.status_code == 201
    t = _login(server, "new-focal", NEW_PW).json()
    secret_query = "q=" + "s3cr3t-in-query"
    assert requests.get(server.url + "/api/v1/directory?" + secret_query,
                        headers=_bearer(t["token"])).status_code == 200
    fra = server.account("FRA/admin")
    fra_tok = server.token("FRA/admin")
    assert server.stop() == 0
    with open(str(server.db) + ".log", encoding="utf-8", errors="replace") as f:
        log = f.read()
    for secret in (e["token"], NEW_PW, t["token"], t["csrf_token"], fra["password"], fra_tok,
                   "s3cr3t-in-query", server.creds["secretariat"]["password"]):
        assert secret not in log, secret
    lines = [l for l in log.splitlines() if " /api/v1/" in l]
    assert any("POST /api/v1/enrol 201" in l for l in lines), lines[-5:]
    assert any("GET /api/v1/directory 200" in l and r.json()["id"] in l for l in lines)


def test_password_change_ends_other_sessions(server):
    c = server.account("FRA/admin2")
    mine = server.token("FRA/admin2")
    other = _login(server, c["username"], c["password"]).json()["token"]
    r = server.post("/api/v1/me/password", who="FRA/admin2",
                    json={"current_password": c["password"], "new_password": NEW_PW})
    assert r.status_code == 204
    assert requests.get(server.url + "/api/v1/me", headers=_bearer(mine)).status_code == 200
    assert_problem(requests.get(server.url + "/api/v1/me", headers=_bearer(other)), 401)


def test_password_change_is_throttled(server):
    """Guessing the current password through /me/password is throttled like logins."""
    for _ in range(5):
        r = server.post("/api/v1/me/password", who="FRA/officer",
                        json={"current_password": "guess guess guess", "new_password": NEW_PW})
        assert_problem(r, 400, "current_password")
    c = server.account("FRA/officer")
    r = server.post("/api/v1/me/password", who="FRA/officer",
                    json={"current_password": c["password"], "new_password": NEW_PW})
    assert_problem(r, 429)
    assert int(r.headers["Retry-After"]) > 0
    # the same (account, address) counter: logging in from here waits too
    assert_problem(_login(server, c["username"], c["password"]), 429)


def test_enabling_itself_is_a_no_op(server):
    me = account_id(server, "FRA/admin")
    r = server.patch("/api/v1/accounts/" + me, who="FRA/admin", json={"disabled": False})
    assert r.status_code == 200 and r.json()["disabled"] is False


def test_accounts_of_unknown_state_is_404(server):
    assert_problem(server.get("/api/v1/states/ZZZ/accounts", who="secretariat"), 404)
    assert_problem(server.get("/api/v1/states/zzz/accounts", who="secretariat"), 404)
