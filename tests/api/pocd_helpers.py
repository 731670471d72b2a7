"""Shared helpers of the API tests: a valid PoC body, small readers, and a check that the
daemon's log holds no sanitizer report."""
import copy
import json
import re
import shutil

import pytest

# A PoC body that the server must accept (POST /api/v1/states/FRA/pocs as FRA/admin).
VALID_POC = {
    "kind": "technical",
    "rank": "alternate",
    "organisation": "CERT-FR test desk (fictional)",
    "role_title": "Night duty officer",
    "person_name": "Test Person Example",
    "email": "night@cert-fr.example",
    "phones": ["+33199001234", "+12025550123"],
    "languages": ["fr", "en"],
    "time_zone": "Europe/Paris",
    "availability": {"weekly": [{"days": ["mon", "tue", "wed"], "from": "08:00",
                                 "to": "18:00"}]},
    "pgp_fingerprint": "0123456789ABCDEF0123456789ABCDEF01234567",
    "review_by": "2027-11-26",
}

SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                   "runtime error:", "ThreadSanitizer")


def poc_body(**overrides):
    """VALID_POC with some members replaced; a value of DROP removes the member."""
    b = copy.deepcopy(VALID_POC)
    for k, v in overrides.items():
        if v is DROP:
            b.pop(k, None)
        else:
            b[k] = v
    return b


class _Drop:
    def __repr__(self):
        return "DROP"


DROP = _Drop()


def create_poc(server, who="FRA/admin", state="FRA", **overrides):
    r = server.post("/api/v1/states/%s/pocs" % state, who=who, json=poc_body(**overrides))
    assert r.status_code == 201, r.text
    return r


def state_pocs(server, state="FRA", who="secretariat"):
    r = server.get("/api/v1/states/%s/pocs" % state, who=who)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def account_id(server, who):
    r = server.get("/api/v1/me", who=who)
    assert r.status_code == 200, r.text
    return r.json()["id"]


def sanitizer_lines(server):
    with open(str(server.db) + ".log", "rb") as f:
        text = f.read().decode("utf-8", "replace")
    return [l for l in text.splitlines() if any(m in l for m in SANITIZER_MARKS)]


@pytest.fixture
def clean_log(request):
    """Use in a module (pytestmark = pytest.mark.usefixtures("clean_log")) to check, after
    each test that runs a `server`, that pocd exited 0 and its log holds no sanitizer
    report."""
    if "server" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("server")
    yield
    rc = server.stop()
    assert rc == 0, "pocd exited with %d: see %s.log" % (rc, server.db)
    bad = sanitizer_lines(server)
    assert not bad, bad[:5]


@pytest.fixture(scope="module")
def module_server(demo_template, tmp_path_factory):
    """One pocd for a whole module, for tests that leave the data as they found it."""
    from conftest import Server

    db = tmp_path_factory.mktemp("module") / "pocd.db"
    shutil.copy(demo_template, db)
    shutil.copy(str(demo_template) + ".logkey", str(db) + ".logkey")
    with open(str(demo_template) + ".credentials.json") as f:
        creds = json.load(f)
    s = Server(db, creds)
    s.start()
    yield s
    rc = s.stop()
    assert rc == 0, "pocd exited with %d: see %s.log" % (rc, db)
    bad = sanitizer_lines(s)
    assert not bad, bad[:5]


def problem_fields(r):
    return [e["field"] for e in r.json().get("errors", [])]


_ETAG = re.compile(r'^(W/)?"[^"]*"$')


def etag_of(r):
    e = r.headers.get("ETag")
    assert e is not None and _ETAG.match(e), r.headers
    return e


def without_receipt(doc):
    """A write's answer as a read shows it: the same document, without the write's receipt."""
    doc = dict(doc)
    assert "receipt" in doc, "a logged write answers with its receipt"
    del doc["receipt"]
    return doc
