"""A table of bad communications and bad replies: each a 400 problem naming the exact field,
and nothing written. Also the indicators every type must accept."""
import copy
import json

import pytest

from conftest import assert_problem
from comm_helpers import COMMS, VALID_COMM, comm_body, list_ids, path, recipient, send, show, to
from comm_helpers import checked_server  # noqa: F401 (fixtures)
from pocd_helpers import DROP, problem_fields
from pocd_helpers import module_server  # noqa: F401 (fixtures)


def _set(dotted, value):
    """A body with the member at a dotted path ("incident.impact", "to.0.kinds") replaced
    (DROP removes it)."""
    b = copy.deepcopy(VALID_COMM)
    keys = dotted.split(".")
    o = b
    for k in keys[:-1]:
        o = o[int(k)] if isinstance(o, list) else o[k]
    last = keys[-1]
    if isinstance(o, list):
        o[int(last)] = value
    elif value is DROP:
        del o[last]
    else:
        o[last] = value
    return b


def _ind(*pairs):
    return comm_body(indicators=[{"type": t, "value": v} for t, v in pairs])


GOOD_IPV4 = ("ipv4", "198.51.100.7")
BAD_INDICATORS = [
    ("ipv4", "999.1.1.1"),
    ("ipv4", "198.51.100"),
    ("ipv4", "2001:db8::1"),
    ("ipv6", "2001:db8::g"),
    ("ipv6", "2001:db8:::1"),
    ("cidr", "198.51.100.0/33"),
    ("cidr", "2001:db8::/129"),
    ("cidr", "198.51.100.0"),
    ("cidr", "198.51.100.0/"),
    ("domain", "-bad-.example"),
    ("domain", "localhost"),
    ("domain", "exa mple.org"),
    ("url", "javascript:alert(1)"),
    ("url", "file:///etc/passwd"),
    ("url", "http://"),
    ("email", "no-at-sign.example"),
    ("email", "two@@example.org"),
    ("md5", "d41d8cd98f00b204e9800998ecf8427"),
    ("md5", "z41d8cd98f00b204e9800998ecf8427e"),
    ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd8070g"),
    ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd807"),
    ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"),
    ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555"),
    ("asn", "AS0"),
    ("asn", "AS4294967296"),
    ("asn", "ASX"),
    ("cve", "CVE-24-1"),
    ("cve", "CVE-2024-12"),
    ("cve", "cve-2024-3094x"),
]

GOOD_INDICATORS = [
    ("ipv4", "198.51.100.7"),
    ("ipv6", "2001:db8::1"),
    ("cidr", "198.51.100.0/24"),
    ("cidr", "2001:db8::/32"),
    ("domain", "mail.example.org"),
    ("url", "https://example.org/path?q=1#frag"),
    ("url", "http://198.51.100.7:8080/x"),
    ("url", "ftp://files.example.org/pub"),
    ("email", "soc@cert.example.org"),
    ("md5", "d41d8cd98f00b204e9800998ecf8427e"),
    ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("asn", "AS64496"),
    ("asn", "64496"),
    ("cve", "CVE-2024-3094"),
    ("cve", "CVE-2021-44228"),
]

MANY = [{"type": "ipv4", "value": "198.51.100.%d" % (i % 250)} for i in range(101)]

