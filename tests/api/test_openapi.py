"""docs/openapi.yaml describes exactly the routes pocd serves.

Two sources of truth are compared with the document:
- the route table `routes[]` in src/api/router.c (method and pattern, "{}" for a segment);
- a running pocd: every documented operation, with its path filled with real values, must
  reach a handler (never the router's 404 or 405), every status it answers must be documented
  for that operation, JSON bodies must match the documented schema, and every method the
  document does not list for a path must get 405 with an Allow header naming exactly the
  documented ones.
The document is also checked for being well-formed OpenAPI 3.1, as far as plain Python can:
top-level keys, operations with responses, path parameters, unique operation ids, security
schemes that exist, and every $ref resolving.
"""
import os
import re

import pytest
import requests
import yaml

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


class Probe:
    """Requests to a running pocd with the document's paths filled with real values."""

    def __init__(self, server, spec):
        self.server = server
        self.spec = spec
        self.who = "FRA/admin"
        pocs = server.get("/api/v1/states/FRA/pocs", who=self.who)
        assert pocs.status_code == 200, pocs.text
        accounts = server.get("/api/v1/states/FRA/accounts", who=self.who)
        assert accounts.status_code == 200, accounts.text
        officer = server.account("FRA/officer")["username"]
        self.values = {
            "states": "FRA",
            "pocs": pocs.json()["items"][0]["id"],
            "accounts": [a["id"] for a in accounts.json()["items"]
                         if a["username"] == officer][0],
        }

    def fill(self, path):
        """The path with each {param} replaced by a real value, chosen by the segment before it."""
        segs = path.split("/")
        for i, seg in enumerate(segs):
            if seg.startswith("{"):
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

    Calls carry no body and no Content-Type, so writes stop at 415 (or 428 for DELETE
    without If-Match) before changing anything; an unsafe operation without a body (logout)
    runs on a session of its own.
    """
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
    # A write and its answer, then the precondition failures.
    body = server.get("/api/v1/pocs/" + poc, who="FRA/admin")
    etag = body.headers["ETag"]
    doc = {k: v for k, v in body.json().items()
           if k not in ("id", "state", "revision", "created_at", "updated_at")}
    doc["role_title"] = "Changed by test_openapi"
    check("/api/v1/pocs/{id}", "PUT", server.put("/api/v1/pocs/" + poc, who="FRA/admin",
                                                 json=doc, headers={"If-Match": etag}))
    check("/api/v1/pocs/{id}", "PUT", server.put("/api/v1/pocs/" + poc, who="FRA/admin",
                                                 json=doc, headers={"If-Match": etag}))
    check("/api/v1/pocs/{id}", "PUT", server.put("/api/v1/pocs/" + poc, who="FRA/admin",
                                                 json=doc))
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
