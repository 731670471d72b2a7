"""The authorization table: every route of src/api/router.c's routes[], for every kind of
caller, in one table, reads and writes alike.

The objects a route acts on are FRA's: a PoC of FRA, FRA's state record and accounts, a
communication FRA sent (to KEN), a ping of FRA's PoCs, FRA's witness, the receipt of FRA's
sending. The callers are the Secretariat, FRA's own state_admin and officer, another state's
(DEU's) state_admin and officer, and nobody. So FRA's columns are "own object" and DEU's are
"another state's object". Each cell is the status the caller gets: a success where it may act,
403 where it may not and may know the object exists, 404 where it must not even learn that (a
communication to a third state), 401 without a login; a few cells stop at the validation that
only an authorized caller reaches (400, 409), which is the proof that it got past
authorization. A route added to routes[] without a row here fails test_every_route_has_a_row.

The recipient's side of communications and pings is in test_comm_access.py and
test_ping_access.py; the effects of the allowed writes in test_authz.py's write matrix.
"""
import base64
import hashlib
import os

import pytest
import requests

from conftest import assert_problem
from pocd_helpers import module_server, poc_body, state_pocs  # noqa: F401
from test_openapi import router_routes

CALLERS = ["secretariat", "FRA/admin", "FRA/officer", "DEU/admin", "DEU/officer", None]
CALLER_IDS = ["secretariat", "own_admin", "own_officer", "other_admin", "other_officer",
              "anonymous"]