CASES = [
    # Required members.
    ("missing type", _set("type", DROP), "type"),
    ("missing urgency", _set("urgency", DROP), "urgency"),
    ("missing tlp", _set("tlp", DROP), "tlp"),
    ("missing to", _set("to", DROP), "to"),
    ("missing subject", _set("subject", DROP), "subject"),
    ("missing description", _set("description", DROP), "description"),
    # Coded fields: wrong type, bad code.
    ("type number", _set("type", 1), "type"),
    ("type bad code", _set("type", "complaint"), "type"),
    ("type null", _set("type", None), "type"),
    ("urgency array", _set("urgency", ["urgent"]), "urgency"),
    ("urgency bad code", _set("urgency", "immediate"), "urgency"),
    ("urgency case", _set("urgency", "Urgent"), "urgency"),
    ("tlp lower case", _set("tlp", "amber"), "tlp"),
    ("tlp 1.0 white", _set("tlp", "WHITE"), "tlp"),
    ("tlp number", _set("tlp", 2), "tlp"),
    # Recipients.
    ("to string", _set("to", "DEU"), "to"),
    ("to empty", _set("to", []), "to"),
    ("to too many", _set("to", to("DEU", "KEN", "RUS", "EGY", "BRA", "JPN", "IND", "USA", "CHN",
                                   "GBR", "ITA", "ESP", "CAN", "MEX", "ARG", "AUS", "NZL")),
     "to"),
    ("to item string", _set("to", ["DEU"]), "to[0]"),
    ("to state lower case", _set("to.0.state", "deu"), "to[0].state"),
    ("to state alpha-2", _set("to.0.state", "DE"), "to[0].state"),
    ("to state number", _set("to.0.state", 276), "to[0].state"),
    ("to state missing", comm_body(to=[{"kinds": ["technical"]}]), "to[0].state"),
    ("to kinds missing", comm_body(to=[{"state": "DEU"}]), "to[0].kinds"),
    ("to kinds empty", _set("to.0.kinds", []), "to[0].kinds"),
    ("to kinds string", _set("to.0.kinds", "technical"), "to[0].kinds"),
    ("to kinds bad code", _set("to.0.kinds", ["legal"]), "to[0].kinds"),
    ("to kinds twice", _set("to.0.kinds", ["technical", "technical"]), "to[0].kinds"),
    ("to kinds three", _set("to.0.kinds", ["technical", "diplomatic", "technical"]),
     "to[0].kinds"),
    ("to second kinds", comm_body(to=[{"state": "DEU", "kinds": ["technical"]},
                                      {"state": "KEN", "kinds": ["political"]}]),
     "to[1].kinds"),
    ("to duplicate state", comm_body(to=[{"state": "DEU", "kinds": ["technical"]},
                                         {"state": "DEU", "kinds": ["diplomatic"]}]),
     "to[1].state"),
    ("to unknown member", comm_body(to=[{"state": "DEU", "kinds": ["technical"], "cc": True}]),
     "to[0].cc"),
    # Free text tagged with its language.
    ("subject string", _set("subject", "Wiper"), "subject"),
    ("subject text missing", _set("subject.text", DROP), "subject.text"),
    ("subject text empty", _set("subject.text", ""), "subject.text"),
    ("subject text number", _set("subject.text", 42), "subject.text"),
    ("subject text too long", _set("subject.text", "x" * 201), "subject.text"),
    ("subject text control", _set("subject.text", "a\u0007b"), "subject.text"),
    ("subject lang missing", _set("subject.lang", DROP), "subject.lang"),
    ("subject lang unknown", _set("subject.lang", "xx"), "subject.lang"),
    ("subject lang three letters", _set("subject.lang", "eng"), "subject.lang"),
    ("subject unknown member", _set("subject.script", "Latn"), "subject.script"),
    ("description array", _set("description", ["text"]), "description"),
    ("description text too long", _set("description.text", "y" * 20001), "description.text"),
    ("description lang", _set("description.lang", "english"), "description.lang"),
    ("description C1 control", _set("description.text", "a\u0085b"), "description.text"),
    # Sectors.
    ("sectors string", _set("sectors", "energy"), "sectors"),
    ("sectors empty", _set("sectors", []), "sectors"),
    ("sectors bad code", _set("sectors", ["nuclear"]), "sectors[0]"),
    ("sectors second bad", _set("sectors", ["energy", 3]), "sectors[1]"),
    ("sectors twice", _set("sectors", ["energy", "water", "energy"]), "sectors[2]"),
    # Incident.
    ("incident string", _set("incident", "ongoing"), "incident"),
    ("incident status bad code", _set("incident.status", "over"), "incident.status"),
    ("incident status number", _set("incident.status", 1), "incident.status"),
    ("incident impact bad code", _set("incident.impact", "severe"), "incident.impact"),
    ("incident impact upper case", _set("incident.impact", "HIGH"), "incident.impact"),
    ("incident first_seen bad", _set("incident.first_seen", "yesterday"),
     "incident.first_seen"),
    ("incident first_seen number", _set("incident.first_seen", 1732587000),
     "incident.first_seen"),
    ("incident detected bad date", _set("incident.detected", "2024-02-30T00:00:00Z"),
     "incident.detected"),
    ("incident detected before first_seen",
     _set("incident.detected", "2024-11-26T02:00:00Z"), "incident.detected"),
    ("incident in the future", _set("incident.first_seen", "2099-01-01T00:00:00Z"),
     "incident"),
    ("incident unknown member", _set("incident.origin", "RUS"), "incident.origin"),
    # Indicators: the list, the items, each type's rule.
    ("indicators object", _set("indicators", {"type": "ipv4", "value": "198.51.100.7"}),
     "indicators"),
    ("indicators too many", comm_body(indicators=MANY), "indicators"),
    ("indicator string", _set("indicators", ["198.51.100.7"]), "indicators[0]"),
    ("indicator type bad code", _ind(("hostname", "example.org")), "indicators[0].type"),
    ("indicator type missing", comm_body(indicators=[{"value": "198.51.100.7"}]),
     "indicators[0].type"),
    ("indicator value missing", comm_body(indicators=[{"type": "ipv4"}]),
     "indicators[0].value"),
    ("indicator value number", comm_body(indicators=[{"type": "asn", "value": 64496}]),
     "indicators[0].value"),
    ("indicator unknown member",
     comm_body(indicators=[{"type": "ipv4", "value": "198.51.100.7", "note": "x"}]),
     "indicators[0].note"),
] + [
    ("indicator %s %s" % (t, v), _ind(GOOD_IPV4, (t, v)), "indicators[1].value")
    for t, v in BAD_INDICATORS
] + [
    # Requested action, reply-by, languages, distribution.
    ("requested_action string", _set("requested_action", "mitigate"), "requested_action"),
    ("requested_action empty", _set("requested_action", []), "requested_action"),
    ("requested_action bad code", _set("requested_action", ["retaliate"]),
     "requested_action[0]"),
    ("requested_action twice", _set("requested_action", ["consult", "consult"]),
     "requested_action[1]"),
    ("requested_action too many", _set("requested_action", [
        "investigate", "mitigate", "preserve_evidence", "share_information", "consult",
        "acknowledge_only", "investigate"]), "requested_action"),
    ("reply_by bad", _set("reply_by", "tomorrow"), "reply_by"),
    ("reply_by number", _set("reply_by", 1), "reply_by"),
    ("reply_by in the past", _set("reply_by", "2020-01-01T00:00:00Z"), "reply_by"),
    ("reply_languages string", _set("reply_languages", "en"), "reply_languages"),
    ("reply_languages empty", _set("reply_languages", []), "reply_languages"),
    ("reply_languages bad code", _set("reply_languages", ["en", "xx"]), "reply_languages[1]"),
    ("reply_languages twice", _set("reply_languages", ["en", "fr", "en"]), "reply_languages[2]"),
    ("reply_languages seven", _set("reply_languages", ["ar", "zh", "en", "fr", "ru", "es", "de"]),
     "reply_languages"),
    ("open_distribution string", comm_body(open_distribution="yes"), "open_distribution"),
    ("open_distribution with RED", comm_body(tlp="RED", open_distribution=True),
     "open_distribution"),
    ("open_distribution with AMBER+STRICT",
     comm_body(tlp="AMBER+STRICT", open_distribution=True), "open_distribution"),
    # Unknown members at the top level, server fields included.
    ("unknown member", comm_body(priority="high"), "priority"),
    ("server field id", comm_body(id="aaaaaaaaaaaaaaaaaaaaaaaaaa"), "id"),
    ("server field sender", comm_body(sender={"state": "DEU"}), "sender"),
    ("server field template_version", comm_body(template_version=1), "template_version"),
    ("server field recipients", comm_body(recipients=[]), "recipients"),
]


