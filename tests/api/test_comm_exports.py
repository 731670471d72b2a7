"""GET /api/v1/communications/{id}?format=iodef|stix: one communication for other tools.

The IODEF document is validated with xmllint (Debian's libxml2-utils) against
tests/data/iodef-2.0-subset.xsd, a subset of RFC 7970's schema that is stricter than the
whole (see the file's header for how it was cut); the STIX bundle is checked here against
the properties the STIX 2.1 specification requires of a bundle and of each object."""
import os
import re
import subprocess
import xml.etree.ElementTree as ET

from comm_helpers import comm_body, to
from conftest import assert_problem

SCHEMA = os.path.join(os.path.dirname(__file__), "../data/iodef-2.0-subset.xsd")
NS = {"i": "urn:ietf:params:xml:ns:iodef-2.0"}
INDICATORS = [("ipv4", "198.51.100.7"), ("ipv6", "2001:db8::1"), ("cidr", "198.51.100.0/24"),
              ("domain", "example.org"), ("url", "https://example.org/a?b=c&d='e'"),
              ("email", "abuse@example.org"), ("md5", "0" * 32), ("sha1", "a" * 40),
              ("sha256", "b" * 64), ("asn", "AS64496"), ("cve", "CVE-2024-3094")]
UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
STIX_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
TLP_MARKINGS = {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
                "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
                "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
                "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"}
# STIX 2.1 required properties beyond the common ones, by object type.
REQUIRED = {"identity": {"name"}, "incident": {"name"},
            "indicator": {"pattern", "pattern_type", "valid_from"},
            "vulnerability": {"name"},
            "relationship": {"relationship_type", "source_ref", "target_ref"}}
SDO_COMMON = {"type", "spec_version", "id", "created", "modified"}


