"""Bad input gets a clear 4xx problem naming the field, never a 500 or a partial write.

The table drives POST /api/v1/states/FRA/pocs as FRA's admin; each case is the valid body
with one thing wrong, and the JSON path the problem must name in errors[].field.
"""
import json

import pytest
import requests

from conftest import assert_problem
from pocd_helpers import (DROP, account_id, clean_log, module_server, poc_body,  # noqa: F401
                          problem_fields, state_pocs, without_receipt)

pytestmark = pytest.mark.usefixtures("clean_log")

URL = "/api/v1/states/FRA/pocs"

SLOT = {"days": ["mon"], "from": "08:00", "to": "18:00"}


def weekly(*slots):
    return {"weekly": list(slots)}


def slot(**kw):
    s = dict(SLOT)
    for k, v in kw.items():
        if v is DROP:
            s.pop(k)
        else:
            s[k] = v
    return s


# (id, overrides of the valid body, field the problem must name)
BAD_FIELDS = [
    # unknown fields, including those the server sets itself
    ("unknown-field", {"colour": "red"}, "colour"),
    ("client-sets-id", {"id": "abc"}, "id"),
    ("client-sets-state", {"state": "DEU"}, "state"),
    ("client-sets-revision", {"revision": 7}, "revision"),
    # kind
    ("kind-missing", {"kind": DROP}, "kind"),
    ("kind-number", {"kind": 1}, "kind"),
    ("kind-null", {"kind": None}, "kind"),
    ("kind-unknown", {"kind": "legal"}, "kind"),
    ("kind-case", {"kind": "Technical"}, "kind"),
    # rank
    ("rank-missing", {"rank": DROP}, "rank"),
    ("rank-bool", {"rank": True}, "rank"),
    ("rank-unknown", {"rank": "backup"}, "rank"),
    # organisation
    ("organisation-missing", {"organisation": DROP}, "organisation"),
    ("organisation-empty", {"organisation": ""}, "organisation"),
    ("organisation-number", {"organisation": 42}, "organisation"),
    ("organisation-null", {"organisation": None}, "organisation"),
    ("organisation-array", {"organisation": ["CERT"]}, "organisation"),
    ("organisation-too-long", {"organisation": "x" * 201}, "organisation"),
    ("organisation-too-long-utf8", {"organisation": "\u00e9" * 201}, "organisation"),
    ("organisation-newline", {"organisation": "CERT\nFR"}, "organisation"),
    ("organisation-tab", {"organisation": "CERT\tFR"}, "organisation"),
    ("organisation-c1-control", {"organisation": "CERT\u0085FR"}, "organisation"),
    # role_title
    ("role_title-missing", {"role_title": DROP}, "role_title"),
    ("role_title-object", {"role_title": {"en": "Duty"}}, "role_title"),
    ("role_title-too-long", {"role_title": "r" * 201}, "role_title"),
    # person_name (optional)
    ("person_name-number", {"person_name": 7}, "person_name"),
    ("person_name-empty", {"person_name": ""}, "person_name"),
    ("person_name-too-long", {"person_name": "\u5f20" * 201}, "person_name"),
    # email
    ("email-missing", {"email": DROP}, "email"),
    ("email-number", {"email": 5}, "email"),
    ("email-no-at", {"email": "duty.cert.example"}, "email"),
    ("email-no-domain-dot", {"email": "duty@localhost"}, "email"),
    ("email-two-at", {"email": "duty@@cert.example"}, "email"),
    ("email-space", {"email": "duty officer@cert.example"}, "email"),
    ("email-empty-local", {"email": "@cert.example"}, "email"),
    ("email-double-dot", {"email": "duty..x@cert.example"}, "email"),
    ("email-bad-label", {"email": "duty@-cert.example"}, "email"),
    ("email-too-long", {"email": "a" * 60 + "@" + ".".join(["d" * 60] * 4) + ".example"},
     "email"),
    # phones
    ("phones-missing", {"phones": DROP}, "phones"),
    ("phones-string", {"phones": "+33199001234"}, "phones"),
    ("phones-empty", {"phones": []}, "phones"),
    ("phones-too-many", {"phones": ["+3319900%04d" % i for i in range(9)]}, "phones"),
    ("phones-number", {"phones": [33199001234]}, "phones[0]"),
    ("phones-no-plus", {"phones": ["0033199001234"]}, "phones[0]"),
    ("phones-leading-zero", {"phones": ["+0199001234"]}, "phones[0]"),
    ("phones-too-short", {"phones": ["+1234567"]}, "phones[0]"),
    ("phones-too-long", {"phones": ["+1234567890123456"]}, "phones[0]"),
    ("phones-spaces", {"phones": ["+33 1 99 00 12 34"]}, "phones[0]"),
    ("phones-second-bad", {"phones": ["+33199001234", "+33-1"]}, "phones[1]"),
    ("phones-duplicate", {"phones": ["+33199001234", "+33199001234"]}, "phones[1]"),
    ("phones-null-item", {"phones": ["+33199001234", None]}, "phones[1]"),
    # a non-string item before a good one (the duplicate check once crashed on it)
    ("phones-number-then-good", {"phones": [5, "+33199001234"]}, "phones[0]"),
    # languages
    ("languages-missing", {"languages": DROP}, "languages"),
    ("languages-string", {"languages": "fr"}, "languages"),
    ("languages-empty", {"languages": []}, "languages"),
    ("languages-too-many", {"languages": ["fr", "en", "de", "es", "ar", "zh", "ru", "ja",
                                          "pt"]}, "languages"),
    ("languages-upper", {"languages": ["FR"]}, "languages[0]"),
    ("languages-three-letter", {"languages": ["fra"]}, "languages[0]"),
    ("languages-unknown", {"languages": ["fr", "xx"]}, "languages[1]"),
    ("languages-tag", {"languages": ["fr-FR"]}, "languages[0]"),
    ("languages-number", {"languages": [1]}, "languages[0]"),
    ("languages-duplicate", {"languages": ["fr", "en", "fr"]}, "languages[2]"),
    ("languages-null-then-good", {"languages": [None, "fr", "en"]}, "languages[0]"),
    # time_zone
    ("time_zone-missing", {"time_zone": DROP}, "time_zone"),
    ("time_zone-unknown", {"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    ("time_zone-empty", {"time_zone": ""}, "time_zone"),
    ("time_zone-number", {"time_zone": 1}, "time_zone"),
    ("time_zone-traversal", {"time_zone": "../../etc/passwd"}, "time_zone"),
    ("time_zone-absolute", {"time_zone": "/etc/localtime"}, "time_zone"),
    ("time_zone-directory", {"time_zone": "Europe"}, "time_zone"),
    ("time_zone-not-tzif", {"time_zone": "zone.tab"}, "time_zone"),
    ("time_zone-offset", {"time_zone": "+02:00"}, "time_zone"),
    # availability
    ("availability-missing", {"availability": DROP}, "availability"),
    ("availability-other-string", {"availability": "always"}, "availability"),
    ("availability-number", {"availability": 247}, "availability"),
    ("availability-array", {"availability": ["24/7"]}, "availability"),
    ("availability-null", {"availability": None}, "availability"),
    ("availability-unknown-member", {"availability": {"weekly": [SLOT], "daily": 1}},
     "availability"),
    ("availability-no-weekly", {"availability": {}}, "availability.weekly"),
    ("availability-weekly-empty", {"availability": weekly()}, "availability.weekly"),
    ("availability-weekly-string", {"availability": {"weekly": "mon-fri"}},
     "availability.weekly"),
    ("availability-weekly-too-many", {"availability": weekly(*[SLOT] * 15)},
     "availability.weekly"),
    ("availability-slot-number", {"availability": weekly(5)}, "availability.weekly[0]"),
    ("availability-slot-no-days", {"availability": weekly(slot(days=DROP))},
     "availability.weekly[0]"),
    ("availability-slot-days-empty", {"availability": weekly(slot(days=[]))},
     "availability.weekly[0]"),
    ("availability-slot-bad-day", {"availability": weekly(slot(days=["funday"]))},
     "availability.weekly[0]"),
    ("availability-slot-dup-day", {"availability": weekly(slot(days=["mon", "mon"]))},
     "availability.weekly[0]"),
    ("availability-slot-day-number", {"availability": weekly(slot(days=[1]))},
     "availability.weekly[0]"),
    ("availability-slot-from-bad", {"availability": weekly(slot(**{"from": "8am"}))},
     "availability.weekly[0]"),
    ("availability-slot-from-25h", {"availability": weekly(slot(**{"from": "25:00"}))},
     "availability.weekly[0]"),
    ("availability-slot-from-24h", {"availability": weekly(slot(**{"from": "24:00",
                                                                  "to": "24:00"}))},
     "availability.weekly[0]"),
    ("availability-slot-minutes-60", {"availability": weekly(slot(to="17:60"))},
     "availability.weekly[0]"),
    ("availability-slot-to-before-from", {"availability": weekly(slot(**{"from": "18:00",
                                                                        "to": "08:00"}))},
     "availability.weekly[0]"),
    ("availability-slot-to-equals-from", {"availability": weekly(slot(to="08:00"))},
     "availability.weekly[0]"),
    ("availability-slot-to-missing", {"availability": weekly(slot(to=DROP))},
     "availability.weekly[0]"),
    ("availability-slot-from-number", {"availability": weekly(slot(**{"from": 800}))},
     "availability.weekly[0]"),
    ("availability-slot-unknown-member", {"availability": weekly(slot(tz="UTC"))},
     "availability.weekly[0]"),
    ("availability-second-slot-bad", {"availability": weekly(SLOT, slot(to="99:99"))},
     "availability.weekly[1]"),
    # pgp_fingerprint (optional)
    ("pgp_fingerprint-short", {"pgp_fingerprint": "0123456789ABCDEF"}, "pgp_fingerprint"),
    ("pgp_fingerprint-long", {"pgp_fingerprint": "A" * 41}, "pgp_fingerprint"),
    ("pgp_fingerprint-not-hex", {"pgp_fingerprint": "G" * 40}, "pgp_fingerprint"),
    ("pgp_fingerprint-spaces", {"pgp_fingerprint": "0123 4567 89AB CDEF 0123 4567 89AB CDEF "
                                                   "0123 4567"}, "pgp_fingerprint"),
    ("pgp_fingerprint-number", {"pgp_fingerprint": 1234}, "pgp_fingerprint"),
    ("pgp_fingerprint-empty", {"pgp_fingerprint": ""}, "pgp_fingerprint"),
    # review_by (optional)
    ("review_by-not-date", {"review_by": "next year"}, "review_by"),
    ("review_by-feb-30", {"review_by": "2027-02-30"}, "review_by"),
    ("review_by-month-13", {"review_by": "2027-13-01"}, "review_by"),
    ("review_by-short", {"review_by": "2027-1-1"}, "review_by"),
    ("review_by-datetime", {"review_by": "2027-11-26T00:00:00Z"}, "review_by"),
    ("review_by-number", {"review_by": 20271126}, "review_by"),
    # accounts (optional)
    ("accounts-string", {"accounts": "abc"}, "accounts"),
    ("accounts-number-item", {"accounts": [5]}, "accounts[0]"),
    ("accounts-not-an-id", {"accounts": ["not an id"]}, "accounts[0]"),
    ("accounts-unknown-id", {"accounts": ["a" * 26]}, "accounts[0]"),
    ("accounts-too-many", {"accounts": ["a" * 26] * 17}, "accounts"),
    ("accounts-object-then-id", {"accounts": [{}, "a" * 26]}, "accounts[0]"),
]


def _check_rejected(server, r, field):
    doc = assert_problem(r, 400, field)
    for e in doc["errors"]:
        assert isinstance(e["reason"], str) and e["reason"], doc
    return doc


@pytest.fixture
def fra_before(server):
    """FRA's list and the directory's ETag, which no rejected write may change."""
    d = server.get("/api/v1/directory", who="FRA/admin")
    return state_pocs(server, "FRA"), d.headers["ETag"]


@pytest.fixture(scope="module")
def baseline(module_server):
    d = module_server.get("/api/v1/directory", who="FRA/admin")
    return state_pocs(module_server, "FRA"), d.headers["ETag"]


def _unchanged(server, fra_before):
    pocs, etag = fra_before
    assert state_pocs(server, "FRA") == pocs
    assert server.get("/api/v1/directory", who="FRA/admin").headers["ETag"] == etag


def test_valid_body_is_accepted(server):
    """The control: the body every bad case derives from is good."""
    r = server.post(URL, who="FRA/admin", json=poc_body())
    assert r.status_code == 201, r.text
    r = server.post(URL, who="FRA/admin",
                    json=poc_body(person_name=None, pgp_fingerprint=None, review_by=None,
                                  accounts=None, availability="24/7", phones=["+123456789"]))
    assert r.status_code == 201, r.text
    r = server.post(URL, who="FRA/admin",
                    json=poc_body(availability=weekly(slot(to="24:00"), slot(days=["sun"])),
                                  time_zone="America/Argentina/Buenos_Aires",
                                  pgp_fingerprint="abcdef0123456789abcdef0123456789abcdef01",
                                  organisation="x" * 200, languages=["fr", "en", "de", "es",
                                                                     "ar", "zh", "ru", "ja"]))
    assert r.status_code == 201, r.text
    # the fingerprint is kept in capitals
    assert r.json()["pgp_fingerprint"] == "ABCDEF0123456789ABCDEF0123456789ABCDEF01"


@pytest.mark.parametrize("overrides,field", [c[1:] for c in BAD_FIELDS],
                         ids=[c[0] for c in BAD_FIELDS])
def test_bad_field(module_server, baseline, overrides, field):
    r = module_server.post(URL, who="FRA/admin", json=poc_body(**overrides))
    _check_rejected(module_server, r, field)
    _unchanged(module_server, baseline)


def test_account_of_another_state(server, fra_before):
    deu = account_id(server, "DEU/admin")
    fra = account_id(server, "FRA/officer")
    r = server.post(URL, who="FRA/admin", json=poc_body(accounts=[deu]))
    _check_rejected(server, r, "accounts[0]")
    r = server.post(URL, who="FRA/admin", json=poc_body(accounts=[fra, deu]))
    doc = _check_rejected(server, r, "accounts[1]")
    assert "accounts[0]" not in problem_fields(r), doc
    r = server.post(URL, who="FRA/admin", json=poc_body(accounts=[fra, fra]))
    _check_rejected(server, r, "accounts[1]")
    _unchanged(server, fra_before)


def test_account_of_another_state_on_put(server):
    """PUT checks the linked accounts as POST does, and keeps the old revision."""
    p = server.post(URL, who="FRA/admin", json=poc_body())
    assert p.status_code == 201
    r = server.put(p.headers["Location"], who="FRA/admin",
                   json=poc_body(accounts=[account_id(server, "DEU/officer")]),
                   headers={"If-Match": p.headers["ETag"]})
    _check_rejected(server, r, "accounts[0]")
    g = server.get(p.headers["Location"], who="FRA/admin")
    assert g.json() == without_receipt(p.json())
    assert g.headers["ETag"] == p.headers["ETag"]


def test_several_errors_are_all_named(server, fra_before):
    r = server.post(URL, who="FRA/admin",
                    json=poc_body(kind="x", email="no", phones=["1"], languages=["fr", "zz"],
                                  colour=1))
    doc = _check_rejected(server, r, "kind")
    fields = problem_fields(r)
    for f in ("kind", "email", "phones[0]", "languages[1]", "colour"):
        assert f in fields, doc
    assert doc["type"].startswith("urn:pocd:problem:")
    _unchanged(server, fra_before)


RAW_BODIES = [
    ("truncated", b'{"kind": "technical"'),
    ("trailing-comma", b'{"kind": "technical",}'),
    ("single-quotes", b"{'kind': 'technical'}"),
    ("garbage", b"kind=technical&rank=primary"),
    ("trailing-garbage", json.dumps(poc_body()).encode() + b" xyz"),
    ("two-documents", json.dumps(poc_body()).encode() * 2),
    ("duplicate-key", b'{"kind": "technical", "kind": "diplomatic"}'),
    ("invalid-utf8", b'{"organisation": "\xff\xfe"}'),
    ("nul-in-string", b'{"organisation": "a\\u0000b"}'),
    ("lone-surrogate", b'{"organisation": "\\ud800"}'),
    ("deep-nesting", b"[" * 5000 + b"]" * 5000),
    ("huge-number", b'{"phones": [1' + b"0" * 400 + b"]}"),
    ("empty", b""),
    ("whitespace", b"   \r\n "),
    ("not-object-array", b"[]"),
    ("not-object-string", b'"a PoC"'),
    ("not-object-number", b"42"),
    ("not-object-null", b"null"),
    ("not-object-true", b"true"),
]


@pytest.mark.parametrize("raw", [c[1] for c in RAW_BODIES], ids=[c[0] for c in RAW_BODIES])
def test_malformed_or_non_object_body(module_server, baseline, raw):
    r = module_server.post(URL, who="FRA/admin", data=raw,
                           headers={"Content-Type": "application/json"})
    assert_problem(r, 400)
    _unchanged(module_server, baseline)


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded",
                                   "application/jsonx", "text/json", "multipart/form-data"])
