"""docs/openapi.yaml describes exactly the routes pocd serves.

Two sources of truth are compared with the document:
- the route table `routes[]` in src/api/router.c (method and pattern, "{}" for a segment);
- a running pocd: every documented operation, with its path filled with real values (a
  communication is sent first, as FRA/officer to DEU's technical PoCs, for the
  /api/v1/communications/{id} routes, and the event id of its receipt serves the
  /api/v1/receipts/{event_id} route; a ping campaign over FRA is started as the Secretariat
  for the /api/v1/ping-campaigns/{id} and /api/v1/pings/{id} routes; the test clock needs a
  server started with --test-clock), must reach a handler (never the router's 404 or 405), every status it answers
  must be documented for that operation, JSON bodies (and text bodies, as strings) must match
  the documented schema, and
  every method the document does not list for a path must get 405 with an Allow header naming
  exactly the documented ones.
The document is also checked for being well-formed OpenAPI 3.1, as far as plain Python can:
top-level keys, operations with responses, path parameters, unique operation ids, security
schemes that exist, and every $ref resolving.
"""
import base64
import copy
import datetime
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import time

import pytest
import requests
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from conftest import POCD, Server
from pocd_helpers import sanitizer_lines

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SPEC = os.path.join(ROOT, "docs", "openapi.yaml")
ROUTER = os.path.join(ROOT, "src", "api", "router.c")

OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PROBED = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
UNKNOWN_ROUTE_DETAIL = "there is no such resource"
# Headers a client acts on: when a response carries one, the document must say so.
MEANINGFUL_HEADERS = ("ETag", "Location", "Set-Cookie", "Retry-After", "Allow",
                      "WWW-Authenticate", "Vary", "Content-Disposition")


@pytest.fixture(scope="module")
def spec():
    with open(SPEC, encoding="utf-8") as f:
        return yaml.safe_load(f)


def norm(path):
    """'/api/v1/pocs/{id}' -> '/api/v1/pocs/{}', as the router writes its patterns."""
    return re.sub(r"\{[^{}/]*\}", "{}", path)


def router_routes():
    """(METHOD, pattern) of every entry of routes[] in src/api/router.c."""
    with open(ROUTER, encoding="utf-8") as f:
        src = f.read()
    m = re.search(r"\broutes\s*\[\s*\]\s*=\s*\{(.*?)\n\s*\};", src, re.S)
    assert m, "no routes[] table in %s" % ROUTER
    table = re.sub(r"/\*.*?\*/|//[^\n]*", "", m.group(1), flags=re.S)
    entries = re.findall(r"\{\s*M_([A-Z]+)\s*,\s*\"([^\"]*)\"\s*,\s*(\w+)", table)
    # Every "{M_" must have been understood, or a route could hide from the comparison.
    assert len(entries) == len(re.findall(r"\{\s*M_", table)), table
    return [(method, pattern) for method, pattern, _ in entries]


def spec_routes(spec):
    """(METHOD, normalised path) of every operation of the document; HEAD is GET's."""
    out = set()
    for path, item in spec["paths"].items():
        for op in OPERATIONS:
            if op in item and op != "head":
                out.add((op.upper(), norm(path)))
    return out


def documented_methods(item):
    """The methods a path item documents, with HEAD implied by GET."""
    methods = {op.upper() for op in OPERATIONS if op in item}
    if "GET" in methods:
        methods.add("HEAD")
    return methods


# ---------------------------------------------------------------------------------------------
# The document against the route table


def test_router_table_is_read():
    routes = router_routes()
    assert len(routes) >= 10, routes
    for method, pattern in routes:
        assert method in ("GET", "POST", "PUT", "PATCH", "DELETE"), (method, pattern)
        assert pattern.startswith("/"), pattern
    assert len(set(routes)) == len(routes), "routes[] lists a route twice"


def test_every_served_route_is_documented(spec):
    missing = set(router_routes()) - spec_routes(spec)
    assert not missing, "served by src/api/router.c but not in docs/openapi.yaml: %s" % sorted(
        missing)


def test_every_documented_route_is_served(spec):
    extra = spec_routes(spec) - set(router_routes())
    assert not extra, "in docs/openapi.yaml but not served by src/api/router.c: %s" % sorted(
        extra)
    for path, item in spec["paths"].items():
        if "head" in item:
            assert "get" in item, "%s documents HEAD without GET" % path


def test_paths_are_distinct_once_normalised(spec):
    seen = {}
    for path in spec["paths"]:
        key = norm(path)
        assert key not in seen, "%s and %s are the same route" % (seen[key], path)
        seen[key] = path


# ---------------------------------------------------------------------------------------------
# The document on its own: well-formed OpenAPI 3.1


def resolve(spec, ref):
    """The object a local $ref names, or an AssertionError."""
    assert ref.startswith("#/"), "only local references are used here: %s" % ref
    node = spec
    for raw in ref[2:].split("/"):
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            assert key.isdigit() and int(key) < len(node), "unresolved $ref %s" % ref
            node = node[int(key)]
        else:
            assert isinstance(node, dict) and key in node, "unresolved $ref %s" % ref
            node = node[key]
    return node


def deref(spec, obj):
    seen = set()
    while isinstance(obj, dict) and "$ref" in obj:
        assert obj["$ref"] not in seen, "reference loop at %s" % obj["$ref"]
        seen.add(obj["$ref"])
        obj = resolve(spec, obj["$ref"])
    return obj


def walk(node, where="#"):
    yield where, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, "%s/%s" % (where, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, "%s/%d" % (where, i))


def test_top_level(spec):
    assert isinstance(spec, dict)
    allowed = {"openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks",
               "components", "security", "tags", "externalDocs"}
    unknown = {k for k in spec if k not in allowed and not k.startswith("x-")}
    assert not unknown, "unknown top-level keys: %s" % unknown
    assert re.fullmatch(r"3\.1\.\d+", str(spec.get("openapi"))), spec.get("openapi")
    info = spec.get("info")
    assert isinstance(info, dict) and info.get("title") and info.get("version"), info
    assert isinstance(spec.get("paths"), dict) and spec["paths"]
    for path in spec["paths"]:
        assert path.startswith("/"), path


def test_every_ref_resolves(spec):
    refs = 0
    for where, node in walk(spec):
        if isinstance(node, dict) and "$ref" in node:
            assert isinstance(node["$ref"], str), where
            resolve(spec, node["$ref"])
            deref(spec, node)
            refs += 1
    assert refs > 0


def test_operations(spec):
    schemes = spec.get("components", {}).get("securitySchemes", {})
    for name, scheme in schemes.items():
        assert scheme.get("type") in ("apiKey", "http", "mutualTLS", "oauth2",
                                      "openIdConnect"), name
        if scheme["type"] == "apiKey":
            assert scheme.get("in") in ("query", "header", "cookie") and scheme.get("name"), name
        if scheme["type"] == "http":
            assert scheme.get("scheme"), name
    for req in spec.get("security", []):
        for name in req:
            assert name in schemes, "top-level security names unknown scheme %s" % name
    ids = set()
    for path, item in spec["paths"].items():
        item_params = [deref(spec, p) for p in item.get("parameters", [])]
        ops = [op for op in OPERATIONS if op in item]
        assert ops, "%s has no operation" % path
        for op in ops:
            o = item[op]
            where = "%s %s" % (op.upper(), path)
            oid = o.get("operationId")
            assert oid, "%s has no operationId" % where
            assert oid not in ids, "operationId %s is used twice" % oid
            ids.add(oid)
            responses = o.get("responses")
            assert isinstance(responses, dict) and responses, "%s has no responses" % where
            for code, r in responses.items():
                assert re.fullmatch(r"[1-5](\d\d|XX)|default", str(code)), (where, code)
                r = deref(spec, r)
                assert isinstance(r.get("description"), str), (where, code)
                for media, mt in r.get("content", {}).items():
                    assert "schema" in mt, (where, code, media)
                    deref(spec, mt["schema"])
                for name, h in r.get("headers", {}).items():
                    h = deref(spec, h)
                    assert "schema" in h or "content" in h, (where, code, name)
            if "requestBody" in o:
                body = deref(spec, o["requestBody"])
                assert body.get("content"), where
                for media, mt in body["content"].items():
                    assert "schema" in mt, (where, media)
            for req in o.get("security", []):
                for name in req:
                    assert name in schemes, "%s names unknown scheme %s" % (where, name)
            # Path parameters: each {name} declared once, required, and nothing else.
            params = item_params + [deref(spec, p) for p in o.get("parameters", [])]
            for p in params:
                assert p.get("name") and p.get("in") in ("query", "header", "path", "cookie"), (
                    where, p)
                assert "schema" in p or "content" in p, (where, p["name"])
            keys = [(p["in"], p["name"].lower() if p["in"] == "header" else p["name"])
                    for p in o.get("parameters", [])
                    for p in [deref(spec, p)]]
            assert len(keys) == len(set(keys)), "%s declares a parameter twice" % where
            declared = {p["name"] for p in params if p["in"] == "path"}
            for p in params:
                if p["in"] == "path":
                    assert p.get("required") is True, (where, p["name"])
            in_path = set(re.findall(r"\{([^{}/]+)\}", path))
            assert declared == in_path, "%s: path parameters %s, declared %s" % (
                where, sorted(in_path), sorted(declared))


# ---------------------------------------------------------------------------------------------
# A small JSON Schema (2020-12) checker for the keywords the document uses.