def sent(server, **overrides):
    up = server.post("/api/v1/attachments", who="FRA/officer", params={"filename": "a&b.pcap"},
                     data=b"evidence")
    assert up.status_code == 201, up.text
    body = comm_body(to=to("DEU", "KEN"),
                     indicators=[{"type": t, "value": v} for t, v in INDICATORS],
                     description={"text": "x < y & \"z\"\nsecond line", "lang": "en"},
                     attachments=[up.json()["id"]], **overrides)
    r = server.post("/api/v1/communications", who="FRA/officer", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def export(server, cid, fmt, who="DEU/officer"):
    return server.get("/api/v1/communications/%s" % cid, who=who, params={"format": fmt})


def xmllint(path):
    return subprocess.run(["xmllint", "--noout", "--nonet", "--schema", SCHEMA, str(path)],
                          capture_output=True, text=True)


def test_iodef_validates_against_the_rfc_7970_schema(server, tmp_path):
    doc = sent(server)
    r = export(server, doc["id"], "iodef")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/xml"
    out = tmp_path / "iodef.xml"
    out.write_bytes(r.content)
    v = xmllint(out)
    assert v.returncode == 0, v.stderr

    root = ET.fromstring(r.content)
    assert root.tag == "{%s}IODEF-Document" % NS["i"] and root.get("version") == "2.00"
    inc = root.find("i:Incident", NS)
    assert inc.get("purpose") == "mitigation" and inc.get("restriction") == "amber"
    assert inc.find("i:IncidentID", NS).text == doc["id"]
    descs = [d.text for d in inc.findall("i:Description", NS)]
    assert descs == [doc["subject"]["text"], "x < y & \"z\"\nsecond line"], descs
    contacts = [(c.get("role"), c.find("i:ContactName", NS).text)
                for c in inc.findall("i:Contact", NS)]
    # DEU sees itself as the recipient, not KEN: no open distribution.
    assert contacts == [("creator", "France"), ("irt", "Germany")], contacts
    observed = [o[0].text for o in inc.findall("i:IndicatorData/i:Indicator/i:Observable", NS)]
    assert observed == [v if t != "asn" else "64496" for t, v in INDICATORS], observed
    extra = inc.findall("i:AdditionalData", NS)
    assert [a.text for a in extra] == [doc["attachments"][0]["sha256"]]
    assert "a&b.pcap" in extra[0].get("meaning")

    # The schema bites: a document without its GenerationTime, or with a purpose RFC 7970
    # does not know, is refused.
    broken = r.text.replace("<GenerationTime>", "<!--").replace("</GenerationTime>", "-->")
    out.write_text(broken)
    assert xmllint(out).returncode != 0
    out.write_text(r.text.replace('purpose="mitigation"', 'purpose="gossip"'))
    assert xmllint(out).returncode != 0


def object_errors(o, ids):
    """What o lacks of STIX 2.1's rules for its type; ids: every id in the bundle."""
    errs = []
    t = o.get("type")
    if not re.fullmatch(r"%s--%s" % (re.escape(str(t)), UUID4), str(o.get("id"))):
        errs.append("id %r is not %s--UUIDv4" % (o.get("id"), t))
    if o.get("spec_version") != "2.1":
        errs.append("spec_version is not 2.1")
    if t == "file":  # a cyber-observable: no created/modified, hashes required here
        if not o.get("hashes"):
            errs.append("file without hashes")
        return errs
    missing = (SDO_COMMON | REQUIRED.get(t, set())) - set(o)
    if missing:
        errs.append("%s lacks %s" % (t, sorted(missing)))
    for k in ("created", "modified", "valid_from"):
        if k in o and not re.fullmatch(STIX_TIME, o[k]):
            errs.append("%s %r is not a STIX timestamp" % (k, o[k]))
    if "modified" in o and "created" in o and o["modified"] < o["created"]:
        errs.append("modified before created")
    for k in ("created_by_ref", "source_ref", "target_ref"):
        if k in o and o[k] not in ids:
            errs.append("%s %s names no object of the bundle" % (k, o[k]))
    for m in o.get("object_marking_refs", []):
        if m not in TLP_MARKINGS:
            errs.append("unknown marking %s" % m)
    # Custom properties (11.1): x_ names of a-z, 0-9 and _, 3 to 250 characters.
    for k in o:
        if k.startswith("x_") and not re.fullmatch(r"[a-z0-9_]{3,250}", k):
            errs.append("custom property name %r" % k)
    if t == "identity" and o.get("identity_class") != "organization":
        errs.append("identity_class")
    if t == "indicator":
        if o["pattern_type"] != "stix":
            errs.append("pattern_type")
        if not re.fullmatch(r"\[[a-z0-9-]+:[A-Za-z0-9_.'-]+ (=|ISSUBSET) ('([^'\\]|\\.)*'|\d+)\]",
                            o["pattern"]):
            errs.append("pattern %r" % o["pattern"])
    return errs


def test_stix_bundle_has_what_stix_2_1_requires(server):
    doc = sent(server)
    r = export(server, doc["id"], "stix", who="FRA/officer")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/stix+json;version=2.1"
    b = r.json()
    assert b["type"] == "bundle" and re.fullmatch("bundle--" + UUID4, b["id"]), b["id"]
    assert "spec_version" not in b
    objs = b["objects"]
    ids = {o["id"] for o in objs}
    assert len(ids) == len(objs), "ids are unique"
    errs = [e for o in objs for e in object_errors(o, ids)]
    assert not errs, errs

    by_type = {}
    for o in objs:
        by_type.setdefault(o["type"], []).append(o)
    # The sender sees both recipients.
    assert sorted(i["name"] for i in by_type["identity"]) == ["France", "Germany", "Kenya"]
    (incident,) = by_type["incident"]
    assert incident["name"] == doc["subject"]["text"]
    assert incident["external_references"] == [{"source_name": "pocd", "external_id": doc["id"]}]
    patterns = [i["pattern"] for i in by_type["indicator"]]
    assert "[ipv4-addr:value = '198.51.100.7']" in patterns
    assert "[file:hashes.'SHA-256' = '%s']" % ("b" * 64) in patterns
    assert "[url:value = 'https://example.org/a?b=c&d=\\'e\\'']" in patterns
    assert "[autonomous-system:number = 64496]" in patterns
    assert len(by_type["indicator"]) == len(INDICATORS) - 1
    assert by_type["vulnerability"][0]["name"] == "CVE-2024-3094"
    (f,) = by_type["file"]
    assert f["hashes"] == {"SHA-256": doc["attachments"][0]["sha256"]}
    related = {(x["source_ref"], x["target_ref"]) for x in by_type["relationship"]}
    for i in by_type["indicator"] + by_type["vulnerability"]:
        assert (i["id"], incident["id"]) in related
    assert incident["x_pocd_tlp"] == "AMBER"
    # The same communication exports the same ids again.
    assert export(server, doc["id"], "stix", who="FRA/officer").json() == b


def test_exports_are_for_those_who_read_the_content(server):
    doc = sent(server)
    for fmt in ("iodef", "stix"):
        assert_problem(export(server, doc["id"], fmt, who="secretariat"), 404)
        assert_problem(export(server, doc["id"], fmt, who="BRA/officer"), 404)
    assert_problem(export(server, doc["id"], "pdf"), 400, "format")
    assert export(server, doc["id"], "json").json()["id"] == doc["id"]
    # TLP:RED: on the sending side only the author reads the content, and so exports it.
    red = sent(server, tlp="RED")
    assert "content_withheld" in server.get("/api/v1/communications/%s" % red["id"],
                                            who="FRA/admin").json()
    for fmt in ("iodef", "stix"):
        assert_problem(export(server, red["id"], fmt, who="FRA/admin"), 403)
        assert export(server, red["id"], fmt, who="FRA/officer").status_code == 200