def test_wrong_content_type_is_415(module_server, baseline, ctype):
    server, fra_before = module_server, baseline
    body = json.dumps(poc_body()).encode()
    headers = {} if ctype is None else {"Content-Type": ctype}
    r = requests.post(server.url + URL, data=body,
                      headers={**headers, **server.headers("FRA/admin")})
    assert_problem(r, 415)
    _unchanged(server, fra_before)


def test_json_content_type_with_charset_is_accepted(server):
    body = json.dumps(poc_body()).encode()
    r = server.post(URL, who="FRA/admin", data=body,
                    headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 201, r.text


def test_body_over_1_mib_is_413(server, fra_before):
    big = json.dumps(poc_body(person_name="x" * (1 << 20))).encode()
    assert len(big) > 1 << 20
    r = server.post(URL, who="FRA/admin", data=big,
                    headers={"Content-Type": "application/json"})
    assert_problem(r, 413)
    # the same, sent in chunks without a Content-Length
    def chunks():
        for i in range(0, len(big), 65536):
            yield big[i:i + 65536]
    r = server.post(URL, who="FRA/admin", data=chunks(),
                    headers={"Content-Type": "application/json"})
    assert_problem(r, 413)
    _unchanged(server, fra_before)
    # the server still serves
    assert server.get("/api/v1/me", who="FRA/admin").status_code == 200


def test_body_just_under_1_mib_is_not_413(server, fra_before):
    """Just under the limit is read and judged on its content (over-long name: 400)."""
    base = json.dumps(poc_body(person_name="")).encode()
    pad = (1 << 20) - len(base)
    body = json.dumps(poc_body(person_name="x" * pad)).encode()
    assert len(body) == 1 << 20
    r = server.post(URL, who="FRA/admin", data=body,
                    headers={"Content-Type": "application/json"})
    _check_rejected(server, r, "person_name")
    _unchanged(server, fra_before)


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v2/directory", "/api/v1/pocs",
                                  "/api/v1/pocs/abc/extra", "/api/v1/states/FRA/pocs/x",
                                  "/api/v1/states//pocs", "/api", "/api/v1/directory/",
                                  "/API/V1/DIRECTORY", "/api/v1/states/FRA/" + "x" * 300])
