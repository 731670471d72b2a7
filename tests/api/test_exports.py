"""GET /api/v1/directory as JSON, CSV (RFC 4180) and vCard 4.0 (RFC 6350), each parsed by an
independent parser; filters, paging, ETags."""
import csv
import io
import urllib.parse

import pytest
import vobject

from conftest import assert_problem
from pocd_helpers import clean_log, etag_of, module_server, poc_body  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_log")

DIR = "/api/v1/directory"
CSV_COLUMNS = ["id", "state", "kind", "rank", "organisation", "role_title", "person_name",
               "email", "phones", "languages", "time_zone", "availability",
               "pgp_fingerprint", "review_by", "revision", "updated_at"]

ARABIC = "\u0646\u0642\u0637\u0629 \u0627\u0644\u0627\u062a\u0635\u0627\u0644 " \
         "\u0627\u0644\u0648\u0637\u0646\u064a\u0629 \u0644\u0644\u0637\u0648\u0627\u0631\u0626"
CHINESE = "\u56fd\u5bb6\u8ba1\u7b97\u673a\u7f51\u7edc\u5e94\u6025\u6280\u672f\u5904\u7406" \
          "\u534f\u8c03\u4e2d\u5fc3\u503c\u73ed\u8054\u7edc\u4eba"
TRICKY = ['=HYPERLINK("x")', "+SUM(1,2)", "-2+3", "@cmd", 'CERT, "quoted"; semi\\back']


@pytest.fixture(scope="module")
def exp(module_server):
    """One server for the read-only export tests, with a few PoCs whose text tests the
    encoders: formula-like organisations, quotes and commas, long non-ASCII names."""
    s = module_server
    created = []
    for org in TRICKY:
        r = s.post("/api/v1/states/FRA/pocs", who="FRA/admin", json=poc_body(organisation=org))
        assert r.status_code == 201, r.text
        created.append(r.json())
    for name in (ARABIC * 3, CHINESE * 3):
        r = s.post("/api/v1/states/JPN/pocs", who="JPN/admin",
                   json=poc_body(person_name=name, languages=["ja", "ar", "zh"],
                                 time_zone="Asia/Tokyo"))
        assert r.status_code == 201, r.text
        created.append(r.json())
    return s


def _json_all(s, query=""):
    r = s.get(DIR + "?limit=5000" + ("&" + query if query else ""), who="FRA/admin")
    assert r.status_code == 200, r.text
    assert r.json()["next"] is None
    return r.json()["items"]


