"""The second factor: enrolling a TOTP key (codes computed here, by RFC 6238, independently of
pocd), logging in with it, a code good once, removing it, and a deployment that requires it of
the Secretariat and states' administrators."""
import base64
import hashlib
import hmac
import struct
import time

import requests

from conftest import assert_problem

LOGIN = "/api/v1/login"


def code(key_b32, t=None, step_offset=0):
    """RFC 6238 with HMAC-SHA-1, 30 s, 6 digits."""
    key = base64.b32decode(key_b32 + "=" * (-len(key_b32) % 8))
    counter = int((time.time() if t is None else t) // 30) + step_offset
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def login(server, who, totp=None):
    c = server.account(who)
    body = {"username": c["username"], "password": c["password"]}
    if totp is not None:
        body["totp"] = totp
    return requests.post(server.url + LOGIN, json=body, timeout=30)


def enrol(server, who):
    r = server.post("/api/v1/me/totp", who=who)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["uri"].startswith("otpauth://totp/pocd:") and "secret=" + doc["key"] in doc["uri"]
    assert r.headers["Cache-Control"] == "no-store"
    key = doc["key"]
    wrong = "%06d" % ((int(code(key)) + 500000) % 1000000)
    assert_problem(server.post("/api/v1/me/totp/confirm", who=who, json={"code": wrong}), 400,
                   "code")
    used = code(key)
    r = server.post("/api/v1/me/totp/confirm", who=who, json={"code": used})
    assert r.status_code == 204, r.text
    return key, used


def test_enrol_then_log_in_with_a_code_good_once(server):
    key, _ = enrol(server, "FRA/officer")
    # A second enrolment while one is in use is refused.
    assert_problem(server.post("/api/v1/me/totp", who="FRA/officer"), 409)
    # Without the code: 401 naming totp; with a wrong one: 401.
    assert_problem(login(server, "FRA/officer"), 401, "totp")
    wrong = "%06d" % ((int(code(key)) + 1) % 1000000)
    assert_problem(login(server, "FRA/officer", wrong), 401)
    # The code of the step after the one spent at enrolment (within the window of one step
    # that allows for clock drift) logs in; then it is spent.
    now = code(key, step_offset=1)
    r = login(server, "FRA/officer", now)
    assert r.status_code == 200, r.text
    assert_problem(login(server, "FRA/officer", now), 401)
    # Other accounts are not affected.
    assert login(server, "FRA/admin").status_code == 200
    # Malformed codes are 400 naming the field.
    assert_problem(login(server, "FRA/officer", "12345678"), 400, "totp")
    assert_problem(login(server, "FRA/officer", 123456), 400, "totp")


def test_remove_needs_a_fresh_code(server):
    key, used = enrol(server, "DEU/officer")
    assert_problem(server.post("/api/v1/me/totp/remove", who="DEU/officer",
                               json={"code": used}), 400, "code")  # spent at enrolment
    r = server.post("/api/v1/me/totp/remove", who="DEU/officer",
                    json={"code": code(key, step_offset=1)})
    assert r.status_code == 204, r.text
    assert login(server, "DEU/officer").status_code == 200
    assert_problem(server.post("/api/v1/me/totp/remove", who="DEU/officer",
                               json={"code": code(key)}), 409)


def test_a_deployment_that_requires_it(server):
    server.stop()
    server.start("--require-second-factor")
    # An administrator without one may log in, but only to enrol.
    r = login(server, "KEN/admin")
    assert r.status_code == 200, r.text
    tok = {"Authorization": "Bearer " + r.json()["token"]}
    r = requests.get(server.url + "/api/v1/states/KEN/pocs", headers=tok, timeout=30)
    assert_problem(r, 403)
    assert "second factor" in r.json()["detail"]
    assert requests.get(server.url + "/api/v1/me", headers=tok, timeout=30).status_code == 200
    key = requests.post(server.url + "/api/v1/me/totp", headers=tok, timeout=30).json()["key"]
    r = requests.post(server.url + "/api/v1/me/totp/confirm", headers=tok,
                      json={"code": code(key)}, timeout=30)
    assert r.status_code == 204, r.text
    # Enrolled: the same session now reaches everything its role may.
    r = requests.get(server.url + "/api/v1/states/KEN/pocs", headers=tok, timeout=30)
    assert r.status_code == 200, r.text
    # It cannot be removed where it is required.
    assert_problem(requests.post(server.url + "/api/v1/me/totp/remove", headers=tok,
                                 json={"code": code(key, step_offset=1)}, timeout=30), 403)
    # Officers are not required to have one.
    r = login(server, "KEN/officer")
    tok = {"Authorization": "Bearer " + r.json()["token"]}
    assert requests.get(server.url + "/api/v1/states/KEN/pocs", headers=tok,
                        timeout=30).status_code == 200