def test_unknown_route_is_404(module_server, path):
    assert_problem(module_server.get(path, who="FRA/admin"), 404)
    assert_problem(module_server.get(path), 404)


METHOD_CASES = [
    ("delete", "/api/v1/directory", {"GET", "HEAD"}),
    ("post", "/api/v1/directory", {"GET", "HEAD"}),
    ("put", "/api/v1/states/FRA/pocs", {"GET", "HEAD", "POST"}),
    ("delete", "/api/v1/states/FRA", {"GET", "HEAD", "PATCH"}),
    ("post", "/api/v1/pocs/abcdefghijklmnopqrstuvwxyz", {"GET", "HEAD", "PUT", "DELETE"}),
    ("get", "/api/v1/login", {"POST"}),
    ("get", "/api/v1/logout", {"POST"}),
    ("put", "/api/v1/me", {"GET", "HEAD"}),
    ("delete", "/api/v1/pocs/abcdefghijklmnopqrstuvwxyz/history", {"GET", "HEAD"}),
    ("get", "/api/v1/accounts/abcdefghijklmnopqrstuvwxyz", {"PATCH"}),
    ("post", "/healthz", {"GET", "HEAD"}),
    ("options", "/api/v1/directory", {"GET", "HEAD"}),
    ("trace", "/api/v1/states/FRA/pocs", {"GET", "HEAD", "POST"}),
]