@pytest.mark.parametrize("body,field", [(b, f) for _, b, f in CASES],
                         ids=[name for name, _, _ in CASES])
def test_bad_communication(module_server, body, field):
    s = module_server
    before = list_ids(s, "FRA/officer", box="outbox")
    r = s.post(COMMS, who="FRA/officer", json=body)
    doc = assert_problem(r, 400, field)
    errs = doc["errors"]
    assert all(e["field"] and e["reason"] for e in errs), errs
    assert list_ids(s, "FRA/officer", box="outbox") == before


def test_several_errors_at_once(module_server):
    s = module_server
    body = comm_body(type="x", tlp="x", indicators=[{"type": "md5", "value": "00"}],
                     subject={"text": "", "lang": "en"}, reply_by="2020-01-01T00:00:00Z",
                     to=[{"state": "DEU", "kinds": []}, {"state": "deu", "kinds": ["x"]}])
    r = s.post(COMMS, who="FRA/officer", json=body)
    assert_problem(r, 400)
    assert set(problem_fields(r)) >= {"type", "tlp", "indicators[0].value", "subject.text",
                                      "reply_by", "to[0].kinds", "to[1].state", "to[1].kinds"}


@pytest.mark.parametrize("data", ["[]", "\"text\"", "{", "null", ""])
def test_body_not_an_object(module_server, data):
    s = module_server
    r = s.post(COMMS, who="FRA/officer", data=data,
               headers={"Content-Type": "application/json"})
    assert_problem(r, 400)


