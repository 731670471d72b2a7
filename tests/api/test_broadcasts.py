"""Broadcasts: the Secretariat's announcements reach every participating state in the app, and
each PoC by mail in its first UN language when the announcement has that translation (English
otherwise); anyone else is refused, and bad texts are 400s naming the field."""
import pytest

from conftest import assert_problem
from mail_helpers import kill_agent, relay  # noqa: F401 (fixture)
from comm_helpers import stop_clean, wait_for
from ping_helpers import db_rows

URL = "/api/v1/broadcasts"
TEXTS = {"en": {"subject": "Ping test on 3 December",
                "body": "A ping test of every PoC runs on 3 December.\nPlease answer it."},
         "fr": {"subject": "Test de joignabilité le 3 décembre",
                "body": "Un test de tous les points de contact a lieu le 3 décembre."},
         "ar": {"subject": "اختبار الاتصال في 3 ديسمبر",
                "body": "يجري اختبار الاتصال بجميع نقاط الاتصال في 3 ديسمبر."}}


def test_the_secretariat_broadcasts_and_every_account_reads_it(server):
    r = server.post(URL, who="secretariat", json={"texts": TEXTS})
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["texts"] == TEXTS and doc["mails"] > 0
    for who in ("FRA/officer", "KEN/admin", "secretariat"):
        r = server.get(URL, who=who)
        assert r.status_code == 200, r.text
        assert r.json()["items"][0] == {k: doc[k] for k in ("id", "texts", "created_at")}
    # One outbox row per PoC of a participating state, in its language or English.
    rows = db_rows(server, "SELECT state, lang FROM outbox WHERE kind = 'broadcast'")
    assert len(rows) == doc["mails"]
    participating = {s["code"] for s in server.get("/api/v1/states", who="secretariat")
                     .json()["items"] if s["participating"]}
    assert {st for st, _ in rows} <= participating and len({st for st, _ in rows}) > 1


@pytest.mark.parametrize("who", ["FRA/admin", "FRA/officer"])
def test_only_the_secretariat_broadcasts(server, who):
    assert_problem(server.post(URL, who=who, json={"texts": TEXTS}), 403)
    assert_problem(server.post(URL, json={"texts": TEXTS}), 401)


@pytest.mark.parametrize("body,field", [
    ({}, "texts"),
    ({"texts": {"fr": TEXTS["fr"]}}, "texts.en"),
    ({"texts": {"en": TEXTS["en"], "de": TEXTS["fr"]}}, "texts.de"),
    ({"texts": {"en": {"subject": "a\nb", "body": "x"}}}, "texts.en.subject"),
    ({"texts": {"en": {"subject": "x" * 201, "body": "x"}}}, "texts.en.subject"),
    ({"texts": {"en": {"subject": "x", "body": ""}}}, "texts.en.body"),
    ({"texts": {"en": {"subject": "x", "body": 5}}}, "texts.en.body"),
    ({"texts": {"en": {"subject": "x", "body": "y", "extra": "z"}}}, "texts.en"),
    ({"texts": TEXTS, "urgent": True}, "urgent"),
])
def test_bad_broadcasts_name_the_field(server, body, field):
    assert_problem(server.post(URL, who="secretariat", json=body), 400, field)
    assert server.get(URL, who="secretariat").json()["items"] == []


def test_each_poc_gets_the_mail_in_its_language(server, relay):
    assert server.stop() == 0
    server.start("--smtp", relay.url, "--mail-from", "pocd@pocd.example", "--public-url",
                 "https://pocd.example")
    try:
        r = server.post(URL, who="secretariat", json={"texts": TEXTS})
        assert r.status_code == 201, r.text
        n = r.json()["mails"]
        got = wait_for(relay.received, lambda m: len(m) >= n, 60)
        assert len(got) == n
        langs = dict(db_rows(server, "SELECT p.email, o.lang FROM outbox o JOIN pocs p"
                                     " ON p.id = o.poc_id WHERE o.kind = 'broadcast'"))
        seen = set()
        for m in got:
            lang = langs[m["to"][0]]
            msg = m["msg"]
            text = msg.get_body(("plain",)).get_content()
            want = TEXTS.get(lang, TEXTS["en"])
            assert want["subject"] in str(msg["Subject"]), (lang, msg["Subject"])
            assert want["body"].split("\n")[0] in text
            assert "https://pocd.example/" in text
            seen.add(lang if lang in TEXTS else "other")
        assert {"en", "fr", "ar"} <= seen
    finally:
        stop_clean(server)
        kill_agent(str(server.db) + ".gnupg")