@pytest.mark.parametrize("method,path,allow", METHOD_CASES,
                         ids=["%s %s" % (m, p) for m, p, _ in METHOD_CASES])
def test_wrong_method_is_405_with_allow(module_server, method, path, allow):
    server = module_server
    r = requests.request(method.upper(), server.url + path, json={},
                         headers=server.headers("FRA/admin"))
    assert_problem(r, 405)
    got = {m.strip() for m in r.headers["Allow"].split(",")}
    assert got == allow, r.headers["Allow"]
    # the same without credentials: the method is wrong whoever asks
    r = requests.request(method.upper(), server.url + path)
    assert r.status_code == 405 and "Allow" in r.headers


def test_other_validation_problems_name_their_field(server):
    """The other JSON routes name the offending field too."""
    cases = [
        ("post", "/api/v1/login", "FRA/admin", {"username": "x", "password": 5}, "password"),
        ("post", "/api/v1/login", None, {"username": "x", "password": "y", "otp": 1}, "otp"),
        ("post", "/api/v1/login", None, {"password": "y"}, "username"),
        ("patch", "/api/v1/states/FRA", "secretariat", {"participating": "yes"},
         "participating"),
        ("patch", "/api/v1/states/FRA", "secretariat", {"participating": True, "x": 1}, "x"),
        ("patch", "/api/v1/states/FRA", "secretariat", {}, "participating"),
        ("post", "/api/v1/states/FRA/enrolments", "FRA/admin", {"role": "king"}, "role"),
        ("post", "/api/v1/states/FRA/enrolments", "FRA/admin", {"role": "secretariat"},
         "role"),
        ("post", "/api/v1/states/FRA/enrolments", "FRA/admin", {}, "role"),
        ("post", "/api/v1/me/password", "FRA/admin",
         {"current_password": "x", "new_password": "short"}, "new_password"),
        ("post", "/api/v1/me/password", "FRA/admin", {"new_password": "long enough pass"},
         "current_password"),
        ("post", "/api/v1/enrol", None, {"token": "t", "username": "ok-name"}, "password"),
        ("post", "/api/v1/enrol", None,
         {"token": "t" * 43, "username": "Bad Name", "password": "long enough pass"},
         "username"),
    ]
    oid = account_id(server, "FRA/officer")
    cases.append(("patch", "/api/v1/accounts/" + oid, "FRA/admin", {"disabled": "yes"},
                  "disabled"))
    cases.append(("patch", "/api/v1/accounts/" + oid, "FRA/admin", {}, "disabled"))
    for method, path, who, body, field in cases:
        r = getattr(server, method)(path, who=who, json=body)
        assert_problem(r, 400, field)