def test_every_indicator_type_accepts_good_values(checked_server):
    s = checked_server
    inds = [{"type": t, "value": v} for t, v in GOOD_INDICATORS]
    doc = send(s, body=comm_body(indicators=inds))
    assert doc["indicators"] == inds
    # The minimal communication: the six required members.
    minimal = {k: VALID_COMM[k] for k in ("type", "urgency", "tlp", "to", "subject",
                                          "description")}
    doc = send(s, body=minimal)
    for k in ("sectors", "incident", "indicators", "requested_action", "reply_by"):
        assert k not in doc
    # Every code of every coded field is accepted.
    for t in ("notification", "request_information", "request_assistance",
              "request_clarification", "request_capacity_building"):
        send(s, body=dict(minimal, type=t))
    for tlp in ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"):
        send(s, body=dict(minimal, tlp=tlp))
    sectors = ["energy", "water", "health", "finance", "transport", "telecommunications",
               "digital_infrastructure", "government", "emergency_services", "food_agriculture",
               "chemical", "manufacturing", "space", "education", "other"]
    doc = send(s, body=dict(minimal, sectors=sectors))
    assert doc["sectors"] == sectors
    acts = ["investigate", "mitigate", "preserve_evidence", "share_information", "consult",
            "acknowledge_only"]
    doc = send(s, body=dict(minimal, requested_action=acts,
                            incident={"status": "resolved", "impact": "critical"}))
    assert doc["requested_action"] == acts
    assert doc["incident"] == {"status": "resolved", "impact": "critical"}
    # Text in the six languages, and the 200-character subject limit counts characters.
    for lang, text in (("ar", "هجوم على شبكة الكهرباء"), ("zh", "电网遭受攻击"),
                       ("ru", "Атака на энергосеть"), ("es", "Ataque a la red eléctrica")):
        doc = send(s, body=dict(minimal, subject={"text": text, "lang": lang}))
        assert doc["subject"] == {"text": text, "lang": lang}
    send(s, body=dict(minimal, subject={"text": "é" * 200, "lang": "fr"}))
    # Exactly 100 indicators is the limit, not beyond it.
    send(s, body=dict(minimal, indicators=MANY[:100]))


def test_null_optional_members_are_absent(checked_server):
    s = checked_server
    opt = ("sectors", "incident", "indicators", "requested_action", "reply_by",
           "reply_languages", "open_distribution")
    doc = send(s, body=comm_body(**{k: None for k in opt}))
    for k in opt[:-1]:
        assert k not in doc, k
    assert doc["open_distribution"] is False
    r = s.post(path(doc["id"], "replies"), who="DEU/officer",
               json={"text": "ok", "lang": "en", "state": None, "indicators": None})
    assert r.status_code == 201, r.text
    assert "indicators" not in r.json()["thread"][0]
    # Required members may not be null.
    for k in ("type", "urgency", "tlp", "to", "subject", "description"):
        r = s.post(COMMS, who="FRA/officer", json=comm_body(**{k: None}))
        assert_problem(r, 400, k)


