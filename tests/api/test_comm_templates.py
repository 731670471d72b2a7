"""GET /api/v1/templates: the one versioned template, every code labelled in the six UN
languages, the deadlines of the running service."""
import re

import pytest

from conftest import assert_problem
from comm_helpers import DEADLINES, comm_body, parse_time, recipient, send
from pocd_helpers import module_server  # noqa: F401 (fixtures)


LANGS = ("ar", "zh", "en", "fr", "ru", "es")

# The coded sets and their codes, as the issue lists them.
SETS = {
    "type": ["notification", "request_information", "request_assistance",
             "request_clarification", "request_capacity_building"],
    "urgency": ["routine", "priority", "urgent"],
    "tlp": ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"],
    "sector": ["energy", "water", "health", "finance", "transport", "telecommunications",
               "digital_infrastructure", "government", "emergency_services", "food_agriculture",
               "chemical", "manufacturing", "space", "education", "other"],
    "incident_status": ["ongoing", "contained", "resolved"],
    "impact": ["low", "medium", "high", "critical"],
    "indicator_type": ["ipv4", "ipv6", "cidr", "domain", "url", "email", "md5", "sha1",
                       "sha256", "asn", "cve"],
    "requested_action": ["investigate", "mitigate", "preserve_evidence", "share_information",
                         "consult", "acknowledge_only"],
}

# Each language's own script must appear in its labels.
SCRIPTS = {"ar": re.compile("[\u0600-\u06ff]"), "zh": re.compile("[\u4e00-\u9fff]"),
           "ru": re.compile("[\u0400-\u04ff]")}


def _get(s, **params):
    r = s.get("/api/v1/templates", who="DEU/officer", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _check_label(label, lang, where):
    assert isinstance(label, str) and label.strip() == label and label, (where, lang, label)
    if lang in SCRIPTS:
        assert SCRIPTS[lang].search(label), (where, lang, label)


def test_every_code_has_six_labels(module_server):
    doc = _get(module_server)
    assert doc["template_version"] == 1
    assert [st["name"] for st in doc["sets"]] and {st["name"] for st in doc["sets"]} == set(SETS)
    for st in doc["sets"]:
        assert [c["code"] for c in st["codes"]] == SETS[st["name"]], st["name"]
        assert set(st["label"]) == set(LANGS), st["name"]
        for lang in LANGS:
            _check_label(st["label"][lang], lang, st["name"])
        for c in st["codes"]:
            where = "%s.%s" % (st["name"], c["code"])
            assert set(c["label"]) == set(LANGS), where
            for lang in LANGS:
                _check_label(c["label"][lang], lang, where)
        # Labels tell the codes apart in every language.
        for lang in LANGS:
            labels = [c["label"][lang] for c in st["codes"]]
            assert len(set(labels)) == len(labels), (st["name"], lang, labels)


@pytest.mark.parametrize("lang", LANGS)
def test_one_language(module_server, lang):
    full = _get(module_server)
    doc = _get(module_server, lang=lang)
    assert doc["template_version"] == 1
    assert doc["lang"] == lang
    assert doc["deadlines"] == full["deadlines"]
    assert len(doc["sets"]) == len(full["sets"])
    for st, fst in zip(doc["sets"], full["sets"]):
        assert st["name"] == fst["name"]
        assert st["label"] == fst["label"][lang]
        assert [c["code"] for c in st["codes"]] == [c["code"] for c in fst["codes"]]
        for c, fc in zip(st["codes"], fst["codes"]):
            assert c["label"] == fc["label"][lang]
            _check_label(c["label"], lang, c["code"])


@pytest.mark.parametrize("lang", ["de", "EN", "", "english", "pt"])
def test_other_languages_refused(module_server, lang):
    r = module_server.get("/api/v1/templates", who="DEU/officer", params={"lang": lang})
    assert_problem(r, 400, "lang")


def test_deadlines_listed(module_server):
    doc = _get(module_server)
    assert doc["deadlines"] == {
        u: {"acknowledge_seconds": a, "answer_seconds": b} for u, (a, b) in DEADLINES.items()}


def test_every_account_reads_the_template(module_server):
    for who in ("secretariat", "RUS/admin", "KEN/officer"):
        r = module_server.get("/api/v1/templates", who=who)
        assert r.status_code == 200, r.text


def test_configured_deadlines(server):
    """Deadlines are per deployment: the template shows them and sending applies them."""
    s = server
    assert s.stop() == 0
    s.start("--deadline-urgent", "30m/6h", "--deadline-routine", "5d/30d")
    doc = _get(s)
    assert doc["deadlines"]["urgent"] == {"acknowledge_seconds": 1800,
                                          "answer_seconds": 6 * 3600}
    assert doc["deadlines"]["routine"] == {"acknowledge_seconds": 5 * 86400,
                                           "answer_seconds": 30 * 86400}
    assert doc["deadlines"]["priority"] == {"acknowledge_seconds": 12 * 3600,
                                            "answer_seconds": 72 * 3600}
    for urgency, (a, b) in (("urgent", (1800, 6 * 3600)), ("routine", (5 * 86400, 30 * 86400))):
        c = send(s, body=comm_body(urgency=urgency))
        created = parse_time(c["created_at"])
        assert parse_time(recipient(c, "DEU")["ack_due"]) - created == a
        assert parse_time(recipient(c, "DEU")["answer_due"]) - created == b