def _csv_rows(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def test_json_shape(exp):
    r = exp.get(DIR, who="DEU/officer")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert set(doc) == {"items", "next"}
    items = doc["items"]
    assert len(items) > 450  # ~150 states with 3 or 4 PoCs each
    states = {p["state"] for p in items}
    assert 140 <= len(states) <= 170
    for p in items:
        assert "accounts" not in p
        assert p["kind"] in ("diplomatic", "technical") and p["rank"] in ("primary",
                                                                         "alternate")
    # only participating states appear
    st = exp.get("/api/v1/states", who="FRA/admin").json()["items"]
    out = {x["code"] for x in st if not x["participating"]}
    assert out and not (states & out)
    assert len(st) == 193


def test_json_paging_equals_one_page(exp):
    whole = _json_all(exp)
    got, cursor, pages = [], None, 0
    while True:
        q = "?limit=50" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
        r = exp.get(DIR + q, who="FRA/admin")
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= 50
        got += page["items"]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
        assert len(page["items"]) == 50
        assert pages < 100
    assert pages == (len(whole) + 49) // 50 or pages == len(whole) // 50 + 1
    assert [p["id"] for p in got] == [p["id"] for p in whole]
    assert got == whole


def test_paging_with_a_filter(exp):
    whole = _json_all(exp, "kind=technical&lang=en")
    got, cursor = [], None
    while True:
        q = "?kind=technical&lang=en&limit=7" + ("&cursor=" + cursor if cursor else "")
        page = exp.get(DIR + q, who="FRA/admin").json()
        got += page["items"]
        cursor = page["next"]
        if cursor is None:
            break
    assert got == whole and all(p["kind"] == "technical" for p in got)


@pytest.mark.parametrize("how", ["query", "accept"])
def test_csv(exp, how):
    if how == "query":
        r = exp.get(DIR + "?format=csv", who="FRA/admin")
    else:
        r = exp.get(DIR, who="FRA/admin", headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8")
    # RFC 4180: CRLF after every record
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = _csv_rows(text)
    assert rows[0] == CSV_COLUMNS
    items = _json_all(exp)
    assert len(rows) - 1 == len(items)
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)
    by_id = {row[0]: dict(zip(CSV_COLUMNS, row)) for row in rows[1:]}
    assert set(by_id) == {p["id"] for p in items}
    for p in items[:50]:
        row = by_id[p["id"]]
        assert row["state"] == p["state"] and row["email"] == p["email"]
        assert row["kind"] == p["kind"] and row["revision"] == str(p["revision"])
        assert row["languages"].split(" ") == p["languages"]


def test_csv_neutralises_formulas(exp):
    rows = _csv_rows(exp.get(DIR + "?format=csv&state=FRA", who="FRA/admin").text)
    orgs = [r[CSV_COLUMNS.index("organisation")] for r in rows[1:]]
    for danger in TRICKY[:4]:
        assert "'" + danger in orgs, (danger, orgs)
        assert danger not in orgs
    # no cell at all begins with a character that spreadsheets evaluate
    for row in rows:
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r", (cell, row)
    # quotes, commas, semicolons and backslashes survive the quoting unchanged
    assert TRICKY[4] in orgs


def test_csv_keeps_non_ascii(exp):
    rows = _csv_rows(exp.get(DIR + "?format=csv&state=JPN", who="FRA/admin").content
                     .decode("utf-8"))
    names = [r[CSV_COLUMNS.index("person_name")] for r in rows[1:]]
    assert ARABIC * 3 in names and CHINESE * 3 in names


@pytest.mark.parametrize("how", ["query", "accept"])
def test_vcard(exp, how):
    if how == "query":
        r = exp.get(DIR + "?format=vcard", who="FRA/admin")
    else:
        r = exp.get(DIR, who="FRA/admin", headers={"Accept": "text/vcard"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/vcard")
    text = r.content.decode("utf-8")
    cards = list(vobject.readComponents(text))
    items = _json_all(exp)
    assert len(cards) == len(items)
    uids = []
    for c in cards:
        assert c.name == "VCARD"
        assert c.version.value == "4.0"
        assert c.fn.value.strip()
        assert "@" in c.email.value
        tels = [t.value for t in c.contents["tel"]]
        assert tels and all(t.startswith("tel:+") for t in tels)
        uids.append(c.uid.value)
    assert uids == ["urn:pocd:poc:" + p["id"] for p in items]
    by_uid = {c.uid.value: c for c in cards}
    for p in items[:40]:
        c = by_uid["urn:pocd:poc:" + p["id"]]
        assert c.email.value == p["email"]
        assert [t.value for t in c.contents["tel"]] == ["tel:" + x for x in p["phones"]]
        assert c.fn.value == p.get("person_name", p["organisation"])


def test_vcard_non_ascii_and_folding(exp):
    r = exp.get(DIR + "?format=vcard&state=JPN", who="FRA/admin")
    raw = r.content
    # RFC 6350 3.2: no line longer than 75 octets, lines end in CRLF
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""
    assert all(len(l) <= 75 for l in lines), max(lines, key=len)
    assert all(b"\n" not in l and b"\r" not in l for l in lines)
    assert any(l.startswith(b" ") for l in lines), "the long names must be folded"
    # folding never splits a UTF-8 sequence: each physical line decodes on its own
    for l in lines:
        l.decode("utf-8")
    fns = [c.fn.value for c in vobject.readComponents(raw.decode("utf-8"))]
    assert ARABIC * 3 in fns and CHINESE * 3 in fns


def test_vcard_escapes_text(exp):
    cards = list(vobject.readComponents(exp.get(DIR + "?format=vcard&state=FRA",
                                                who="FRA/admin").text))
    orgs = []
    for c in cards:
        v = c.org.value
        orgs.append(";".join(v) if isinstance(v, list) else v)
    # ORG is structured: the ";" separates components, the rest survives escaping
    assert any(o.startswith('CERT, "quoted"') for o in orgs), orgs
    assert '=HYPERLINK("x")' in orgs


def test_accept_preferences(exp):
    def ctype(accept):
        r = exp.get(DIR, who="FRA/admin", headers={"Accept": accept})
        assert r.status_code == 200
        return r.headers["Content-Type"].split(";")[0]
    assert ctype("application/json") == "application/json"
    assert ctype("*/*") == "application/json"
    assert ctype("text/vcard, text/csv") == "text/vcard"
    assert ctype("text/csv;q=0.9, application/json") == "text/csv"
    assert ctype("application/json, text/csv") == "application/json"
    # ?format= wins over Accept
    r = exp.get(DIR + "?format=json", who="FRA/admin", headers={"Accept": "text/csv"})
    assert r.headers["Content-Type"].startswith("application/json")
    r = exp.get(DIR + "?format=csv", who="FRA/admin", headers={"Accept": "text/vcard"})
    assert r.headers["Content-Type"].startswith("text/csv")
    assert "Accept" in r.headers.get("Vary", "")


def test_filter_state(exp):
    items = _json_all(exp, "state=FRA")
    own = exp.get("/api/v1/states/FRA/pocs", who="DEU/admin").json()["items"]
    assert [p["id"] for p in items] == [p["id"] for p in own]
    assert items and all(p["state"] == "FRA" for p in items)
    # a non-participating state has nothing in the directory; an unknown one neither
    st = exp.get("/api/v1/states", who="FRA/admin").json()["items"]
    out = next(x["code"] for x in st if not x["participating"])
    assert _json_all(exp, "state=" + out) == []
    assert _json_all(exp, "state=ZZZ") == []


@pytest.mark.parametrize("kind", ["technical", "diplomatic"])
def test_filter_kind(exp, kind):
    items = _json_all(exp, "kind=" + kind)
    every = _json_all(exp)
    assert items == [p for p in every if p["kind"] == kind]


def test_filter_lang(exp):
    every = _json_all(exp)
    for lang in ("fr", "ja", "en", "ar", "sw"):
        items = _json_all(exp, "lang=" + lang)
        assert items == [p for p in every if lang in p["languages"]], lang
        assert items, lang
    assert _json_all(exp, "lang=zu") == [p for p in every if "zu" in p["languages"]]


def test_filter_q(exp):
    every = _json_all(exp)
    items = _json_all(exp, "q=cert-fra")
    want = [p for p in every if any("cert-fra" in p.get(k, "").lower()
                                    for k in ("organisation", "role_title", "person_name",
                                              "email"))]
    assert items == want and len(items) >= 2
    # case-insensitive for ASCII
    assert _json_all(exp, "q=CERT-FRA") == items
    # non-ASCII text is searched too
    jp = _json_all(exp, "q=" + urllib.parse.quote(CHINESE[:6]))
    assert len(jp) == 1 and jp[0]["person_name"] == CHINESE * 3
    assert _json_all(exp, "q=no-such-thing-anywhere") == []
    # the % and _ of SQL LIKE are plain characters
    assert _json_all(exp, "q=" + urllib.parse.quote("%")) == []
    assert _json_all(exp, "q=_") == [p for p in every if any(
        "_" in p.get(k, "") for k in ("organisation", "role_title", "person_name", "email"))]


def test_filters_combine_and_apply_to_exports(exp):
    q = "state=FRA&kind=technical&lang=fr"
    items = _json_all(exp, q)
    assert items and all(p["state"] == "FRA" and p["kind"] == "technical" and
                         "fr" in p["languages"] for p in items)
    rows = _csv_rows(exp.get(DIR + "?format=csv&" + q, who="FRA/admin").text)
    assert [r[0] for r in rows[1:]] == [p["id"] for p in items]
    cards = list(vobject.readComponents(exp.get(DIR + "?format=vcard&" + q,
                                                who="FRA/admin").text))
    assert [c.uid.value for c in cards] == ["urn:pocd:poc:" + p["id"] for p in items]
    # an empty result is a header-only CSV and an empty vCard file
    rows = _csv_rows(exp.get(DIR + "?format=csv&state=ZZZ", who="FRA/admin").text)
    assert rows == [CSV_COLUMNS]
    assert exp.get(DIR + "?format=vcard&state=ZZZ", who="FRA/admin").content == b""


BAD_FILTERS = [
    ("state=fra", "state"), ("state=FRAN", "state"), ("state=F1A", "state"),
    ("state=", "state"),
    ("kind=legal", "kind"), ("kind=", "kind"), ("kind=Technical", "kind"),
    ("lang=xx", "lang"), ("lang=FR", "lang"), ("lang=fra", "lang"), ("lang=", "lang"),
    ("q=", "q"), ("q=" + "x" * 101, "q"), ("q=%0A", "q"),
    ("format=xml", "format"), ("format=CSV", "format"), ("format=", "format"),
    ("limit=0", "limit"), ("limit=5001", "limit"), ("limit=-5", "limit"),
    ("limit=ten", "limit"), ("limit=1.5", "limit"), ("limit=", "limit"),
    ("cursor=garbage!", "cursor"), ("cursor=" + "A" * 70, "cursor"), ("cursor=", "cursor"),
]


@pytest.mark.parametrize("query,field", BAD_FILTERS, ids=[q for q, _ in BAD_FILTERS])
def test_bad_filter_is_400(exp, query, field):
    r = exp.get(DIR + "?" + query, who="FRA/admin")
    assert_problem(r, 400, field)


def test_directory_needs_login(exp):
    assert_problem(exp.get(DIR), 401)
    assert_problem(exp.get(DIR + "?format=csv"), 401)


def test_directory_etag_304_and_change(server):
    for q in ("", "?format=csv", "?format=vcard", "?state=FRA"):
        r = server.get(DIR + q, who="FRA/admin")
        etag = etag_of(r)
        again = server.get(DIR + q, who="DEU/admin")
        assert again.headers["ETag"] == etag  # the same bytes for every participant
        r304 = server.get(DIR + q, who="FRA/admin", headers={"If-None-Match": etag})
        assert r304.status_code == 304 and r304.content == b""
        assert r304.headers["ETag"] == etag
    # the formats differ, so do their ETags
    tags = {server.get(DIR + q, who="FRA/admin").headers["ETag"]
            for q in ("", "?format=csv", "?format=vcard")}
    assert len(tags) == 3
    before = {q: server.get(DIR + q, who="FRA/admin").headers["ETag"]
              for q in ("", "?format=csv", "?format=vcard", "?state=FRA", "?state=DEU")}
    c = server.post("/api/v1/states/FRA/pocs", who="FRA/admin", json=poc_body())
    assert c.status_code == 201
    for q in ("", "?format=csv", "?format=vcard", "?state=FRA"):
        r = server.get(DIR + q, who="FRA/admin", headers={"If-None-Match": before[q]})
        assert r.status_code == 200, q
        assert r.headers["ETag"] != before[q]
        assert c.json()["id"] in r.text
    # after a change and its undo, the content, and so the ETag, may come back; a PUT that
    # changes one field changes it again
    etag = server.get(DIR, who="FRA/admin").headers["ETag"]
    u = server.put(c.headers["Location"], who="FRA/admin", json=poc_body(role_title="Changed"),
                   headers={"If-Match": c.headers["ETag"]})
    assert u.status_code == 200
    r = server.get(DIR, who="FRA/admin", headers={"If-None-Match": etag})
    assert r.status_code == 200 and "Changed" in r.text
    # a participation change alters the directory too
    etag = server.get(DIR, who="FRA/admin").headers["ETag"]
    p = server.patch("/api/v1/states/DEU", who="secretariat", json={"participating": False})
    assert p.status_code == 200
    r = server.get(DIR, who="FRA/admin", headers={"If-None-Match": etag})
    assert r.status_code == 200
    assert all(x["state"] != "DEU" for x in r.json()["items"])