def schema_errors(spec, schema, value, where="$"):
    schema = deref(spec, schema)
    if schema is True or schema is None or schema == {}:
        return []
    if schema is False:
        return ["%s: no value is allowed" % where]
    errs = []
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        if not any(type_ok(t, value) for t in types):
            return ["%s: %r is not of type %s" % (where, value, types)]
    if "const" in schema and value != schema["const"]:
        errs.append("%s: %r is not %r" % (where, value, schema["const"]))
    if "enum" in schema and value not in schema["enum"]:
        errs.append("%s: %r is not one of the enum" % (where, value))
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errs.append("%s: %r is shorter than %d" % (where, value, schema["minLength"]))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errs.append("%s: %r is longer than %d" % (where, value, schema["maxLength"]))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append("%s: %r does not match %s" % (where, value, schema["pattern"]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errs.append("%s: %r < %r" % (where, value, schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            errs.append("%s: %r > %r" % (where, value, schema["maximum"]))
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errs.append("%s: fewer than %d items" % (where, schema["minItems"]))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errs.append("%s: more than %d items" % (where, schema["maxItems"]))
        if schema.get("uniqueItems") and len({repr(v) for v in value}) != len(value):
            errs.append("%s: items repeat" % where)
        if "items" in schema:
            for i, v in enumerate(value):
                errs += schema_errors(spec, schema["items"], v, "%s[%d]" % (where, i))
    if isinstance(value, dict):
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            errs.append("%s: fewer than %d members" % (where, schema["minProperties"]))
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            errs.append("%s: more than %d members" % (where, schema["maxProperties"]))
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in value:
                errs.append("%s: %s is required" % (where, k))
        for k, v in value.items():
            if k in props:
                errs += schema_errors(spec, props[k], v, "%s.%s" % (where, k))
            elif schema.get("additionalProperties") is False:
                errs.append("%s: %s is not a documented member" % (where, k))
            elif isinstance(schema.get("additionalProperties"), dict):
                errs += schema_errors(spec, schema["additionalProperties"], v,
                                      "%s.%s" % (where, k))
    for sub in schema.get("allOf", []):
        errs += schema_errors(spec, sub, value, where)
    if "if" in schema:
        if not schema_errors(spec, schema["if"], value, where):
            errs += schema_errors(spec, schema.get("then", True), value, where)
        else:
            errs += schema_errors(spec, schema.get("else", True), value, where)
    if "anyOf" in schema:
        if not any(not schema_errors(spec, s, value, where) for s in schema["anyOf"]):
            errs.append("%s: %r matches none of anyOf" % (where, value))
    if "oneOf" in schema:
        n = sum(1 for s in schema["oneOf"] if not schema_errors(spec, s, value, where))
        if n != 1:
            errs.append("%s: %r matches %d of oneOf, not 1" % (where, value, n))
    return errs


def type_ok(t, v):
    return {
        "null": v is None,
        "boolean": isinstance(v, bool),
        "integer": isinstance(v, int) and not isinstance(v, bool),
        "number": isinstance(v, (int, float)) and not isinstance(v, bool),
        "string": isinstance(v, str),
        "array": isinstance(v, list),
        "object": isinstance(v, dict),
    }[t]


def test_examples_match_their_schemas(spec):
    """The examples the document gives are valid by its own schemas."""
    checked = 0
    for where, node in walk(spec):
        if isinstance(node, dict) and "schema" in node and "example" in node:
            errs = schema_errors(spec, node["schema"], node["example"], where)
            assert not errs, errs
            checked += 1
    assert checked > 0


# ---------------------------------------------------------------------------------------------
# The document against a running server

COMMUNICATIONS = "/api/v1/communications"
CLOCK = "/api/v1/test/clock"
CAMPAIGNS = "/api/v1/ping-campaigns"
PINGS = "/api/v1/pings"
TASKS = "/api/v1/tasks"

# A communication the server must accept from FRA/officer; comm_body() adds to it.
COMMUNICATION = {
    "type": "request_assistance",
    "urgency": "urgent",
    "tlp": "AMBER",
    "to": [{"state": "DEU", "kinds": ["technical"]}],
    "subject": {"text": "Ransomware on a grid operator (test_openapi)", "lang": "en"},
    "description": {"text": "An operator's SCADA network is encrypted.", "lang": "en"},
}


def utc(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
        seconds=seconds_from_now)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def comm_body(**overrides):
    b = copy.deepcopy(COMMUNICATION)
    b.update(overrides)
    return b


def send_communication(server, who="FRA/officer", **overrides):
    r = server.post(COMMUNICATIONS, who=who, json=comm_body(**overrides))
    assert r.status_code == 201, r.text
    return r.json()["id"]


class Probe:
    """Requests to a running pocd with the document's paths filled with real values."""

    def __init__(self, server, spec, values=True):
        """values=False: no values for paths (a server without the demo directory)."""
        self.server = server
        self.spec = spec
        self.who = "FRA/admin"
        self.values = {}
        if not values:
            return
        pocs = server.get("/api/v1/states/FRA/pocs", who=self.who)
        assert pocs.status_code == 200, pocs.text
        accounts = server.get("/api/v1/states/FRA/accounts", who=self.who)
        assert accounts.status_code == 200, accounts.text
        officer = server.account("FRA/officer")["username"]
        # FRA (the prober's state) sent it: the sender's side of every route.
        sent = server.post(COMMUNICATIONS, who="FRA/officer", json=comm_body())
        assert sent.status_code == 201, sent.text
        self.values = {
            "states": "FRA",
            "pocs": pocs.json()["items"][0]["id"],
            "accounts": [a["id"] for a in accounts.json()["items"]
                         if a["username"] == officer][0],
            "communications": sent.json()["id"],
            # The sending's event, of which FRA holds a leaf.
            "receipts": sent.json()["receipt"]["event_id"],
            # An upload of FRA's, which FRA's accounts read until something references it.
            "attachments": server.post("/api/v1/attachments", who="FRA/officer",
                                       params={"filename": "probe.txt"},
                                       data=b"probe").json()["id"],
        }
        key = server.post("/api/v1/api-keys", who=self.who,
                          json={"name": "Probe", "scopes": ["directory:read"]})
        hook = server.post("/api/v1/webhooks", who=self.who,
                           json={"url": "https://hooks.example.org/probe"})
        assert key.status_code == 201 and hook.status_code == 201, (key.text, hook.text)
        self.values["api-keys"] = key.json()["id"]
        self.values["webhooks"] = hook.json()["id"]
        self.values["changes"] = self.pending_change(self.values["pocs"])
        # A re-enrolment link of FRA, which FRA/admin (the prober) may cancel.
        self.values["reenrol"] = server.post("/api/v1/states/FRA/reenrol",
                                             who="secretariat").json()["id"]

    def pending_change(self, pid):
        """An e-mail change of the PoC proposed by FRA's second admin, so that FRA/admin (the
        prober) may confirm it; the PoC's other fields as they are."""
        r = self.server.get("/api/v1/pocs/" + pid, who=self.who)
        body = {k: v for k, v in r.json().items()
                if k not in ("id", "state", "revision", "created_at", "updated_at", "stale",
                             "changed")}
        body["email"] = "probe-change@cert-fr.example"
        r = self.server.put("/api/v1/pocs/" + pid, who="FRA/admin2", json=body,
                            headers={"If-Match": r.headers["ETag"]})
        assert r.status_code == 202, r.text
        return r.json()["pending_change"]["id"]

    def ping_values(self):
        """A campaign over FRA, started as the Secretariat, and one of its pings (FRA's, so
        that FRA/admin, the prober, may answer it). Started the first time a path needs them."""
        if "ping-campaigns" in self.values:
            return
        r = self.server.post(CAMPAIGNS, who="secretariat", json={"scope": ["FRA"]})
        assert r.status_code == 201, r.text
        campaign = r.json()["id"]
        r = self.server.get(PINGS + "?limit=1000", who=self.who)
        assert r.status_code == 200, r.text
        self.values["ping-campaigns"] = campaign
        self.values["pings"] = [p["id"] for p in r.json()["items"]
                                if p["campaign"] == campaign][0]

    def fill(self, path):
        """The path with each {param} replaced by a real value, chosen by the segment before it."""
        segs = path.split("/")
        for i, seg in enumerate(segs):
            if seg.startswith("{"):
                if i > 0 and segs[i - 1] in ("ping-campaigns", "pings"):
                    self.ping_values()
                assert i > 0 and segs[i - 1] in self.values, (
                    "no plausible value for %s in %s: teach Probe.values" % (seg, path))
                segs[i] = self.values[segs[i - 1]]
        return "/".join(segs)

    def send(self, method, path, token=None, headers=None):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        return requests.request(method, self.server.url + path, headers=h, timeout=30)

    def operation(self, path, method):
        item = self.spec["paths"][path]
        return item.get("get" if method == "HEAD" else method.lower())

    def check_documented(self, path, method, r):
        """Failures: a status the operation does not document, or a body off its schema."""
        op = self.operation(path, method)
        responses = op["responses"]
        code = str(r.status_code)
        key = code if code in responses else code[0] + "XX"
        if key not in responses:
            key = "default"
        if key not in responses:
            return ["%s %s answered %s, which the document does not list: %s" % (
                method, path, code, r.text[:300])]
        resp = deref(self.spec, responses[key])
        errs = self.header_errors("%s %s %s" % (method, path, code), resp, r)
        if method == "HEAD":
            return errs
        ctype = r.headers.get("Content-Type", "").split(";")[0].strip()
        content = resp.get("content", {})
        if not content:
            return errs if not r.content else errs + [
                "%s %s %s: a body where the document has none: %r" % (method, path, code,
                                                                      r.text[:200])]
        media = [m for m in content if m.split(";")[0].strip() == ctype]
        if not media:
            return errs + ["%s %s %s: Content-Type %s is not one of %s" % (
                method, path, code, ctype, sorted(content))]
        schema = content[media[0]].get("schema")
        if ctype == "application/problem+json" and r.json().get("status") != r.status_code:
            errs.append("%s %s %s: the problem's status is %r" % (method, path, code,
                                                                 r.json().get("status")))
        if ctype.endswith("json") and schema is not None:
            errs += ["%s %s %s: %s" % (method, path, code, e)
                     for e in schema_errors(self.spec, schema, r.json())]
        elif ctype.startswith("text/") and schema is not None:
            errs += ["%s %s %s: %s" % (method, path, code, e)
                     for e in schema_errors(self.spec, schema, r.text)]
        return errs


    def header_errors(self, where, resp, r):
        """Documented headers that are missing or malformed, and meaningful ones undocumented."""
        documented = {k.lower(): deref(self.spec, h) for k, h in resp.get("headers", {}).items()}
        errs = []
        for name, h in documented.items():
            value = r.headers.get(name)
            if value is None:
                if h.get("required"):
                    errs.append("%s: no %s header" % (where, name))
                continue
            schema = deref(self.spec, h.get("schema", {}))
            if schema.get("type") == "integer" and re.fullmatch(r"-?\d+", value):
                value = int(value)
            errs += ["%s: header %s" % (where, e)
                     for e in schema_errors(self.spec, schema, value, name)]
        for name in MEANINGFUL_HEADERS:
            if name.lower() not in documented and name in r.headers:
                errs.append("%s: header %s: %s is not documented" % (where, name,
                                                                    r.headers[name]))
        return errs


def is_public(spec, op):
    security = op.get("security", spec.get("security", []))
    return security == [] or {} in security


def test_documented_operations_are_served(server, spec):
    """Each documented method reaches a handler: never the router's 404 or 405.

    Calls carry no body and no Content-Type, so most writes stop at 415 (or 428 for DELETE
    without If-Match) before changing anything; an unsafe operation without a body (logout,
    confirming a PoC) runs on a session of its own, FRA/officer's, which may not confirm (403).
    Acknowledging and closing a communication take no body at all, so they really act:
    FRA/admin may not acknowledge its own state's communication (403) but closes it (200). The server runs with --test-clock, without which POST
    /api/v1/test/clock is the router's 404.
    """
    assert server.stop() == 0
    server.start("--test-clock")
    probe = Probe(server, spec)
    token = server.token(probe.who)
    failures = []
    for path, item in spec["paths"].items():
        url = probe.fill(path)
        for method in sorted(documented_methods(item)):
            op = probe.operation(path, method)
            t = token
            if method in UNSAFE and "requestBody" not in op:
                officer = server.account("FRA/officer")
                t = server.login(officer["username"], officer["password"])
            r = probe.send(method, url, token=t)
            if r.status_code == 405 or (r.status_code == 404 and (
                    method == "HEAD" or UNKNOWN_ROUTE_DETAIL in r.text)):
                failures.append("%s %s (%s): %d %s" % (method, path, url, r.status_code,
                                                       r.text[:200]))
                continue
            # With real ids nothing documented is missing: a 404 here is a failure too.
            if r.status_code == 404:
                failures.append("%s %s (%s): 404 on a real id: %s" % (method, path, url,
                                                                      r.text[:200]))
                continue
            failures += probe.check_documented(path, method, r)
            # Without credentials: 401 exactly where the document asks for a login.
            anon = probe.send(method, url)
            if is_public(spec, op):
                if anon.status_code in (401, 404, 405):
                    failures.append("%s %s is documented public but answers %d anonymously" % (
                        method, path, anon.status_code))
            elif anon.status_code != 401:
                failures.append("%s %s is documented as needing a login but answers %d "
                                "anonymously" % (method, path, anon.status_code))
            else:
                failures += probe.check_documented(path, method, anon)
    assert not failures, "\n".join(failures)


def test_undocumented_methods_are_405(server, spec):
    """Every method a path does not document is refused with 405 and the right Allow."""
    probe = Probe(server, spec)
    failures = []
    for path, item in spec["paths"].items():
        url = probe.fill(path)
        documented = documented_methods(item)
        for method in PROBED:
            if method in documented:
                continue
            # Anonymous and without a body: if the server did serve it, nothing changes.
            r = probe.send(method, url)
            if r.status_code != 405:
                failures.append("%s %s (undocumented) answered %d, not 405: %s" % (
                    method, path, r.status_code, r.text[:200]))
                continue
            allow = {m.strip() for m in r.headers.get("Allow", "").split(",") if m.strip()}
            if allow != documented:
                failures.append("%s %s: Allow is %s, the document has %s" % (
                    method, path, sorted(allow), sorted(documented)))
            if method != "HEAD":
                failures += schema_errors(spec, {"$ref": "#/components/schemas/Problem"},
                                          r.json())
    assert not failures, "\n".join(failures)


def test_unknown_route_is_the_routers_404(server, spec):
    """The 404 that the probes above rule out is what an unknown path really gets."""
    for path in ("/api/v1/nope", "/api/v1/states/FRA/nope", "/api/v1/pocs"):
        assert norm(path) not in {norm(p) for p in spec["paths"]}
        r = requests.get(server.url + path, timeout=30)
        assert r.status_code == 404, (path, r.status_code, r.text)
        assert r.json()["detail"] == UNKNOWN_ROUTE_DETAIL, r.text
        assert not schema_errors(spec, {"$ref": "#/components/schemas/Problem"}, r.json())


def test_bodies_match_the_documented_schemas(server, spec):
    """Answers beyond the plain probe: a login, paging, other callers, writes, problems."""
    probe = Probe(server, spec)
    failures = []
    sec = server.account("secretariat")

    def check(path, method, r):
        failures.extend(probe.check_documented(path, method, r))

    r = requests.post(server.url + "/api/v1/login",
                      json={"username": sec["username"], "password": sec["password"]}, timeout=30)
    check("/api/v1/login", "POST", r)
    check("/api/v1/me", "GET", server.get("/api/v1/me", who="secretariat"))
    check("/api/v1/directory", "GET", server.get("/api/v1/directory?limit=2", who="FRA/admin"))
    page = server.get("/api/v1/directory?limit=2", who="FRA/admin").json()
    assert page["next"] is not None
    check("/api/v1/directory", "GET",
          server.get("/api/v1/directory?limit=2&cursor=" + page["next"], who="DEU/officer"))
    check("/api/v1/directory", "GET", server.get("/api/v1/directory?limit=0", who="FRA/admin"))
    for fmt in ("csv", "vcard"):
        check("/api/v1/directory", "GET",
              server.get("/api/v1/directory?format=" + fmt, who="FRA/admin"))
    poc = probe.values["pocs"]
    check("/api/v1/pocs/{id}", "GET", server.get("/api/v1/pocs/" + poc, who="DEU/admin"))
    check("/api/v1/pocs/{id}/history", "GET",
          server.get("/api/v1/pocs/%s/history" % poc, who="secretariat"))
    # A write and its answer (with its receipt), then the precondition failures.
    body = server.get("/api/v1/pocs/" + poc, who="FRA/admin")
    etag = body.headers["ETag"]
    doc = {k: v for k, v in body.json().items()
           if k not in ("id", "state", "revision", "created_at", "updated_at", "stale")}
    doc["role_title"] = "Changed by test_openapi"
    r = server.put("/api/v1/pocs/" + poc, who="FRA/admin", json=doc, headers={"If-Match": etag})
    check("/api/v1/pocs/{id}", "PUT", r)
    assert r.status_code == 200 and "receipt" in r.json(), r.text
    assert json.loads(r.json()["receipt"]["leaf"])["event"] == "poc.changed", r.text
    r = server.put("/api/v1/pocs/" + poc, who="FRA/admin", json=doc, headers={"If-Match": etag})
    check("/api/v1/pocs/{id}", "PUT", r)
    assert r.status_code == 412, r.text
    check("/api/v1/pocs/{id}", "PUT", server.put("/api/v1/pocs/" + poc, who="FRA/admin",
                                                 json=doc))
    # Reads never carry a receipt, as the document says of PocRecord.
    r = server.get("/api/v1/pocs/" + poc, who="FRA/admin")
    check("/api/v1/pocs/{id}", "GET", r)
    assert "receipt" not in r.json(), r.text
    # A PoC's whole life, each write with its receipt: creation, confirmation, removal (200
    # with a body now, no longer 204).
    new = dict(doc, role_title="Made by test_openapi", accounts=[])
    r = server.post("/api/v1/states/FRA/pocs", who="FRA/admin", json=new)
    check("/api/v1/states/{code}/pocs", "POST", r)
    assert r.status_code == 201 and "receipt" in r.json(), r.text
    made = r.json()["id"]
    r = server.post("/api/v1/pocs/%s/confirm" % made, who="FRA/admin")
    check("/api/v1/pocs/{id}/confirm", "POST", r)
    assert r.status_code == 200 and "receipt" in r.json(), r.text
    r = server.delete("/api/v1/pocs/" + made, who="FRA/admin",
                      headers={"If-Match": r.headers["ETag"]})
    check("/api/v1/pocs/{id}", "DELETE", r)
    assert r.status_code == 200 and r.json()["id"] == made and r.json()["removed"] is True, (
        r.status_code, r.text)
    assert json.loads(r.json()["receipt"]["leaf"])["event"] == "poc.removed", r.text
    r = server.get("/api/v1/pocs/%s/history" % made, who="FRA/admin")
    check("/api/v1/pocs/{id}/history", "GET", r)
    assert [i["op"] for i in r.json()["items"]] == ["created", "confirmed", "removed"], r.text
    check("/api/v1/pocs/{id}", "GET", server.get("/api/v1/pocs/" + poc, who="FRA/admin",
                                                 headers={"If-None-Match": etag}))
    doc["phones"] = ["12"]
    doc["nickname"] = "x"
    r = server.post("/api/v1/states/FRA/pocs", who="FRA/admin", json=doc)
    check("/api/v1/states/{code}/pocs", "POST", r)
    assert r.status_code == 400 and {"phones[0]", "nickname"} <= {
        e["field"] for e in r.json()["errors"]}, r.text
    check("/api/v1/states/{code}/pocs", "POST",
          server.post("/api/v1/states/FRA/pocs", who="DEU/admin", json=doc))
    check("/api/v1/states/{code}", "GET", server.get("/api/v1/states/ZZZ", who="FRA/admin"))
    check("/api/v1/states/{code}", "PATCH",
          server.patch("/api/v1/states/FRA", who="secretariat", json={"participating": True}))
    check("/api/v1/states/{code}/enrolments", "POST",
          server.post("/api/v1/states/FRA/enrolments", who="FRA/admin",
                      json={"role": "officer"}))
    check("/api/v1/accounts/{id}", "PATCH",
          server.patch("/api/v1/accounts/" + probe.values["accounts"], who="FRA/admin",
                       json={"disabled": False}))
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------------
# Communications, the template, the report and the test clock


class Checks:
    """Answers checked against the document and against the status a call should get."""

    def __init__(self, server, spec, values=True):
        self.server = server
        self.spec = spec
        self.probe = Probe(server, spec, values)
        self.failures = []

    def __call__(self, path, method, r, status):
        if r.status_code != status:
            self.failures.append("%s %s: expected %d, got %d: %s" % (
                method, path, status, r.status_code, r.text[:300]))
        self.failures.extend(self.probe.check_documented(path, method, r))
        return r

    def body_errors(self, schema, body):
        """Errors of a body the test sends, by the document's request schema."""
        return schema_errors(self.spec, {"$ref": "#/components/schemas/" + schema}, body)

    def done(self):
        assert not self.failures, "\n".join(self.failures)


def fields(r):
    return {e["field"] for e in r.json().get("errors", [])}


# One indicator of every type, each as the server must accept and echo it.
EVERY_INDICATOR = [
    {"type": "ipv4", "value": "198.51.100.7"},
    {"type": "ipv6", "value": "2001:db8::1"},
    {"type": "cidr", "value": "198.51.100.0/24"},
    {"type": "cidr", "value": "2001:db8::/32"},
    {"type": "domain", "value": "bad.example.org"},
    {"type": "url", "value": "https://bad.example.org/x?y=1"},
    {"type": "email", "value": "abuse@bad.example.org"},
    {"type": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e"},
    {"type": "sha1", "value": "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {"type": "sha256", "value": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"type": "asn", "value": "AS64496"},
    {"type": "cve", "value": "CVE-2024-3094"},
]


def test_templates_match_the_documented_schema(server, spec):
    check = Checks(server, spec)
    path = "/api/v1/templates"
    check(path, "GET", server.get(path, who="secretariat"), 200)
    r = check(path, "GET", server.get(path + "?lang=ar", who="DEU/officer"), 200)
    check(path, "GET", server.get(path + "?lang=ar", who="DEU/officer",
                                  headers={"If-None-Match": r.headers.get("ETag", "")}), 304)
    check(path, "GET", server.get(path + "?lang=de", who="DEU/officer"), 400)
    # The sets in the documented order (their codes are checked by TemplateSet's oneOf).
    template = server.get(path, who="FRA/officer").json()
    assert [s["name"] for s in template["sets"]] == [
        "type", "urgency", "tlp", "sector", "incident_status", "impact", "indicator_type",
        "requested_action"]
    check.done()


def test_communications_match_the_documented_schemas(server, spec):
    """Sending, reading, listing, acknowledging, replying and closing, by every party."""
    check = Checks(server, spec)
    one = COMMUNICATIONS + "/{id}"

    # Sending: every optional field and every indicator type, to two states.
    full = comm_body(
        to=[{"state": "DEU", "kinds": ["technical"]},
            {"state": "KEN", "kinds": ["diplomatic", "technical"]}],
        sectors=["energy", "water"],
        incident={"first_seen": utc(-7200), "detected": utc(-3600), "status": "ongoing",
                  "impact": "high"},
        indicators=EVERY_INDICATOR,
        requested_action=["mitigate", "share_information"],
        reply_by=utc(2 * 86400),
        reply_languages=["en", "fr"],
        open_distribution=False)
    assert not check.body_errors("CommunicationInput", full)
    r = check(COMMUNICATIONS, "POST", server.post(COMMUNICATIONS, who="FRA/officer", json=full),
              201)
    cid = r.json()["id"]
    assert r.headers.get("Location") == COMMUNICATIONS + "/" + cid
    assert r.json()["indicators"] == EVERY_INDICATOR
    url = COMMUNICATIONS + "/" + cid

    # Refusals of a send: the body, the caller, the content type.
    bad = comm_body(indicators=[{"type": "ipv4", "value": "198.51.100"}], sectors="energy",
                    nickname="x", to=[{"state": "FRA", "kinds": ["technical"]}])
    assert check.body_errors("CommunicationInput", bad)
    r = check(COMMUNICATIONS, "POST", server.post(COMMUNICATIONS, who="FRA/officer", json=bad),
              400)
    assert {"indicators[0].value", "sectors", "nickname"} <= fields(r), r.text
    r = check(COMMUNICATIONS, "POST", server.post(
        COMMUNICATIONS, who="FRA/officer",
        json=comm_body(to=[{"state": "FRA", "kinds": ["technical"]},
                           {"state": "ZZZ", "kinds": ["technical"]}])), 400)
    assert {"to[0].state", "to[1].state"} <= fields(r), r.text
    check(COMMUNICATIONS, "POST",
          server.post(COMMUNICATIONS, who="secretariat", json=comm_body()), 403)
    check(COMMUNICATIONS, "POST", server.post(COMMUNICATIONS, who="FRA/officer", data="{}"), 415)

    # Reading it: the sender, both recipients, a third state, the Secretariat.
    check(one, "GET", server.get(url, who="FRA/admin"), 200)
    r = check(one, "GET", server.get(url, who="KEN/admin"), 200)
    assert [x["state"] for x in r.json()["recipients"]] == ["KEN"], r.text
    check(one, "GET", server.get(url, who="JPN/officer"), 404)
    check(one, "GET", server.get(url, who="secretariat"), 404)
    check(one, "GET", server.get(COMMUNICATIONS + "/" + "a" * 26, who="DEU/officer"), 404)

    # The lifecycle: acknowledge, reply from both sides, close.
    ack = one + "/acknowledge"
    check(ack, "POST", server.post(url + "/acknowledge", who="DEU/officer"), 200)
    r = check(ack, "POST", server.post(url + "/acknowledge", who="DEU/officer", json={}), 200)
    assert r.json()["recipients"][0]["status"] == "acknowledged", r.text
    check(ack, "POST", server.post(url + "/acknowledge", who="FRA/officer"), 403)
    check(ack, "POST", server.post(url + "/acknowledge", who="JPN/admin"), 404)
    check(ack, "POST", server.post(url + "/acknowledge", who="KEN/officer", json={"x": 1}), 400)
    check(ack, "POST", server.post(url + "/acknowledge", who="KEN/officer", data="{}"), 415)
    replies = one + "/replies"
    reply = {"text": "Blocked at our border.", "lang": "en",
             "indicators": [{"type": "domain", "value": "c2.example.net"}]}
    assert not check.body_errors("ReplyInput", reply)
    r = check(replies, "POST", server.post(url + "/replies", who="KEN/admin", json=reply), 201)
    assert r.json()["recipients"][0]["status"] == "answered", r.text
    check(replies, "POST", server.post(url + "/replies", who="FRA/officer",
                                       json={"text": "Thanks.", "lang": "en", "state": "KEN"}),
          201)
    check(replies, "POST", server.post(url + "/replies", who="FRA/officer",
                                       json={"text": "To all.", "lang": "en"}), 201)
    r = check(replies, "POST", server.post(url + "/replies", who="FRA/officer",
                                           json={"text": "x", "lang": "en", "state": "JPN"}), 400)
    assert fields(r) == {"state"}, r.text
    r = check(replies, "POST", server.post(url + "/replies", who="DEU/officer",
                                           json={"text": "", "lang": "xx", "q": 1}), 400)
    assert {"text", "lang", "q"} <= fields(r), r.text
    check(replies, "POST", server.post(url + "/replies", who="secretariat",
                                       json={"text": "x", "lang": "en"}), 404)
    r = check(one, "GET", server.get(url, who="FRA/officer"), 200)
    assert len(r.json()["thread"]) == 4 and len(r.json()["recipients"]) == 2, r.text
    close = one + "/close"
    check(close, "POST", server.post(url + "/close", who="DEU/officer"), 403)
    r = check(close, "POST", server.post(url + "/close", who="FRA/admin", json={}), 200)
    assert {x["status"] for x in r.json()["recipients"]} == {"closed"}, r.text
    check(close, "POST", server.post(url + "/close", who="FRA/admin"), 200)
    check(ack, "POST", server.post(url + "/acknowledge", who="KEN/officer"), 409)
    check(replies, "POST", server.post(url + "/replies", who="DEU/officer",
                                       json={"text": "late", "lang": "en"}), 409)
    check(replies, "POST", server.post(url + "/replies", who="FRA/officer",
                                       json={"text": "late", "lang": "en"}), 409)

    # TLP:RED: DEU's admin acts for its diplomatic PoC, not for the technical one addressed.
    red = send_communication(server, tlp="RED")
    check(replies, "POST", server.post(COMMUNICATIONS + "/%s/replies" % red, who="DEU/officer",
                                       json={"text": "Seen.", "lang": "en"}), 201)
    r = check(one, "GET", server.get(COMMUNICATIONS + "/" + red, who="DEU/admin"), 200)
    assert r.json()["content_withheld"] == "TLP:RED" and "subject" not in r.json(), r.text
    assert r.json()["thread"][0]["content_withheld"] == "TLP:RED", r.text
    r = check(one, "GET", server.get(COMMUNICATIONS + "/" + red, who="DEU/officer"), 200)
    assert "content_withheld" not in r.json(), r.text

    # Lists: both boxes, the filters, paging, refusals.
    r = check(COMMUNICATIONS, "GET",
              server.get(COMMUNICATIONS + "?box=outbox&limit=1", who="FRA/officer"), 200)
    assert r.json()["next"] is not None, r.text
    check(COMMUNICATIONS, "GET", server.get(
        COMMUNICATIONS + "?box=outbox&limit=1&cursor=" + r.json()["next"], who="FRA/admin"), 200)
    r = check(COMMUNICATIONS, "GET", server.get(COMMUNICATIONS, who="DEU/admin"), 200)
    assert any(i.get("content_withheld") == "TLP:RED" for i in r.json()["items"]), r.text
    for query in ("?status=answered", "?box=inbox&status=closed", "?box=outbox&status=overdue"):
        check(COMMUNICATIONS, "GET", server.get(COMMUNICATIONS + query, who="KEN/officer"), 200)
    r = check(COMMUNICATIONS, "GET", server.get(
        COMMUNICATIONS + "?box=all&status=late&cursor=x", who="FRA/officer"), 400)
    assert fields(r) == {"box", "status", "cursor"}, r.text
    check(COMMUNICATIONS, "GET", server.get(COMMUNICATIONS + "?limit=201", who="FRA/officer"),
          400)
    check(COMMUNICATIONS, "GET", server.get(COMMUNICATIONS, who="secretariat"), 403)

    # The report: a state, the Secretariat, a window, a malformed one. Every window here holds
    # communications: with none at all, report.c hands qsort() a NULL array and the sanitized
    # build aborts (a bug of src/, not of the document).
    report = "/api/v1/reports/responsiveness"
    r = check(report, "GET", server.get(report, who="DEU/officer"), 200)
    assert [s["state"] for s in r.json()["states"]] == ["DEU"], r.text
    r = check(report, "GET", server.get(report + "?since=" + utc(-3600), who="secretariat"), 200)
    assert [s["state"] for s in r.json()["states"]] == ["DEU", "KEN"], r.text
    check(report, "GET", server.get(report + "?since=2026-01-01", who="secretariat"), 400)
    check.done()


def poll(read, until, timeout=20):
    """read() until until(answer) holds (the scheduler works after the clock's answer)."""
    deadline = time.monotonic() + timeout
    while True:
        r = read()
        if until(r) or time.monotonic() > deadline:
            return r
        time.sleep(0.05)


def test_test_clock_and_deadlines_match_the_document(server, spec):
    """The clock route exists only with --test-clock; overdue and escalation as documented."""
    check = Checks(server, spec)
    r = check(CLOCK, "POST", requests.post(server.url + CLOCK, json={"advance_seconds": 60},
                                           timeout=30), 404)
    assert r.json()["detail"] == UNKNOWN_ROUTE_DETAIL, r.text
    assert server.stop() == 0
    server.start("--test-clock")
    check = Checks(server, spec)
    one = COMMUNICATIONS + "/{id}"
    cid = send_communication(server, to=[{"state": "DEU", "kinds": ["technical"]},
                                         {"state": "KEN", "kinds": ["technical", "diplomatic"]}])
    url = COMMUNICATIONS + "/" + cid

    for bad in ({"advance_seconds": -1}, {"advance_seconds": 1.5}, {"advance_seconds": "60"},
                {}, {"advance_seconds": 60, "x": 1}, {"advance_seconds": 315360001}):
        check(CLOCK, "POST", requests.post(server.url + CLOCK, json=bad, timeout=30), 400)
    check(CLOCK, "POST", requests.post(server.url + CLOCK, data="{}", timeout=30), 415)
    check(CLOCK, "POST", requests.post(server.url + CLOCK, json={"advance_seconds": 0},
                                       timeout=30), 200)

    def advance(seconds):
        return check(CLOCK, "POST", requests.post(server.url + CLOCK,
                                                  json={"advance_seconds": seconds},
                                                  timeout=30), 200)

    def escalation(who, state):
        def get():
            return server.get(url, who=who)
        return get, lambda r: [x["escalation"] for x in r.json()["recipients"]
                               if x["state"] == state]

    # DEU acknowledges in time; KEN does not: overdue, then escalated twice.
    check(one + "/acknowledge", "POST",
          server.post(url + "/acknowledge", who="DEU/officer"), 200)
    advance(2 * 3600 + 1)
    get, esc = escalation("FRA/officer", "KEN")
    r = check(one, "GET", poll(get, lambda r: esc(r) == ["alternate_technical"]), 200)
    assert esc(r) == ["alternate_technical"], r.text
    ken = [x for x in r.json()["recipients"] if x["state"] == "KEN"][0]
    deu = [x for x in r.json()["recipients"] if x["state"] == "DEU"][0]
    assert ken["overdue"] and ken["ack_late"] and not deu["overdue"], r.text
    steps = [(s["state"], s["what"], s["by"], s["detail"]) for s in r.json()["history"]]
    assert ("KEN", "overdue", None, "acknowledgement") in steps, steps
    assert ("KEN", "escalated", None, "alternate_technical") in steps, steps
    advance(2 * 3600)
    get, esc = escalation("KEN/officer", "KEN")
    r = check(one, "GET", poll(get, lambda r: esc(r) == ["diplomatic"]), 200)
    assert esc(r) == ["diplomatic"], r.text
    # Past the answer deadline (24 h for urgent): both are late to answer.
    advance(24 * 3600)
    r = check(one, "GET", poll(lambda: server.get(url, who="FRA/admin"),
                               lambda r: all(x["answer_late"]
                                             for x in r.json()["recipients"])), 200)
    assert all(x["answer_late"] for x in r.json()["recipients"]), r.text
    r = check(COMMUNICATIONS, "GET",
              server.get(COMMUNICATIONS + "?status=overdue", who="DEU/officer"), 200)
    assert cid in [i["id"] for i in r.json()["items"]], r.text
    r = check("/api/v1/reports/responsiveness", "GET",
              server.get("/api/v1/reports/responsiveness", who="secretariat"), 200)
    figures = {s["state"]: s for s in r.json()["states"]}
    assert figures["DEU"]["acknowledged_in_time"] == 1, r.text
    assert figures["KEN"]["acknowledged"] == 0 and figures["KEN"]["ack_median_seconds"] is None
    check.done()


# ---------------------------------------------------------------------------------------------
# Ping tests, correction tasks and freshness


def outbox(server, kind):
    """The payloads of the outbox rows of this kind, oldest first, read from the server's
    SQLite file (the mail sender that will send them does not exist yet)."""
    db = sqlite3.connect("file:%s?mode=ro" % server.db, uri=True, timeout=30)
    try:
        rows = db.execute("SELECT payload FROM outbox WHERE kind = ? ORDER BY seq",
                          (kind,)).fetchall()
    finally:
        db.close()
    return [json.loads(p) for (p,) in rows]


def link_tokens(server):
    """Ping id -> the token of its single-use link ("/ping#TOKEN")."""
    out = {}
    for p in outbox(server, "ping"):
        assert p["link"].startswith("/ping#"), p
        out[p["ping"]] = p["link"][len("/ping#"):]
    return out


def test_ping_tests_match_the_documented_schemas(server, spec):
    """A whole campaign on the test clock: starting it, the pings, answers in the app and by
    link (right, wrong, late, too late), reminders, results in JSON and CSV, the trend, tasks,
    confirmation and stale flags, each answer checked against the document."""
    assert server.stop() == 0
    server.start("--test-clock")
    check = Checks(server, spec)
    one, results = CAMPAIGNS + "/{id}", CAMPAIGNS + "/{id}/results"
    answer, link = PINGS + "/{id}/answer", PINGS + "/answer"
    confirm = "/api/v1/pocs/{id}/confirm"

    def advance(seconds):
        r = check(CLOCK, "POST", requests.post(server.url + CLOCK,
                                               json={"advance_seconds": seconds}, timeout=30),
                  200)
        return r.json()["now"]

    # Starting a campaign: the caller first, then the body, then the states in scope.
    body = {"scope": ["FRA", "DEU"], "kinds": ["technical", "diplomatic"], "window_hours": 10,
            "reminders_hours": [2, 8], "challenge": True}
    assert not check.body_errors("CampaignInput", body)
    check(CAMPAIGNS, "POST", server.post(CAMPAIGNS, who="FRA/admin", json=body), 403)
    check(CAMPAIGNS, "POST", server.post(CAMPAIGNS, who="FRA/admin", data="x"), 403)
    check(CAMPAIGNS, "POST", server.post(CAMPAIGNS, who="secretariat", data="{}"), 415)
    bad = {"scope": ["FRA", "FRA", "fr"], "kinds": ["technical", "other"], "window_hours": 0,
           "reminders_hours": [0], "challenge": "yes", "name": "x"}
    assert check.body_errors("CampaignInput", bad)
    r = check(CAMPAIGNS, "POST", server.post(CAMPAIGNS, who="secretariat", json=bad), 400)
    assert {"scope[1]", "scope[2]", "kinds[1]", "window_hours", "reminders_hours[0]",
            "challenge", "name"} <= fields(r), r.text
    for nulls in ({"scope": None}, {"scope": "all", "kinds": None}, {}):
        assert check.body_errors("CampaignInput", nulls)
        r = check(CAMPAIGNS, "POST", server.post(CAMPAIGNS, who="secretariat", json=nulls), 400)
    r = check(CAMPAIGNS, "POST", server.post(CAMPAIGNS, who="secretariat",
                                             json={"scope": ["FRA", "ZZZ", "USA"]}), 400)
    assert fields(r) == {"scope[1]", "scope[2]"}, r.text
    r = check(CAMPAIGNS, "POST", server.post(CAMPAIGNS, who="secretariat", json=body), 201)
    campaign = r.json()
    cid = campaign["id"]
    assert r.headers.get("Location") == CAMPAIGNS + "/" + cid
    assert campaign["reminders_hours"] == [8, 2] and campaign["pings"] == 8, r.text
    r = check(CAMPAIGNS, "POST", server.post(CAMPAIGNS, who="secretariat",
                                             json={"scope": "all", "window_hours": 4,
                                                   "challenge": False}), 201)
    assert r.json()["scope"] == "all" and r.json()["reminders_hours"] == [], r.text
    other = r.json()["id"]

    # Reading campaigns: any session; `own` for everyone but the Secretariat.
    r = check(CAMPAIGNS, "GET", server.get(CAMPAIGNS, who="JPN/officer"), 200)
    assert {c["id"] for c in r.json()["items"]} == {other, cid}, r.text
    r = check(one, "GET", server.get(CAMPAIGNS + "/" + cid, who="secretariat"), 200)
    assert r.json()["summary"]["pings"] == 8 and "own" not in r.json(), r.text
    r = check(one, "GET", server.get(CAMPAIGNS + "/" + cid, who="FRA/officer"), 200)
    assert r.json()["own"]["pings"] == 4 and r.json()["own"]["open"] == 4, r.text
    check(one, "GET", server.get(CAMPAIGNS + "/" + "a" * 26, who="FRA/officer"), 404)
    check(one, "GET", server.get(CAMPAIGNS + "/nope", who="FRA/officer"), 404)

    # The pings each caller may answer.
    def pings(who, query=""):
        r = check(PINGS, "GET", server.get(PINGS + "?limit=1000" + query, who=who), 200)
        return [p for p in r.json()["items"] if p["campaign"] == cid]

    fra = pings("FRA/admin")
    deu = pings("DEU/admin")
    mine = pings("FRA/officer")
    assert len(fra) == len(deu) == 4 and {p["status"] for p in fra} == {"open"}, fra
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", p["challenge"]) for p in fra), fra
    assert mine and len(mine) < 4, mine
    not_mine = [p for p in fra if p["id"] not in {m["id"] for m in mine}]
    assert len(not_mine) >= 2, fra
    r = check(PINGS, "GET", server.get(PINGS + "?limit=1", who="FRA/admin"), 200)
    assert r.json()["next"] is not None, r.text
    check(PINGS, "GET", server.get(PINGS + "?limit=1&cursor=" + r.json()["next"],
                                   who="FRA/admin"), 200)
    check(PINGS, "GET", server.get(PINGS + "?status=open", who="DEU/officer"), 200)
    for query in ("?status=closed", "?cursor=x", "?limit=0", "?limit=1001"):
        check(PINGS, "GET", server.get(PINGS + query, who="FRA/admin"), 400)
    check(PINGS, "GET", server.get(PINGS, who="secretariat"), 403)

    # Answering in the app: the caller, the ping, the PoC, the body, then the lifecycle.
    url = PINGS + "/%s/answer"
    code = mine[0]["challenge"]
    typed = {"challenge": (code[:3] + "-" + code[3:]).lower()}
    assert not check.body_errors("PingAnswer", typed)
    check(answer, "POST", server.post(url % mine[0]["id"], who="secretariat", json=typed), 403)
    check(answer, "POST", server.post(url % mine[0]["id"], who="DEU/admin", json=typed), 404)
    check(answer, "POST", server.post(url % ("a" * 26), who="FRA/admin", json=typed), 404)
    check(answer, "POST", server.post(url % not_mine[0]["id"], who="FRA/officer", json=typed),
          403)
    check(answer, "POST", server.post(url % mine[0]["id"], who="FRA/officer", data="{}"), 415)
    for wrong in ({"challenge": None}, {"challenge": code, "token": "x"}, {"challenge": 1}):
        assert check.body_errors("PingAnswer", wrong)
        check(answer, "POST", server.post(url % mine[0]["id"], who="FRA/officer", json=wrong),
              400)
    r = check(answer, "POST", server.post(url % mine[0]["id"], who="FRA/officer", json=typed),
              200)
    answered = r.json()
    receipt = answered.pop("receipt", None)
    assert answered == {"ping": mine[0]["id"], "correct": True, "late": False}, r.text
    # In the app, the answer's receipt is the ping's state's leaf of `ping.answered`.
    assert receipt is not None, r.text
    leaf = json.loads(receipt["leaf"])
    assert (leaf["event"], leaf["object"], leaf["party"], leaf["actor_role"]) == (
        "ping.answered", mine[0]["id"], "FRA", "officer"), leaf
    check(answer, "POST", server.post(url % mine[0]["id"], who="FRA/admin", json=typed), 409)
    wrong_ping = not_mine[0]
    r = check(answer, "POST", server.post(url % wrong_ping["id"], who="FRA/admin",
                                          json={"challenge": "ZZZZZZ"}), 200)
    assert r.json()["correct"] is False, r.text

    # Answering by link: unknown, used, expired and missing tokens are one and the same 410.
    tokens = link_tokens(server)
    by_link = not_mine[1]
    good = {"token": tokens[by_link["id"]], "challenge": by_link["challenge"]}
    assert not check.body_errors("PingLinkAnswer", good)
    check(link, "POST", requests.post(server.url + link, data="{}", timeout=30), 415)
    for malformed in ({"token": "a" * 44}, {"token": None}, {"token": good["token"], "x": 1}):
        assert check.body_errors("PingLinkAnswer", malformed)
        check(link, "POST", requests.post(server.url + link, json=malformed, timeout=30), 400)
    gone = []
    for dead in ({"token": "a" * 43}, {"challenge": good["challenge"]}, {}):
        r = check(link, "POST", requests.post(server.url + link, json=dead, timeout=30), 410)
        gone.append(r.json())
    r = check(link, "POST", requests.post(server.url + link, json=good, timeout=30), 200)
    # By link there is no session, hence no receipt (the document forbids the member).
    assert r.json() == {"ping": by_link["id"], "correct": True, "late": False}, r.text
    r = check(link, "POST", requests.post(server.url + link, json=good, timeout=30), 410)
    gone.append(r.json())
    # A link whose ping was answered in the app is used too.
    r = check(link, "POST", requests.post(server.url + link,
                                          json={"token": tokens[mine[0]["id"]]}, timeout=30),
              410)
    gone.append(r.json())
    assert all(g == gone[0] for g in gone), gone

    # Reminders go to the outbox before the window closes, for the pings still unanswered.
    before = len(outbox(server, "ping_reminder"))
    advance(3 * 3600)
    poll(lambda: len(outbox(server, "ping_reminder")), lambda n: n > before)
    reminded = {p["ping"] for p in outbox(server, "ping_reminder")}
    assert deu[0]["id"] in reminded and mine[0]["id"] not in reminded, reminded

    # Past the window: unanswered, yet still answered (late) until the grace period ends.
    advance(7 * 3600 + 60)
    left = pings("DEU/admin", "&status=unanswered")
    assert len(left) == 4, left
    r = check(answer, "POST", server.post(url % deu[0]["id"], who="DEU/admin",
                                          json={"challenge": deu[0]["challenge"]}), 200)
    assert r.json()["late"] is True and r.json()["correct"] is True, r.text
    r = check(link, "POST", requests.post(server.url + link, json={
        "token": tokens[deu[1]["id"]], "challenge": deu[1]["challenge"]}, timeout=30), 200)
    assert r.json()["late"] is True, r.text
    assert [p["status"] for p in pings("DEU/admin", "&status=late")] == ["late", "late"]

    # Past the grace period: nothing more is taken, and correction tasks open.
    advance(24 * 3600)
    r = check(link, "POST", requests.post(server.url + link, json={
        "token": tokens[deu[2]["id"]], "challenge": deu[2]["challenge"]}, timeout=30), 410)
    assert r.json() == gone[0], r.text
    check(answer, "POST", server.post(url % deu[3]["id"], who="DEU/admin",
                                      json={"challenge": deu[3]["challenge"]}), 410)
    check(answer, "POST", server.post(url % deu[0]["id"], who="DEU/admin",
                                      json={"challenge": deu[0]["challenge"]}), 409)

    def tasks(who, query=""):
        return server.get(TASKS + query, who=who)

    def campaign_tasks(r):
        ours = {p["id"] for p in fra + deu}
        return {(t["kind"], t["ping"]) for t in r.json()["items"] if t.get("ping") in ours}

    r = check(TASKS, "GET", poll(lambda: tasks("DEU/admin"),
                                 lambda r: len(campaign_tasks(r)) == 2), 200)
    assert campaign_tasks(r) == {("ping_unanswered", deu[2]["id"]),
                                 ("ping_unanswered", deu[3]["id"])}, r.text
    unanswered_fra = [p for p in not_mine if p["id"] not in (wrong_ping["id"], by_link["id"])]
    expected = {("ping_wrong", wrong_ping["id"])} | {("ping_unanswered", p["id"])
                                                     for p in unanswered_fra}
    r = check(TASKS, "GET", poll(lambda: tasks("FRA/admin"),
                                 lambda r: campaign_tasks(r) >= expected), 200)
    assert campaign_tasks(r) >= expected, r.text
    check(TASKS, "GET", tasks("FRA/admin", "?all=false"), 200)
    check(TASKS, "GET", tasks("FRA/admin", "?all=maybe"), 400)
    check(TASKS, "GET", tasks("FRA/officer"), 403)
    check(TASKS, "GET", tasks("secretariat"), 403)

    # Results and figures: the Secretariat sees every row, a state its own.
    r = check(results, "GET", server.get(CAMPAIGNS + "/%s/results" % cid, who="secretariat"), 200)
    rows = {row["ping"]: row for row in r.json()["items"]}
    assert len(rows) == 8 and "own" not in r.json(), r.text
    assert rows[by_link["id"]]["channel"] == "link" and rows[mine[0]["id"]]["channel"] == "app"
    assert rows[wrong_ping["id"]]["correct"] is False and rows[deu[1]["id"]]["late"] is True
    summary = r.json()["summary"]
    assert (summary["answered"], summary["late"], summary["unanswered"], summary["open"],
            summary["correct"]) == (3, 2, 3, 0, 4), summary
    assert summary["share_answered"] == 3 / 8 and summary["share_answered_correctly"] == 2 / 8
    r = check(results, "GET", server.get(CAMPAIGNS + "/%s/results" % cid, who="DEU/officer"),
              200)
    assert {row["state"] for row in r.json()["items"]} == {"DEU"}, r.text
    assert r.json()["own"]["pings"] == 4 and r.json()["summary"]["pings"] == 8, r.text
    r = check(results, "GET", server.get(CAMPAIGNS + "/%s/results?format=csv" % cid,
                                         who="FRA/admin"), 200)
    lines = r.text.split("\r\n")
    assert lines[0] == ("ping,poc,state,kind,delivered_at,due,status,answered_at,"
                        "latency_seconds,channel,correct,late"), r.text
    assert len([l for l in lines[1:] if l]) == 4 and all(
        l.split(",")[2] == "FRA" for l in lines[1:] if l), r.text
    check(results, "GET", server.get(CAMPAIGNS + "/%s/results?format=json" % other,
                                     who="KEN/officer"), 200)
    check(results, "GET", server.get(CAMPAIGNS + "/%s/results?format=xml" % cid,
                                     who="FRA/admin"), 400)
    check(results, "GET", server.get(CAMPAIGNS + "/%s/results" % ("a" * 26), who="FRA/admin"),
          404)

    # The trend: a state its own figures only, the Secretariat any state's or all together.
    trend = "/api/v1/reports/pings"
    r = check(trend, "GET", server.get(trend + "?state=FRA", who="FRA/officer"), 200)
    assert r.json()["state"] == "FRA", r.text
    for query in ("?state=DEU", "?state=fra"):
        check(trend, "GET", server.get(trend + query, who="FRA/officer"), 403)
    r = check(trend, "GET", server.get(trend, who="FRA/officer"), 200)
    figures = {c["id"]: c["figures"] for c in r.json()["campaigns"]}
    assert figures[cid]["pings"] == 4, figures
    r = check(trend, "GET", server.get(trend, who="secretariat"), 200)
    assert r.json()["state"] is None, r.text
    r = check(trend, "GET", server.get(trend + "?state=DEU", who="secretariat"), 200)
    assert {c["id"]: c["figures"]["late"] for c in r.json()["campaigns"]}[cid] == 2, r.text
    check(trend, "GET", server.get(trend + "?state=deu", who="secretariat"), 400)

    # Confirming: the caller, no body, then a new revision that closes the PoC's tasks.
    poc = wrong_ping["poc"]
    purl = "/api/v1/pocs/%s/confirm"
    check(confirm, "POST", server.post(purl % poc, who="DEU/admin"), 403)
    check(confirm, "POST", server.post(purl % poc, who="FRA/officer"), 403)
    check(confirm, "POST", server.post(purl % ("a" * 26), who="FRA/admin"), 404)
    check(confirm, "POST", server.post(purl % poc, who="FRA/admin", json={}), 400)
    check(confirm, "POST", server.post(purl % poc, who="FRA/admin", data="x",
                                       headers={"Content-Type": "text/plain"}), 400)
    before = server.get("/api/v1/pocs/" + poc, who="FRA/admin").json()
    r = check(confirm, "POST", server.post(purl % poc, who="FRA/admin"), 200)
    assert r.json()["revision"] == before["revision"] + 1 and r.json()["stale"] is False, r.text
    assert r.headers.get("ETag") == '"%s-%d"' % (poc, r.json()["revision"]), r.headers
    r = check(TASKS, "GET", tasks("FRA/admin", "?all=true"), 200)
    closed = [t for t in r.json()["items"] if t.get("ping") == wrong_ping["id"]]
    assert closed and closed[0]["closed_reason"] == "confirmed", r.text
    r = check(TASKS, "GET", tasks("FRA/admin"), 200)
    assert wrong_ping["id"] not in {t.get("ping") for t in r.json()["items"]}, r.text
    history = "/api/v1/pocs/{id}/history"
    r = check(history, "GET", server.get("/api/v1/pocs/%s/history" % poc, who="FRA/admin"), 200)
    assert r.json()["items"][-1]["op"] == "confirmed", r.text
    assert all("stale" not in i["poc"] for i in r.json()["items"]), r.text

    # Freshness: past the review dates every entry is stale, to counterparts too, and its
    # administrators see it among their tasks, with review_due for one due within 30 days.
    now = advance(400 * 86400)
    due_soon = (datetime.datetime.strptime(now[:10], "%Y-%m-%d")
                + datetime.timedelta(days=10)).strftime("%Y-%m-%d")
    r = check("/api/v1/states/{code}/pocs", "POST", server.post(
        "/api/v1/states/FRA/pocs", who="FRA/admin",
        json={"kind": "technical", "rank": "alternate", "organisation": "CERT-FRA test desk",
              "role_title": "Night duty", "email": "night@cert-fra.example",
              "phones": ["+33199001234"], "languages": ["fr"], "time_zone": "Europe/Paris",
              "availability": "24/7", "review_by": due_soon}), 201)
    fresh = r.json()["id"]
    assert r.json()["stale"] is False, r.text
    r = check("/api/v1/pocs/{id}", "GET", server.get("/api/v1/pocs/" + poc, who="DEU/officer"),
              200)
    assert r.json()["stale"] is True, r.text
    r = check("/api/v1/directory", "GET", server.get("/api/v1/directory?state=FRA",
                                                     who="KEN/officer"), 200)
    assert {p["id"]: p["stale"] for p in r.json()["items"]}[fresh] is False, r.text
    assert {p["id"]: p["stale"] for p in r.json()["items"]}[poc] is True, r.text
    r = check("/api/v1/states/{code}/pocs", "GET",
              server.get("/api/v1/states/FRA/pocs", who="secretariat"), 200)
    assert any(p["stale"] for p in r.json()["items"]), r.text
    r = check(TASKS, "GET", tasks("FRA/admin"), 200)
    reviews = {t["poc"]: t["kind"] for t in r.json()["items"] if "id" not in t}
    assert reviews.get(fresh) == "review_due" and reviews.get(poc) == "stale", r.text
    r = check(confirm, "POST", server.post(purl % poc, who="FRA/admin"), 200)
    assert r.json()["stale"] is False and r.json()["review_by"] > now[:10], r.text
    check.done()


# ---------------------------------------------------------------------------------------------
# The transparency log

LOG = "/api/v1/log"
CHECKPOINT, KEY, LEAVES = LOG + "/checkpoint", LOG + "/key", LOG + "/leaves"
INCLUSION, CONSISTENCY = LOG + "/proof/inclusion", LOG + "/proof/consistency"


def log_checkpoint(check, size=None):
    """The key and the newest checkpoint (or the one of this size), anonymous, checked against
    what the document says of their format: (origin, size, root hash). The log's signature
    line comes first; witnesses' cosignature lines may follow it."""
    server = check.server
    r = check(KEY, "GET", requests.get(server.url + KEY, timeout=30), 200)
    origin, keyid, key64 = r.text.rstrip("\n").split("+", 2)
    raw = base64.b64decode(key64)
    assert raw[0] == 1 and len(raw) == 33, r.text
    assert bytes.fromhex(keyid) == hashlib.sha256(origin.encode() + b"\n" + raw).digest()[:4]
    params = {} if size is None else {"size": size}
    r = check(CHECKPOINT, "GET", requests.get(server.url + CHECKPOINT, params=params,
                                              timeout=30), 200)
    body, sigs = r.text.split("\n\n")
    name, got, root = body.split("\n")
    assert name == origin and (size is None or int(got) == size), r.text
    assert sigs.endswith("\n"), r.text
    sig = sigs.split("\n")[0]
    assert sig.startswith("\u2014 %s " % origin), r.text
    assert base64.b64decode(sig.split(" ")[2])[:4] == bytes.fromhex(keyid)
    return origin, int(got), base64.b64decode(root)


def test_log_matches_the_documented_schemas(server, spec):
    """The key and the checkpoint anonymously; the leaves as each party (the leaf text only
    for the caller's state), with the documented limits; both proofs and their limits."""
    check = Checks(server, spec)
    leaf_schema = {"$ref": "#/components/schemas/LogLeafContent"}

    for path in (KEY, CHECKPOINT):
        r = check(path, "HEAD", requests.head(server.url + path, timeout=30), 200)
        assert r.headers.get("Cache-Control") == "no-cache" and not r.content, r.headers
    origin, size, _ = log_checkpoint(check)
    assert size > 0

    # A communication to two states: one event, `communication.sent`, with one leaf per
    # party: the sender's and each recipient's, three leaves.
    cid = send_communication(server, to=[{"state": "DEU", "kinds": ["technical"]},
                                         {"state": "KEN", "kinds": ["technical"]}])
    _, grown, _ = log_checkpoint(check)
    assert grown == size + 3, (size, grown)

    def page(who, start, end, status=200):
        return check(LEAVES, "GET", server.get(LEAVES, who=who,
                                               params={"start": start, "end": end}), status)

    def own(who, start, end):
        """The leaves of the range that the caller got in full, checked leaf by leaf."""
        items = page(who, start, end).json()["items"]
        assert [i["index"] for i in items] == list(range(start, end)), items
        out = []
        for i in items:
            if "leaf" not in i:
                continue
            text = i["leaf"]
            leaf = json.loads(text)
            check.failures.extend(schema_errors(spec, leaf_schema, leaf, "leaf %d" % i["index"]))
            assert text == json.dumps(leaf, sort_keys=True, separators=(",", ":"),
                                      ensure_ascii=False), text
            assert base64.b64decode(i["hash"]) == hashlib.sha256(b"\0" + text.encode()).digest()
            out.append(leaf)
        return out

    parties = {who: own(who, size, grown)
               for who in ("FRA/officer", "DEU/admin", "KEN/officer", "JPN/admin", "secretariat")}
    assert [l["party"] for l in parties["FRA/officer"]] == ["FRA"], parties
    assert [l["party"] for l in parties["DEU/admin"]] == ["DEU"], parties
    assert [l["party"] for l in parties["KEN/officer"]] == ["KEN"], parties
    assert parties["JPN/admin"] == [] and parties["secretariat"] == [], parties
    deu = parties["DEU/admin"][0]
    assert (deu["event"], deu["object"], deu["actor_state"]) == ("communication.sent", cid, "FRA")
    assert {deu["event_id"]} == {l["event_id"] for l in parties["FRA/officer"] + parties[
        "KEN/officer"]}, parties
    assert deu["actor"] not in {l["actor"] for l in parties["FRA/officer"]}
    assert "Ransomware" not in json.dumps(parties), parties
    assert all(l["party"] == "FRA" for l in own("FRA/admin", 0, grown)), "another state's leaf"

    # Past 1000 leaves, so that the 1000-leaf limit can be reached: campaigns over every
    # participating state, one leaf per state each.
    states = server.get("/api/v1/states", who="secretariat").json()["items"]
    scope = [s["code"] for s in states if s["participating"]]
    while grown <= 1001:
        r = server.post(CAMPAIGNS, who="secretariat", json={"scope": scope, "window_hours": 1})
        assert r.status_code == 201, r.text
        _, now, _ = log_checkpoint(check)
        assert now == grown + len(scope), (grown, now, len(scope))
        grown = now
    assert len(page("DEU/officer", 1, 1001).json()["items"]) == 1000
    assert page("FRA/admin", grown, grown).json()["items"] == []

    def refused(path, who, params, field):
        r = check(path, "GET", server.get(path, who=who, params=params), 400)
        if fields(r) != {field}:
            check.failures.append("%s %s: errors on %s, not %s" % (path, params, fields(r), field))

    for params, field in (({}, "end"), ({"start": 0}, "end"), ({"end": 1}, "start"),
                          ({"start": 0, "end": grown + 1}, "end"),
                          ({"start": 2, "end": 1}, "start"), ({"start": -1, "end": 1}, "start"),
                          ({"start": "x", "end": 1}, "start"), ({"start": 0, "end": 1.5}, "end"),
                          ({"start": 0, "end": 1001}, "end"), ({"start": 5, "end": 1006}, "end")):
        refused(LEAVES, "FRA/admin", params, field)

    # Proofs: any session; hashes in standard base64, within the documented sizes.
    for index, size_ in ((0, 1), (0, grown), (grown - 1, grown), (size, grown)):
        r = check(INCLUSION, "GET", server.get(INCLUSION, who="JPN/officer",
                                               params={"index": index, "size": size_}), 200)
        assert (r.json()["index"], r.json()["size"]) == (index, size_), r.text
        assert (r.json()["hashes"] == []) == (size_ == 1), r.text
    check(INCLUSION, "GET", server.get(INCLUSION, who="secretariat",
                                       params={"index": 3, "size": grown}), 200)
    for params, field in (({}, "size"), ({"index": 0}, "size"), ({"size": 1}, "index"),
                          ({"index": grown, "size": grown}, "index"),
                          ({"index": 0, "size": grown + 1}, "size"),
                          ({"index": 0, "size": 0}, "size"), ({"index": -1, "size": 1}, "index"),
                          ({"index": 0, "size": "1e3"}, "size")):
        refused(INCLUSION, "FRA/admin", params, field)
    for first, second in ((1, grown), (size, grown), (grown, grown), (1, 1)):
        r = check(CONSISTENCY, "GET", server.get(CONSISTENCY, who="KEN/admin",
                                                 params={"first": first, "second": second}), 200)
        assert (r.json()["first"], r.json()["second"]) == (first, second), r.text
        assert (r.json()["hashes"] == []) == (first == second), r.text
    for params, field in (({}, "second"), ({"first": 1}, "second"), ({"second": 1}, "first"),
                          ({"first": 0, "second": grown}, "first"),
                          ({"first": 2, "second": 1}, "first"),
                          ({"first": 1, "second": grown + 1}, "second"),
                          ({"first": 0, "second": 0}, "first")):
        refused(CONSISTENCY, "secretariat", params, field)

    # Without a session: 401 on the three that need one, the same answers on the public two.
    for path, params in ((LEAVES, {"start": 0, "end": 1}), (INCLUSION, {"index": 0, "size": 1}),
                         (CONSISTENCY, {"first": 1, "second": 1})):
        check(path, "GET", requests.get(server.url + path, params=params, timeout=30), 401)
        check(path, "HEAD", requests.head(server.url + path, params=params, timeout=30), 401)
    assert log_checkpoint(check)[:2] == (origin, grown)
    check.done()


def test_an_empty_log_has_no_checkpoint(tmp_path, spec):
    """A database made without --demo logs nothing until its first PoC: its checkpoint is the
    documented 404, while its key is served and its (empty) log takes queries."""
    db = tmp_path / "empty.db"
    out = subprocess.run([POCD, "init", "--db", str(db), "--test"], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"Secretariat login: (\S+) / (\S+)", out)
    assert m, out
    server = Server(db, {"secretariat": {"username": m.group(1), "password": m.group(2)}})
    server.start()
    try:
        check = Checks(server, spec, values=False)
        r = check(CHECKPOINT, "GET", requests.get(server.url + CHECKPOINT, timeout=30), 404)
        assert r.json()["detail"] == "the log is still empty", r.text
        check(CHECKPOINT, "HEAD", requests.head(server.url + CHECKPOINT, timeout=30), 404)
        r = check(CHECKPOINT, "GET", requests.get(server.url + CHECKPOINT, params={"size": 1},
                                                  timeout=30), 404)
        assert r.json()["detail"] == "the log has no checkpoint of this size yet", r.text
        check(KEY, "GET", requests.get(server.url + KEY, timeout=30), 200)
        r = check(WITNESSES, "GET", server.get(WITNESSES, who="secretariat"), 200)
        assert r.json() == {"items": [], "next": None}, r.text
        r = check(LEAVES, "GET", server.get(LEAVES, who="secretariat",
                                            params={"start": 0, "end": 0}), 200)
        assert r.json() == {"items": [], "next": None}, r.text
        r = check(LEAVES, "GET", server.get(LEAVES, who="secretariat",
                                            params={"start": 0, "end": 1}), 400)
        assert fields(r) == {"end"}, r.text
        r = check(INCLUSION, "GET", server.get(INCLUSION, who="secretariat",
                                               params={"index": 0, "size": 0}), 400)
        assert fields(r) == {"size"}, r.text
        r = check(CONSISTENCY, "GET", server.get(CONSISTENCY, who="secretariat",
                                                 params={"first": 0, "second": 0}), 400)
        assert fields(r) == {"first"}, r.text
        check.done()
    finally:
        assert server.stop() == 0, "see %s.log" % db
    assert not sanitizer_lines(server), sanitizer_lines(server)[:5]


# ---------------------------------------------------------------------------------------------
# Receipts and witnesses

RECEIPTS = "/api/v1/receipts"
WITNESSES, COSIGNATURES = LOG + "/witnesses", LOG + "/cosignatures"


def witness_key(name, key_type=4):
    """A new Ed25519 key and its C2SP verifier key text of this type: (private key, key id,
    NAME+KEYID+BASE64)."""
    sk = Ed25519PrivateKey.generate()
    raw = bytes([key_type]) + sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    keyid = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    return sk, keyid, "%s+%s+%s" % (name, keyid.hex(), base64.b64encode(raw).decode())


def cosignature(sk, name, keyid, body, ts):
    """The C2SP tlog-cosignature v1 line (without its line break) of a checkpoint body."""
    sig = sk.sign(("cosignature/v1\ntime %d\n" % ts).encode() + body.encode())
    raw = keyid + ts.to_bytes(8, "big") + sig
    return "\u2014 %s %s" % (name, base64.b64encode(raw).decode())


def test_receipts_and_witnesses_match_the_documented_schemas(server, spec):
    """Receipts by event and by communication, as each party and as others; witnesses
    registered and listed; cosignatures posted, refused, and served with the checkpoint and
    the receipts; the checkpoint of a past size."""
    check = Checks(server, spec)
    one = RECEIPTS + "/{event_id}"
    steps = COMMUNICATIONS + "/{id}/receipts"

    # A receipt by its event: each party state its own leaf, nobody else anything.
    body = comm_body(to=[{"state": "DEU", "kinds": ["technical"]},
                         {"state": "KEN", "kinds": ["technical"]}])
    r = check(COMMUNICATIONS, "POST", server.post(COMMUNICATIONS, who="FRA/officer", json=body),
              201)
    cid, sent = r.json()["id"], r.json()["receipt"]
    eid = sent["event_id"]
    for who, party in (("FRA/admin", "FRA"), ("DEU/officer", "DEU"), ("KEN/admin", "KEN")):
        r = check(one, "GET", server.get(RECEIPTS + "/" + eid, who=who), 200)
        leaf = json.loads(r.json()["leaf"])
        assert (leaf["party"], leaf["event_id"], leaf["event"]) == (
            party, eid, "communication.sent"), r.text
    r = check(one, "GET", server.get(RECEIPTS + "/" + eid, who="FRA/officer"), 200)
    assert r.json()["leaf"] == sent["leaf"] and r.json()["index"] == sent["index"], r.text
    for who, rid in (("JPN/admin", eid), ("secretariat", eid), ("FRA/admin", "a" * 26),
                     ("FRA/admin", "nope")):
        r = check(one, "GET", server.get(RECEIPTS + "/" + rid, who=who), 404)
        assert r.json()["detail"] == "your state holds no receipt for this event", r.text
    check(one, "HEAD", requests.head(server.url + RECEIPTS + "/" + eid,
                                     headers=server.headers("DEU/admin"), timeout=30), 200)

    # The receipts of a communication: the sender every step, a recipient its own.
    check(COMMUNICATIONS + "/{id}/acknowledge", "POST",
          server.post(COMMUNICATIONS + "/%s/acknowledge" % cid, who="DEU/officer"), 200)
    url = COMMUNICATIONS + "/%s/receipts" % cid
    r = check(steps, "GET", server.get(url, who="FRA/officer"), 200)
    assert [i["step"] for i in r.json()["items"]] == ["sent", "acknowledged"], r.text
    r = check(steps, "GET", server.get(url, who="DEU/admin"), 200)
    assert [i["step"] for i in r.json()["items"]] == ["sent", "acknowledged"], r.text
    r = check(steps, "GET", server.get(url, who="KEN/officer"), 200)
    assert [i["step"] for i in r.json()["items"]] == ["sent"], r.text
    for who in ("JPN/officer", "secretariat"):
        check(steps, "GET", server.get(url, who=who), 404)
    check(steps, "GET", server.get(COMMUNICATIONS + "/%s/receipts" % ("a" * 26),
                                   who="FRA/admin"), 404)

    # Registering witnesses: a state_admin of a participating state, a cosignature key.
    r = check(WITNESSES, "GET", server.get(WITNESSES, who="KEN/officer"), 200)
    assert r.json() == {"items": [], "next": None}, r.text
    sk, keyid, key = witness_key("witness.deu.example")
    good = {"key": key}
    assert not check.body_errors("WitnessInput", good)
    for who in ("DEU/officer", "secretariat"):
        check(WITNESSES, "POST", server.post(WITNESSES, who=who, json=good), 403)
    check(WITNESSES, "POST", server.post(WITNESSES, who="DEU/admin", data="{}"), 415)
    _, _, signing = witness_key("witness.deu.example", key_type=1)
    assert check.body_errors("WitnessInput", {"key": signing})
    # The log's own key type (0x01), a key id that does not match, an unknown member, none.
    for bad, field in (({"key": signing}, "key"), ({"key": key[:-4] + "AAAA"}, "key"),
                       ({"key": key, "name": "x"}, "name"), ({}, "key"), ({"key": 4}, "key")):
        r = check(WITNESSES, "POST", server.post(WITNESSES, who="DEU/admin", json=bad), 400)
        assert fields(r) == {field}, r.text
    r = check(WITNESSES, "POST", server.post(WITNESSES, who="DEU/admin", json=good), 201)
    assert r.json() == {"name": "witness.deu.example", "state": "DEU", "key": key}, r.text
    r = check(WITNESSES, "POST", server.post(WITNESSES, who="FRA/admin", json=good), 409)
    assert fields(r) == {"key"}, r.text
    r = check(WITNESSES, "GET", server.get(WITNESSES, who="JPN/officer"), 200)
    assert [(w["name"], w["state"], w["key"]) for w in r.json()["items"]] == [
        ("witness.deu.example", "DEU", key)], r.text

    # Cosigning the newest checkpoint: the witness's state only, a signature that verifies.
    _, size, _ = log_checkpoint(check)
    note = requests.get(server.url + CHECKPOINT, timeout=30).text
    body = note.split("\n\n")[0] + "\n"
    now = int(time.time())
    line = cosignature(sk, "witness.deu.example", keyid, body, now)
    post = {"size": size, "cosignature": line}
    assert not check.body_errors("CosignatureInput", post)
    for who in ("FRA/officer", "secretariat"):
        check(COSIGNATURES, "POST", server.post(COSIGNATURES, who=who, json=post), 403)
    check(COSIGNATURES, "POST", server.post(COSIGNATURES, who="DEU/officer", data="{}"), 415)
    wrong = cosignature(sk, "witness.deu.example", keyid, body.replace("\n%d\n" % size,
                                                                       "\n%d\n" % (size - 1)),
                        now)
    for bad, field in (({"size": size, "cosignature": wrong}, "cosignature"),
                       ({"size": size, "cosignature": cosignature(
                           sk, "witness.deu.example", keyid, body, now + 3600)}, "cosignature"),
                       ({"size": size, "cosignature": "\u2014 nobody AAAA"}, "cosignature"),
                       ({"size": size, "cosignature": "x"}, "cosignature"),
                       ({"size": size + 1, "cosignature": line}, "size"),
                       ({"size": 0, "cosignature": line}, "size"),
                       ({"size": size, "cosignature": line, "time": now}, "time")):
        r = check(COSIGNATURES, "POST", server.post(COSIGNATURES, who="DEU/officer", json=bad),
                  400)
        assert fields(r) == {field}, (bad, r.text)
    r = check(COSIGNATURES, "POST", server.post(COSIGNATURES, who="DEU/officer", json=post),
              201)
    assert r.json() == {"witness": "witness.deu.example", "size": size, "time": now}, r.text

    # The checkpoint carries the line after the log's; so does the receipt, of any party.
    assert log_checkpoint(check)[1] == size
    r = check(CHECKPOINT, "GET", requests.get(server.url + CHECKPOINT, timeout=30), 200)
    assert r.text == note + line + "\n", r.text
    r = check(one, "GET", server.get(RECEIPTS + "/" + eid, who="KEN/officer"), 200)
    assert r.json()["checkpoint"] == note + line + "\n", r.text

    # The log grows; the old size is still served, signed and cosigned, and still taken.
    cid2 = send_communication(server)
    _, grown, _ = log_checkpoint(check)
    assert grown > size
    assert log_checkpoint(check, size)[1] == size
    r = check(CHECKPOINT, "GET", requests.get(server.url + CHECKPOINT, params={"size": size},
                                              timeout=30), 200)
    assert r.text == note + line + "\n", r.text
    for bad in ("x", "-1", "1.5"):
        r = check(CHECKPOINT, "GET", requests.get(server.url + CHECKPOINT,
                                                  params={"size": bad}, timeout=30), 400)
        assert fields(r) == {"size"}, r.text
    r = check(CHECKPOINT, "GET", requests.get(server.url + CHECKPOINT,
                                              params={"size": grown + 1}, timeout=30), 404)
    assert r.json()["detail"] == "the log has no checkpoint of this size yet", r.text
    check(CHECKPOINT, "HEAD", requests.head(server.url + CHECKPOINT, params={"size": size},
                                            timeout=30), 200)
    check(COSIGNATURES, "POST", server.post(COSIGNATURES, who="DEU/admin", json=post), 201)
    r = check(steps, "GET", server.get(COMMUNICATIONS + "/%s/receipts" % cid2,
                                       who="DEU/officer"), 200)
    assert [i["step"] for i in r.json()["items"]] == ["sent"], r.text
    assert r.json()["items"][0]["receipt"]["checkpoint"].split("\n")[1] == str(grown), r.text

    # Without a session: 401 on each.
    for path, method, url in ((one, "GET", RECEIPTS + "/" + eid), (steps, "GET", url),
                              (WITNESSES, "GET", WITNESSES), (WITNESSES, "POST", WITNESSES),
                              (COSIGNATURES, "POST", COSIGNATURES)):
        check(path, method, requests.request(method, server.url + url, json={}, timeout=30),
              401)
    check.done()