def test_multiline_text_is_accepted(checked_server):
    """Descriptions and replies are free text: paragraphs (line breaks) and tabs, pasted
    logs, go through."""
    s = checked_server
    text = "Timeline:\n02:10 first beacon\n02:30 detection\n\n\tSee the indicators below."
    doc = send(s, body=comm_body(description={"text": text, "lang": "en"}))
    assert doc["description"]["text"] == text
    cid = doc["id"]
    r = s.post(path(cid, "replies"), who="DEU/officer",
               json={"text": "Line one.\r\nLine two.", "lang": "en"})
    assert r.status_code == 201, r.text
    assert r.json()["thread"][0]["text"] == "Line one.\r\nLine two."
    # A subject stays on one line.
    r = s.post(COMMS, who="FRA/officer",
               json=comm_body(subject={"text": "Two\nlines", "lang": "en"}))
    assert_problem(r, 400, "subject.text")


# Bad replies: (name, body, field).
REPLY_CASES = [
    ("text missing", {"lang": "en"}, "text"),
    ("text empty", {"text": "", "lang": "en"}, "text"),
    ("text number", {"text": 5, "lang": "en"}, "text"),
    ("text too long", {"text": "z" * 20001, "lang": "en"}, "text"),
    ("text control", {"text": "a\u001bb", "lang": "en"}, "text"),
    ("lang missing", {"text": "ok"}, "lang"),
    ("lang unknown", {"text": "ok", "lang": "xx"}, "lang"),
    ("lang upper case", {"text": "ok", "lang": "EN"}, "lang"),
    ("indicators string", {"text": "ok", "lang": "en", "indicators": "1.2.3.4"}, "indicators"),
    ("indicator bad ipv4", {"text": "ok", "lang": "en",
                            "indicators": [{"type": "ipv4", "value": "999.1.1.1"}]},
     "indicators[0].value"),
    ("indicator bad type", {"text": "ok", "lang": "en",
                            "indicators": [{"type": "ip", "value": "198.51.100.7"}]},
     "indicators[0].type"),
    ("state lower case", {"text": "ok", "lang": "en", "state": "deu"}, "state"),
    ("state number", {"text": "ok", "lang": "en", "state": 276}, "state"),
    ("unknown member", {"text": "ok", "lang": "en", "subject": "x"}, "subject"),
    ("server member", {"text": "ok", "lang": "en", "author_state": "FRA"}, "author_state"),
]


@pytest.fixture(scope="module")
def reply_target(module_server):
    return send(module_server, to=to("DEU"))["id"]


@pytest.mark.parametrize("body,field", [(b, f) for _, b, f in REPLY_CASES],
                         ids=[name for name, _, _ in REPLY_CASES])
@pytest.mark.parametrize("who", ["DEU/officer", "FRA/officer"])
def test_bad_reply(module_server, reply_target, who, body, field):
    s = module_server
    r = s.post(path(reply_target, "replies"), who=who, json=body)
    assert_problem(r, 400, field)
    doc = show(s, reply_target, "FRA/officer")
    assert doc["thread"] == []
    assert recipient(doc, "DEU")["status"] == "sent"
    assert [h["what"] for h in doc["history"]] == ["sent"]


@pytest.mark.parametrize("data", ["[]", "{", "\"ok\""])
def test_reply_body_not_an_object(module_server, reply_target, data):
    s = module_server
    r = s.post(path(reply_target, "replies"), who="DEU/officer", data=data,
               headers={"Content-Type": "application/json"})
    assert_problem(r, 400)
    assert show(s, reply_target, "FRA/officer")["thread"] == []


def test_nul_in_text_is_refused(module_server):
    s = module_server
    before = list_ids(s, "FRA/officer", box="outbox")
    r = s.post(COMMS, who="FRA/officer",
               json=comm_body(subject={"text": "a\u0000b", "lang": "en"}))
    assert_problem(r, 400)
    assert list_ids(s, "FRA/officer", box="outbox") == before


def test_json_only(module_server):
    s = module_server
    before = list_ids(s, "FRA/officer", box="outbox")
    r = s.post(COMMS, who="FRA/officer", data=json.dumps(VALID_COMM),
               headers={"Content-Type": "text/plain"})
    assert_problem(r, 415)
    assert list_ids(s, "FRA/officer", box="outbox") == before