def test_bad_ids_in_paths_are_404_not_500(server):
    for path in ["/api/v1/pocs/" + "a" * 26, "/api/v1/pocs/'%20OR%201=1--",
                 "/api/v1/pocs/%00", "/api/v1/pocs/" + "z" * 200,
                 "/api/v1/pocs/%E2%80%AE/history", "/api/v1/states/XXX/pocs",
                 "/api/v1/states/fra/pocs", "/api/v1/states/FRAN/pocs",
                 "/api/v1/states/XXX", "/api/v1/states/%2e%2e"]:
        r = server.get(path, who="FRA/admin")
        assert_problem(r, 404)
    r = server.put("/api/v1/pocs/" + "a" * 26, who="FRA/admin", json=poc_body(),
                   headers={"If-Match": '"x-1"'})
    assert_problem(r, 404)
    r = server.patch("/api/v1/accounts/" + "a" * 26, who="FRA/admin", json={"disabled": True})
    assert_problem(r, 404)
    r = server.patch("/api/v1/states/XXX", who="secretariat", json={"participating": True})
    assert_problem(r, 404)


def test_never_a_500(server, fra_before):
    """A spread of odd requests: every answer is a 4xx problem, and pocd stays up."""
    odd = [
        ("post", URL, {"Content-Type": "application/json"}, b"\x00" * 64),
        ("post", URL, {"Content-Type": "application/json"}, "\u202e{}".encode()),
        ("post", URL, {"Content-Type": "application/json"}, b'{"a":' * 10000),
        ("put", "/api/v1/pocs/" + "a" * 26, {"Content-Type": "application/json",
                                               "If-Match": "*"}, b"{}"),
        ("get", "/api/v1/directory?limit=-1", {}, None),
        ("get", "/api/v1/directory?limit=99999999999999999999999", {}, None),
        ("get", "/api/v1/directory?cursor=%FF%FE", {}, None),
        ("get", "/api/v1/directory?q=" + "%C3%28", {}, None),
        ("get", "/api/v1/directory?state=%00FR", {}, None),
        ("get", "/api/v1/directory?format=", {}, None),
    ]
    for method, path, headers, data in odd:
        r = getattr(server, method)(path, who="FRA/admin", headers=headers, data=data)
        assert 400 <= r.status_code < 500, (method, path, r.status_code, r.text)
        assert r.headers["Content-Type"].startswith("application/problem+json"), (path, r.text)
    for _, overrides, _ in BAD_FIELDS[:20]:
        r = server.post(URL, who="FRA/admin", json=poc_body(**overrides))
        assert r.status_code == 400
    _unchanged(server, fra_before)
    assert server.get("/healthz").status_code == 200