class Ctx:
    """The objects the table's requests act on, made once for the module (or per request,
    for what a request uses up)."""

    def __init__(self, server):
        self.s = server
        for w in CALLERS:
            if w is not None:
                server.token(w)
        self.poc = state_pocs(server, "FRA")[0]["id"]
        r = server.post("/api/v1/attachments", who="FRA/officer", params={"filename": "a.log"},
                        data=b"evidence")
        assert r.status_code == 201, r.text
        self.attachment = r.json()["id"]
        r = server.post("/api/v1/communications", who="FRA/officer", json={
            "attachments": [self.attachment],
            "type": "notification", "urgency": "routine", "tlp": "GREEN",
            "to": [{"state": "KEN", "kinds": ["technical"]}],
            "subject": {"text": "Authorization table", "lang": "en"},
            "description": {"text": "A communication from FRA to KEN.", "lang": "en"}})
        assert r.status_code == 201, r.text
        self.comm = r.json()["id"]
        self.event = r.json()["receipt"]["event_id"]
        self.campaign = self.new_campaign()
        self.witness = self.new_witness()

    def new_poc(self):
        r = self.s.post("/api/v1/states/FRA/pocs", who="FRA/admin", json=poc_body())
        assert r.status_code == 201, r.text
        return r.json()["id"], r.headers["ETag"]

    def new_campaign(self):
        r = self.s.post("/api/v1/ping-campaigns", who="secretariat",
                        json={"scope": ["FRA"], "kinds": ["technical"]})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def new_ping(self):
        """A ping of FRA's technical PoC that FRA's officer acts for, not yet answered, and
        its challenge. (An officer of the same state not linked to the PoC gets 403: see
        test_ping_access.py.)"""
        cid = self.new_campaign()
        r = self.s.get("/api/v1/pings", who="FRA/officer", params={"limit": 1000})
        assert r.status_code == 200, r.text
        mine = [p for p in r.json()["items"] if p["campaign"] == cid]
        assert mine, r.json()
        return mine[0]["id"], mine[0]["challenge"]

    def new_witness(self):
        """Registers a fresh witness key for FRA; its name."""
        key = _witness_key()
        r = self.s.post("/api/v1/log/witnesses", who="FRA/admin", json={"key": key})
        assert r.status_code == 201, r.text
        return key

    def new_key(self):
        r = self.s.post("/api/v1/api-keys", who="FRA/admin",
                        json={"name": "To revoke", "scopes": ["directory:read"]})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def new_webhook(self, fresh=False):
        if fresh or not hasattr(self, "webhook"):
            r = self.s.post("/api/v1/webhooks", who="FRA/admin",
                            json={"url": "https://hooks.example.org/table"})
            assert r.status_code == 201, r.text
            if fresh:
                return r.json()["id"]
            self.webhook = r.json()["id"]
        return self.webhook

    def send(self, method, path, who, token=None, **kw):
        h = kw.pop("headers", {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        elif who is not None:
            h["Authorization"] = "Bearer " + self.s.token(who)
        return requests.request(method, self.s.url + path, headers=h, **kw)


def _fresh_token(ctx, who):
    """A session of its own, for a request that ends it."""
    if who is None:
        return None
    c = ctx.s.account(who)
    return ctx.s.login(c["username"], c["password"])


def _witness_key():
    """A fresh cosignature key (C2SP tlog-cosignature, type 0x04) under a fresh name."""
    name = "%s.example/witness" % os.urandom(5).hex()
    pk = os.urandom(32)
    h = hashlib.sha256(name.encode() + b"\n\x04" + pk).digest()[:4].hex()
    return "%s+%s+%s" % (name, h, base64.b64encode(b"\x04" + pk).decode())


def _poc_write(method, suffix="", body=True):
    def call(ctx, who):
        pid, etag = ctx.new_poc()
        kw = {"headers": {"If-Match": etag}}
        if body:
            kw["json"] = poc_body(organisation="Changed by the table")
        return ctx.send(method, "/api/v1/pocs/%s%s" % (pid, suffix), who, **kw)
    return call


def _poc_change(ctx):
    """A FRA PoC with an e-mail change that FRA's second admin proposed: (PoC, change)."""
    pid, etag = ctx.new_poc()
    r = ctx.send("PUT", "/api/v1/pocs/" + pid, "FRA/admin2", headers={"If-Match": etag},
                 json=poc_body(email="changed@cert-fr.example"))
    assert r.status_code == 202, r.text
    return pid, r.json()["pending_change"]["id"]


def _change_decision(method, suffix):
    def call(ctx, who):
        pid, cid = _poc_change(ctx)
        return ctx.send(method, "/api/v1/pocs/%s/changes/%s%s" % (pid, cid, suffix), who)
    return call


def _totp_confirm(ctx, who):
    """Begins an enrolment on a session of its own, then confirms it with a wrong code."""
    tok = _fresh_token(ctx, who)
    if tok is not None:
        r = ctx.send("POST", "/api/v1/me/totp", who, token=tok, json={})
        assert r.status_code == 201, r.text
    return ctx.send("POST", "/api/v1/me/totp/confirm", who, token=tok, json={"code": "000000"})


def _ping_answer(ctx, who):
    pid, challenge = ctx.new_ping()
    return ctx.send("POST", "/api/v1/pings/%s/answer" % pid, who, json={"challenge": challenge})


def _officer_account(ctx):
    if not hasattr(ctx, "officer"):
        ctx.officer = ctx.send("GET", "/api/v1/me", "FRA/officer").json()["id"]
    return ctx.officer


def get(path):
    return lambda ctx, who: ctx.send("GET", path.format(c=ctx), who)


def post(path, body=None):
    return lambda ctx, who: ctx.send("POST", path.format(c=ctx), who,
                                     json=body if body is not None else {})


S, OA, OO, XA, XO, AN = range(6)  # the columns, in CALLERS' order

# (METHOD, pattern as in routes[]): (request, [secretariat, own admin, own officer,
#                                              other admin, other officer, anonymous])
TABLE = {
    ("GET", "/healthz"): (get("/healthz"), [200, 200, 200, 200, 200, 200]),
    # the Secretariat, or the metrics token (test_metrics.py)
    ("GET", "/metrics"): (get("/metrics"), [200, 403, 403, 403, 403, 401]),
    # public: the body's credentials decide, whoever sends them
    ("POST", "/api/v1/login"): (
        lambda ctx, who: ctx.send("POST", "/api/v1/login", who, json={
            "username": ctx.s.account("FRA/officer")["username"],
            "password": ctx.s.account("FRA/officer")["password"]}),
        [200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/logout"): (
        lambda ctx, who: ctx.send("POST", "/api/v1/logout", who, token=_fresh_token(ctx, who)),
        [204, 204, 204, 204, 204, 401]),
    ("GET", "/api/v1/me"): (get("/api/v1/me"), [200, 200, 200, 200, 200, 401]),
    # everyone changes only their own password; a wrong current one is a 400
    ("POST", "/api/v1/me/password"): (
        post("/api/v1/me/password", {"current_password": "not the password at all",
                                     "new_password": "a new long passphrase"}),
        [400, 400, 400, 400, 400, 401]),
    # public: the one-time token decides; this one was never issued
    ("POST", "/api/v1/enrol"): (
        post("/api/v1/enrol", {"token": "A" * 43, "username": "someone-new",
                               "password": "a long passphrase here"}),
        [410, 410, 410, 410, 410, 410]),
    # a second factor is each account's own: enrolling starts with a fresh key for anyone
    # logged in; confirming with a wrong code, or removing a factor one does not have, fails
    # at validation, past authorization
    ("POST", "/api/v1/me/totp"): (
        lambda ctx, who: ctx.send("POST", "/api/v1/me/totp", who, token=_fresh_token(ctx, who),
                                  json={}),
        [201, 201, 201, 201, 201, 401]),
    ("POST", "/api/v1/me/totp/confirm"): (_totp_confirm, [400, 400, 400, 400, 400, 401]),
    ("POST", "/api/v1/me/totp/remove"): (post("/api/v1/me/totp/remove", {"code": "000000"}),
                                         [409, 409, 409, 409, 409, 401]),
    # public: the mailed link's token decides; this one was never issued
    ("POST", "/api/v1/ack"): (post("/api/v1/ack", {"token": "A" * 43}),
                              [410, 410, 410, 410, 410, 410]),
    ("GET", "/api/v1/service"): (get("/api/v1/service"), [200, 200, 200, 200, 200, 200]),
    # attaching an OpenPGP key is a write to the entry; this one is no key at all
    ("PUT", "/api/v1/pocs/{}/key"): (
        lambda ctx, who: ctx.send("PUT", "/api/v1/pocs/%s/key" % ctx.new_poc()[0], who,
                                  json={"key": "not a key"}),
        [403, 400, 403, 403, 403, 401]),
    ("GET", "/api/v1/states"): (get("/api/v1/states"), [200, 200, 200, 200, 200, 401]),
    ("GET", "/api/v1/states/{}"): (get("/api/v1/states/FRA"), [200, 200, 200, 200, 200, 401]),
    ("PATCH", "/api/v1/states/{}"): (
        lambda ctx, who: ctx.send("PATCH", "/api/v1/states/FRA", who,
                                  json={"participating": True}),
        [200, 403, 403, 403, 403, 401]),
    ("GET", "/api/v1/states/{}/pocs"): (get("/api/v1/states/FRA/pocs"),
                                        [200, 200, 200, 200, 200, 401]),
    ("POST", "/api/v1/states/{}/pocs"): (post("/api/v1/states/FRA/pocs", poc_body()),
                                         [403, 201, 403, 403, 403, 401]),
    ("GET", "/api/v1/states/{}/accounts"): (get("/api/v1/states/FRA/accounts"),
                                            [200, 200, 403, 403, 403, 401]),
    # the Secretariat enrols first admins only: FRA has some (409)
    ("POST", "/api/v1/states/{}/enrolments"): (
        lambda ctx, who: ctx.send("POST", "/api/v1/states/FRA/enrolments", who, json={
            "role": "state_admin" if who == "secretariat" else "officer"}),
        [409, 201, 403, 403, 403, 401]),
    ("GET", "/api/v1/pocs/{}"): (get("/api/v1/pocs/{c.poc}"), [200, 200, 200, 200, 200, 401]),
    ("PUT", "/api/v1/pocs/{}"): (_poc_write("PUT"), [403, 200, 403, 403, 403, 401]),
    ("DELETE", "/api/v1/pocs/{}"): (_poc_write("DELETE", body=False),
                                    [403, 200, 403, 403, 403, 401]),
    ("GET", "/api/v1/pocs/{}/history"): (get("/api/v1/pocs/{c.poc}/history"),
                                         [200, 200, 200, 200, 200, 401]),
    ("POST", "/api/v1/pocs/{}/confirm"): (_poc_write("POST", "/confirm", body=False),
                                          [403, 200, 403, 403, 403, 401]),
    # e-mail and key changes: their state's accounts see them, a second state_admin (not the
    # proposer, here FRA/admin2) confirms, an admin cancels; others are not told they exist
    ("GET", "/api/v1/pocs/{}/changes"): (
        lambda ctx, who: ctx.send("GET", "/api/v1/pocs/%s/changes" % _poc_change(ctx)[0],
                                  who),
        [404, 200, 200, 404, 404, 401]),
    ("POST", "/api/v1/pocs/{}/changes/{}/confirm"): (_change_decision("POST", "/confirm"),
                                                     [404, 200, 403, 404, 404, 401]),
    ("DELETE", "/api/v1/pocs/{}/changes/{}"): (_change_decision("DELETE", ""),
                                               [404, 200, 403, 404, 404, 401]),
    ("GET", "/api/v1/directory"): (get("/api/v1/directory"), [200, 200, 200, 200, 200, 401]),
    # a recovery link for FRA's officer: another state's admin is not told it exists (the
    # Secretariat's own accounts: SECOND_OBJECTS)
    ("POST", "/api/v1/accounts/{}/reset"): (
        lambda ctx, who: ctx.send("POST", "/api/v1/accounts/%s/reset" % _officer_account(ctx),
                                  who),
        [403, 201, 403, 404, 403, 401]),
    # public: the one-time token decides; without a password it stops at validation
    ("POST", "/api/v1/reset"): (post("/api/v1/reset", {"token": "A" * 43}),
                                [400, 400, 400, 400, 400, 400]),
    ("POST", "/api/v1/states/{}/reenrol"): (
        lambda ctx, who: ctx.send("POST", "/api/v1/states/FRA/reenrol", who),
        [201, 403, 403, 403, 403, 401]),
    # cancelling a re-enrolment link of FRA: FRA's administrators; another state's are not
    # told it exists
    ("DELETE", "/api/v1/states/{}/reenrol/{}"): (
        lambda ctx, who: ctx.send(
            "DELETE", "/api/v1/states/FRA/reenrol/" +
            ctx.send("POST", "/api/v1/states/FRA/reenrol", "secretariat").json()["id"], who),
        [403, 204, 403, 404, 404, 401]),
    ("GET", "/api/v1/me/notices"): (get("/api/v1/me/notices"), [200, 200, 200, 200, 200, 401]),
    ("PATCH", "/api/v1/accounts/{}"): (
        lambda ctx, who: ctx.send("PATCH", "/api/v1/accounts/" + _officer_account(ctx), who,
                                  json={"disabled": False}),
        [403, 200, 403, 403, 403, 401]),
    ("GET", "/api/v1/templates"): (get("/api/v1/templates"), [200, 200, 200, 200, 200, 401]),
    ("POST", "/api/v1/communications"): (
        post("/api/v1/communications", {
            "type": "notification", "urgency": "routine", "tlp": "GREEN",
            "to": [{"state": "KEN", "kinds": ["technical"]}],
            "subject": {"text": "From the table", "lang": "en"},
            "description": {"text": "x", "lang": "en"}}),
        [403, 201, 201, 201, 201, 401]),
    ("GET", "/api/v1/communications"): (get("/api/v1/communications"),
                                        [403, 200, 200, 200, 200, 401]),
    # a third state does not learn that the communication exists
    ("GET", "/api/v1/communications/{}"): (get("/api/v1/communications/{c.comm}"),
                                           [404, 200, 200, 404, 404, 401]),
    # the sender does not acknowledge its own communication
    ("POST", "/api/v1/communications/{}/acknowledge"): (
        post("/api/v1/communications/{c.comm}/acknowledge"), [404, 403, 403, 404, 404, 401]),
    ("POST", "/api/v1/communications/{}/replies"): (
        post("/api/v1/communications/{c.comm}/replies", {"text": "More", "lang": "en"}),
        [404, 201, 201, 404, 404, 401]),
    # closing is the sender's; closed, it stays closed (a second close is a 409)
    ("POST", "/api/v1/communications/{}/close"): (
        lambda ctx, who: ctx.send("POST", "/api/v1/communications/%s/close" % ctx.s.post(
            "/api/v1/communications", who="FRA/officer", json={
                "type": "notification", "urgency": "routine", "tlp": "GREEN",
                "to": [{"state": "KEN", "kinds": ["technical"]}],
                "subject": {"text": "To close", "lang": "en"},
                "description": {"text": "x", "lang": "en"}}).json()["id"], who, json={}),
        [404, 200, 200, 404, 404, 401]),
    ("GET", "/api/v1/communications/{}/receipts"): (
        get("/api/v1/communications/{c.comm}/receipts"), [404, 200, 200, 404, 404, 401]),
    # a state reads its own figures; the Secretariat every state's
    ("GET", "/api/v1/reports/responsiveness"): (get("/api/v1/reports/responsiveness"),
                                                [200, 200, 200, 200, 200, 401]),
    # only with --test-clock (on a test database); this server has none
    ("POST", "/api/v1/test/clock"): (post("/api/v1/test/clock", {"advance_seconds": 1}),
                                     [404, 404, 404, 404, 404, 404]),
    ("POST", "/api/v1/ping-campaigns"): (
        post("/api/v1/ping-campaigns", {"scope": ["FRA"], "kinds": ["technical"]}),
        [201, 403, 403, 403, 403, 401]),
    ("GET", "/api/v1/ping-campaigns"): (get("/api/v1/ping-campaigns"),
                                        [200, 200, 200, 200, 200, 401]),
    ("GET", "/api/v1/ping-campaigns/{}"): (get("/api/v1/ping-campaigns/{c.campaign}"),
                                           [200, 200, 200, 200, 200, 401]),
    ("GET", "/api/v1/ping-campaigns/{}/results"): (
        get("/api/v1/ping-campaigns/{c.campaign}/results"), [200, 200, 200, 200, 200, 401]),
    ("GET", "/api/v1/pings"): (get("/api/v1/pings"), [403, 200, 200, 200, 200, 401]),
    # public: the link's token decides; this one was never issued
    ("POST", "/api/v1/pings/answer"): (
        post("/api/v1/pings/answer", {"token": "A" * 43, "challenge": "ABC234"}),
        [410, 410, 410, 410, 410, 410]),
    ("POST", "/api/v1/pings/{}/answer"): (_ping_answer, [403, 200, 200, 404, 404, 401]),
    ("GET", "/api/v1/reports/pings"): (get("/api/v1/reports/pings?state=FRA"),
                                       [200, 200, 200, 403, 403, 401]),
    ("GET", "/api/v1/tasks"): (get("/api/v1/tasks"), [403, 200, 403, 200, 403, 401]),
    ("GET", "/api/v1/log/checkpoint"): (get("/api/v1/log/checkpoint"),
                                        [200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/log/key"): (get("/api/v1/log/key"), [200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/log/leaves"): (get("/api/v1/log/leaves?start=0&end=2"),
                                    [200, 200, 200, 200, 200, 401]),
    ("GET", "/api/v1/log/proof/inclusion"): (get("/api/v1/log/proof/inclusion?index=0&size=2"),
                                             [200, 200, 200, 200, 200, 401]),
    ("GET", "/api/v1/log/proof/consistency"): (
        get("/api/v1/log/proof/consistency?first=1&second=2"), [200, 200, 200, 200, 200, 401]),
    ("GET", "/api/v1/log/witnesses"): (get("/api/v1/log/witnesses"),
                                       [200, 200, 200, 200, 200, 401]),
    ("POST", "/api/v1/log/witnesses"): (
        lambda ctx, who: ctx.send("POST", "/api/v1/log/witnesses", who,
                                  json={"key": _witness_key()}),
        [403, 201, 403, 201, 403, 401]),
    # FRA's witness: only FRA's accounts post its cosignatures; a bad one is a 400
    ("POST", "/api/v1/log/cosignatures"): (
        lambda ctx, who: ctx.send("POST", "/api/v1/log/cosignatures", who, json={
            "size": 1, "cosignature": "\u2014 %s AAAA" % ctx.witness.split("+")[0]}),
        [403, 400, 400, 403, 403, 401]),
    # the Secretariat announces; every participating state's account reads
    ("GET", "/api/v1/broadcasts"): (get("/api/v1/broadcasts"), [200, 200, 200, 200, 200, 401]),
    ("POST", "/api/v1/broadcasts"): (
        post("/api/v1/broadcasts", {"texts": {"en": {"subject": "s", "body": "b"}}}),
        [201, 403, 403, 403, 403, 401]),
    # any state's account uploads evidence; the Secretariat sends nothing
    ("POST", "/api/v1/attachments"): (
        lambda ctx, who: ctx.send("POST", "/api/v1/attachments", who,
                                  params={"filename": "t.bin"}, data=b"table"),
        [403, 201, 201, 201, 201, 401]),
    # an attachment of FRA's communication to KEN: its parties only
    ("GET", "/api/v1/attachments/{}"): (get("/api/v1/attachments/{c.attachment}"),
                                        [404, 200, 200, 404, 404, 401]),
    # a state's machines are its administrators' (in a session: an API key has no scope for
    # them, test_machines.py); another state's key or webhook is not found
    ("POST", "/api/v1/api-keys"): (
        post("/api/v1/api-keys", {"name": "Table", "scopes": ["directory:read"]}),
        [403, 201, 403, 201, 403, 401]),
    ("GET", "/api/v1/api-keys"): (get("/api/v1/api-keys"), [403, 200, 403, 200, 403, 401]),
    ("DELETE", "/api/v1/api-keys/{}"): (
        lambda ctx, who: ctx.send("DELETE", "/api/v1/api-keys/" + ctx.new_key(), who),
        [403, 204, 403, 404, 403, 401]),
    ("POST", "/api/v1/webhooks"): (
        post("/api/v1/webhooks", {"url": "https://hooks.example.org/pocd"}),
        [403, 201, 403, 201, 403, 401]),
    ("GET", "/api/v1/webhooks"): (get("/api/v1/webhooks"), [403, 200, 403, 200, 403, 401]),
    ("DELETE", "/api/v1/webhooks/{}"): (
        lambda ctx, who: ctx.send("DELETE", "/api/v1/webhooks/" + ctx.new_webhook(True), who),
        [403, 204, 403, 404, 403, 401]),
    ("GET", "/api/v1/webhooks/{}/deliveries"): (
        lambda ctx, who: ctx.send("GET", "/api/v1/webhooks/%s/deliveries" % ctx.new_webhook(),
                                  who),
        [403, 200, 403, 404, 403, 401]),
    # a receipt is for the states party to the event: FRA sent, KEN received
    ("GET", "/api/v1/receipts/{}"): (get("/api/v1/receipts/{c.event}"),
                                     [404, 200, 200, 404, 404, 401]),
}


def test_every_route_has_a_row():
    """routes[] and the table name the same routes: a new route needs its row."""
    routes = set(router_routes())
    rows = set(TABLE)
    assert routes - rows == set(), "routes without a row in TABLE: %s" % sorted(routes - rows)
    assert rows - routes == set(), "rows of TABLE for no route: %s" % sorted(rows - routes)


@pytest.fixture(scope="module")
def ctx(module_server):  # noqa: F811
    return Ctx(module_server)


CASES = [pytest.param(route, i, id="%s %s-%s" % (route[0], route[1], CALLER_IDS[i]))
         for route in TABLE for i in range(len(CALLERS))]


@pytest.mark.parametrize("route,col", CASES)
def test_route_for_caller(ctx, route, col):
    call, expected = TABLE[route]
    r = call(ctx, CALLERS[col])
    assert r.status_code < 500, (r.status_code, r.text)
    if expected[col] >= 400:
        assert_problem(r, expected[col])
    else:
        assert r.status_code == expected[col], (r.status_code, r.text)


def _secretariat_account(ctx):
    if not hasattr(ctx, "secretariat"):
        ctx.secretariat = ctx.send("GET", "/api/v1/me", "secretariat").json()["id"]
    return ctx.secretariat


# Routes whose rule also depends on which object: a second row, on another object. A recovery
# link for a Secretariat account: the Secretariat may (for its own, the one the module has, it
# stops at 409: another's is in test_recovery.py); states' administrators are not told it
# exists.
SECOND_OBJECTS = {
    ("POST", "/api/v1/accounts/{}/reset", "a Secretariat account"): (
        lambda ctx, who: ctx.send("POST", "/api/v1/accounts/%s/reset" %
                                  _secretariat_account(ctx), who),
        [409, 404, 403, 404, 403, 401]),
}


@pytest.mark.parametrize("row,col", [
    pytest.param(row, i, id="%s %s (%s)-%s" % (row + (CALLER_IDS[i],)))
    for row in SECOND_OBJECTS for i in range(len(CALLERS))])
def test_route_for_caller_on_a_second_object(ctx, row, col):
    assert row[:2] in TABLE
    call, expected = SECOND_OBJECTS[row]
    r = call(ctx, CALLERS[col])
    assert_problem(r, expected[col])
