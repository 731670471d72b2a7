"""Receipts and witnesses of the transparency log, checked by an independent reference: the
RFC 9162 algorithms of test_log.py, C2SP signed notes and tlog-cosignature v1 written out
here with Python's cryptography package, and the content commitment SHA-256(salt || content)
recomputed from what the API shows.

A receipt ({event_id, leaf, index, checkpoint, proof}) holds for a state when the checkpoint
carries the log's signature (key from GET /api/v1/log/key), the leaf's hash and the proof
lead to the checkpoint's root at its size, and the leaf is that state's leaf of that event."""
import base64
import hashlib
import json
import time

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from comm_helpers import (HOUR, ack, advance, close, comm_body, path, reply, send, show, steps,
                          to, wait_for)
from comm_helpers import checked_server, clock_server  # noqa: F401 (fixtures)
from conftest import assert_problem
from ping_helpers import answer, answer_link, campaign, pings, results, token_of
from pocd_helpers import etag_of, poc_body, problem_fields, without_receipt
from test_log import leaf_hash, leaves, mth, verify_consistency, verify_inclusion

RECEIPTS = "/api/v1/receipts"
CHECKPOINT = "/api/v1/log/checkpoint"
WITNESSES = "/api/v1/log/witnesses"
COSIGNATURES = "/api/v1/log/cosignatures"
DASH = "\u2014 "
RECEIPT_MEMBERS = {"event_id", "leaf", "index", "checkpoint", "proof"}
LEAF_MEMBERS = {"actor", "actor_role", "actor_state", "commitment", "event", "event_id",
                "object", "party", "salt", "time"}


# ---------------------------------------------------------------------------------------------
# The reference: signed notes, cosignatures, receipts


def b64(data):
    return base64.b64encode(data).decode()


def key_id(name, raw):
    """C2SP key id: SHA-256(NAME || "\\n" || TYPE || PUBLIC-KEY)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]


def log_key(server):
    """The log's verifier key, checked for its form: (origin, key id, public key)."""
    text = requests.get(server.url + "/api/v1/log/key", timeout=30).text
    assert text.endswith("\n"), text
    name, kid, pub = text.rstrip("\n").split("+", 2)
    raw = base64.b64decode(pub)
    assert raw[0] == 1 and len(raw) == 33, text
    assert bytes.fromhex(kid) == key_id(name, raw), text
    return name, bytes.fromhex(kid), Ed25519PublicKey.from_public_bytes(raw[1:])


class Witness:
    """A witness as `poc witness` would be: an Ed25519 key, its vkey, and the cosignatures it
    makes (C2SP tlog-cosignature v1)."""

    def __init__(self, name, key_type=4):
        self.name = name
        self.sk = Ed25519PrivateKey.generate()
        self.pk = self.sk.public_key()
        raw = bytes([key_type]) + self.pk.public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.kid = key_id(name, raw)
        self.vkey = "%s+%s+%s" % (name, self.kid.hex(), b64(raw))

    def cosign(self, body, ts=None):
        """The cosignature line (no line break) of a checkpoint body, made at ts."""
        ts = int(time.time()) if ts is None else ts
        sig = self.sk.sign(cosigned_message(body, ts))
        return "%s%s %s" % (DASH, self.name, b64(self.kid + ts.to_bytes(8, "big") + sig))


def cosigned_message(body, ts):
    return ("cosignature/v1\ntime %d\n" % ts).encode() + body.encode()


def parse_note(note):
    """A checkpoint note: (body, origin, size, root, signature lines)."""
    assert note.endswith("\n"), note
    body, sigs = note.split("\n\n", 1)
    body += "\n"
    origin, size, root64 = body.rstrip("\n").split("\n")
    assert str(int(size)) == size, note
    root = base64.b64decode(root64, validate=True)
    assert len(root) == 32, note
    lines = sigs.rstrip("\n").split("\n")
    assert all(l.startswith(DASH) and l.count(" ") == 2 for l in lines), note
    return body, origin, int(size), root, lines


def verify_cosignature(line, body, witness):
    """The cosignature's time if the line is witness's valid cosignature of body, else None."""
    name, sig64 = line[len(DASH):].split(" ")
    raw = base64.b64decode(sig64, validate=True)
    if name != witness.name or len(raw) != 76 or raw[:4] != witness.kid:
        return None
    ts = int.from_bytes(raw[4:12], "big")
    try:
        witness.pk.verify(raw[12:], cosigned_message(body, ts))
    except InvalidSignature:
        return None
    return ts


def verify_note(server, note, witnesses=()):
    """Checks the log's signature (the first line) and the cosignature of each witness given
    whose name appears; returns (size, root, {witness name: time}, every signer's name)."""
    origin, kid, pk = log_key(server)
    body, name, size, root, lines = parse_note(note)
    assert name == origin, note
    assert lines[0].startswith(DASH + origin + " "), note
    sig = base64.b64decode(lines[0].split(" ")[2], validate=True)
    assert len(sig) == 68 and sig[:4] == kid, note
    pk.verify(sig[4:], body.encode())  # raises InvalidSignature
    names = [l.split(" ")[1] for l in lines[1:]]
    assert names == sorted(names), "cosignatures come by witness name: %s" % names
    times = {}
    for w in witnesses:
        mine = [l for l in lines[1:] if l.split(" ")[1] == w.name]
        if mine:
            assert len(mine) == 1, note
            ts = verify_cosignature(mine[0], body, w)
            assert ts is not None, "%s's cosignature does not verify: %s" % (w.name, note)
            times[w.name] = ts
    return size, root, times, names


def verify_receipt(server, rc, party, event=None, obj=None, witnesses=()):
    """Checks a receipt as its holder would, offline but for the log's key; returns the leaf
    (decoded), the checkpoint's size and the cosignatures that verified."""
    assert set(rc) == RECEIPT_MEMBERS, rc
    text = rc["leaf"]
    leaf = json.loads(text)
    assert set(leaf) == LEAF_MEMBERS, leaf
    # RFC 8785 for strings and integers: sorted members, no white space.
    assert text == json.dumps(leaf, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert all(isinstance(v, int if k == "time" else str) for k, v in leaf.items()), leaf
    assert len(leaf["salt"]) == 32 and int(leaf["salt"], 16) >= 0, leaf
    assert len(leaf["commitment"]) == 64 and int(leaf["commitment"], 16) >= 0, leaf
    size, root, times, _ = verify_note(server, rc["checkpoint"], witnesses)
    assert 0 <= rc["index"] < size, (rc["index"], size)
    proof = [base64.b64decode(h, validate=True) for h in rc["proof"]]
    assert verify_inclusion(rc["index"], size, leaf_hash(text.encode()), proof, root), rc
    assert leaf["party"] == party, leaf
    assert leaf["event_id"] == rc["event_id"], leaf
    if event is not None:
        assert leaf["event"] == event, leaf
    if obj is not None:
        assert leaf["object"] == obj, leaf
    return leaf, size, times


def receipt_of(server, event_id, who):
    r = server.get("%s/%s" % (RECEIPTS, event_id), who=who)
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "no-store", r.headers
    return r.json()


def comm_receipts(server, cid, who):
    r = server.get(path(cid, "receipts"), who=who)
    assert r.status_code == 200, r.text
    assert r.json()["next"] is None, r.text
    return r.json()["items"]


def log_size(server):
    r = requests.get(server.url + CHECKPOINT, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.text.split("\n")[1])


def content_of(doc):
    """A communication's content as stored, rebuilt from what a party reads: the content
    members, sorted at every level, without white space."""
    keys = ("subject", "description", "sectors", "incident", "indicators", "requested_action",
            "reply_by", "reply_languages")
    content = {k: doc[k] for k in keys if k in doc}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def commitment(leaf, content):
    return hashlib.sha256(bytes.fromhex(leaf["salt"]) + content.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Receipts in the answers to writes


def test_the_reference_rejects_what_it_should(server):
    """The checks above are not vacuous: a leaf, a proof or a checkpoint changed by one byte
    no longer verifies."""
    rc = server.post("/api/v1/states/FRA/pocs", who="FRA/admin", json=poc_body()).json()[
        "receipt"]
    verify_receipt(server, rc, "FRA", "poc.created")
    size, root, _, _ = verify_note(server, rc["checkpoint"])
    proof = [base64.b64decode(h) for h in rc["proof"]]
    other = rc["leaf"].replace('"salt":"', '"salt":"0', 1)
    assert not verify_inclusion(rc["index"], size, leaf_hash(other.encode()), proof, root)
    assert not verify_inclusion(rc["index"] ^ 1, size, leaf_hash(rc["leaf"].encode()), proof,
                                root)
    assert not verify_inclusion(rc["index"], size, leaf_hash(rc["leaf"].encode()), proof[:-1],
                                root)
    forged = rc["checkpoint"].replace("\n%d\n" % size, "\n%d\n" % (size + 1), 1)
    with pytest.raises(InvalidSignature):
        verify_note(server, forged)
    with pytest.raises(AssertionError):
        verify_receipt(server, rc, "DEU")


def test_poc_writes_answer_with_receipts(server):
    """Create, change, confirm and remove: each answer's receipt is the owning state's leaf
    of its event, and GET /api/v1/receipts/{event_id} gives the same leaf again."""
    r = server.post("/api/v1/states/FRA/pocs", who="FRA/admin", json=poc_body())
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    answers = [("poc.created", r.json()["receipt"])]
    r = server.put("/api/v1/pocs/" + pid, who="FRA/admin", headers={"If-Match": etag_of(r)},
                   json=poc_body(role_title="Day duty officer"))
    assert r.status_code == 200, r.text
    answers.append(("poc.changed", r.json()["receipt"]))
    r = server.post("/api/v1/pocs/%s/confirm" % pid, who="FRA/admin")
    assert r.status_code == 200, r.text
    answers.append(("poc.confirmed", r.json()["receipt"]))
    # The read shows the same entry, without the receipt.
    assert server.get("/api/v1/pocs/" + pid, who="FRA/admin").json() == without_receipt(
        r.json())
    r = server.delete("/api/v1/pocs/" + pid, who="FRA/admin", headers={"If-Match": etag_of(r)})
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"id", "removed", "receipt"}, r.text
    assert r.json()["id"] == pid and r.json()["removed"] is True, r.text
    answers.append(("poc.removed", r.json()["receipt"]))

    seen = []
    for event, rc in answers:
        leaf, _, _ = verify_receipt(server, rc, "FRA", event, pid)
        assert (leaf["actor_state"], leaf["actor_role"]) == ("FRA", "state_admin"), leaf
        seen.append((rc["index"], rc["event_id"], leaf["actor"]))
        # The full leaf is the state's own in the public list too, with the hash the proof used.
        item = leaves(server, "FRA/officer", rc["index"], rc["index"] + 1)[0]
        assert item["leaf"] == rc["leaf"], item
        assert base64.b64decode(item["hash"]) == leaf_hash(rc["leaf"].encode())
        # Fetched again, by another account of the state: the same leaf, still verifying.
        again = receipt_of(server, rc["event_id"], "FRA/officer")
        assert (again["leaf"], again["index"]) == (rc["leaf"], rc["index"]), again
        verify_receipt(server, again, "FRA", event, pid)
        # No other state, and not the Secretariat, holds it.
        for who in ("DEU/admin", "secretariat"):
            assert_problem(server.get("%s/%s" % (RECEIPTS, rc["event_id"]), who=who), 404)
    indexes, ids, actors = zip(*seen)
    assert list(indexes) == sorted(set(indexes)) and len(set(ids)) == 4, seen
    assert len(set(actors)) == 1, "one account, one pseudonym for its state: %s" % (actors,)


def test_a_communication_step_by_step(server):
    """Sending, acknowledging, answering and closing each answer with the caller's receipt;
    what logs nothing (acknowledging again, later replies, the sender's replies, closing
    again) answers without one. Each logged step adds one leaf per party."""
    size = log_size(server)
    body = comm_body(to=to("DEU"))
    r = server.post("/api/v1/communications", who="FRA/officer", json=body)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert log_size(server) == size + 2  # one event, a leaf for FRA and one for DEU
    leaf, _, _ = verify_receipt(server, r.json()["receipt"], "FRA", "communication.sent", cid)
    assert (leaf["actor_state"], leaf["actor_role"]) == ("FRA", "officer"), leaf
    sent = r.json()["receipt"]["event_id"]

    def act(who, action, event, state, **kw):
        before = log_size(server)
        if action == "acknowledge":
            r = ack(server, cid, who)
        elif action == "close":
            r = close(server, cid, who)
        else:
            r = reply(server, cid, who, **kw)
        assert r.status_code in (200, 201), r.text
        if event is None:
            assert "receipt" not in r.json(), r.text
            assert log_size(server) == before, "nothing logged, yet the log grew"
            return None
        assert log_size(server) == before + 2, (before, log_size(server))
        leaf, _, _ = verify_receipt(server, r.json()["receipt"], state, event, cid)
        assert leaf["actor_state"] == state, leaf
        return r.json()["receipt"]["event_id"]

    acked = act("DEU/officer", "acknowledge", "communication.acknowledged", "DEU")
    act("DEU/admin", "acknowledge", None, "DEU")
    answered = act("DEU/officer", "reply", "communication.answered", "DEU")
    act("DEU/officer", "reply", None, "DEU", text="More to come.")
    act("FRA/officer", "reply", None, "FRA", text="Thank you.")
    closed = act("FRA/admin", "close", "communication.closed", "FRA")
    act("FRA/officer", "close", None, "FRA")
    assert len({sent, acked, answered, closed}) == 4

    # Each party holds its own leaf of each event, the other party's receipt differing only
    # in the leaf's party, salt, commitment and the actor's pseudonym.
    for eid, event in ((sent, "communication.sent"), (acked, "communication.acknowledged"),
                       (answered, "communication.answered"), (closed, "communication.closed")):
        fra, _, _ = verify_receipt(server, receipt_of(server, eid, "FRA/officer"), "FRA", event,
                                   cid)
        deu, _, _ = verify_receipt(server, receipt_of(server, eid, "DEU/admin"), "DEU", event,
                                   cid)
        assert fra["event_id"] == deu["event_id"] == eid
        assert (fra["time"], fra["actor_state"], fra["actor_role"]) == (
            deu["time"], deu["actor_state"], deu["actor_role"])
        assert fra["salt"] != deu["salt"] and fra["commitment"] != deu["commitment"]
        assert fra["actor"] != deu["actor"], "pseudonyms differ per party state"
        assert_problem(server.get("%s/%s" % (RECEIPTS, eid), who="KEN/admin"), 404)


def test_the_sending_commits_to_the_content(server):
    """communication.sent commits every party's leaf to the content as stored:
    SHA-256(salt || content), content being the content members sorted, without white
    space; another content does not match."""
    body = comm_body(to=to("DEU", "KEN"),
                     description={"text": "Deux sous-stations touchées.\nLe reste suit.",
                                  "lang": "fr"})
    r = server.post("/api/v1/communications", who="FRA/officer", json=body)
    assert r.status_code == 201, r.text
    cid, eid = r.json()["id"], r.json()["receipt"]["event_id"]
    content = content_of(show(server, cid, "DEU/officer"))
    assert content == content_of(without_receipt(r.json())) == content_of(
        show(server, cid, "KEN/officer"))
    assert "touchées" in content  # as UTF-8, not escaped
    salts = set()
    for who, party in (("FRA/officer", "FRA"), ("DEU/officer", "DEU"), ("KEN/admin", "KEN")):
        rc = r.json()["receipt"] if party == "FRA" else receipt_of(server, eid, who)
        leaf, _, _ = verify_receipt(server, rc, party, "communication.sent", cid)
        assert leaf["commitment"] == commitment(leaf, content), (party, leaf)
        assert leaf["commitment"] != commitment(leaf, content.replace("Deux", "Trois"))
        salts.add(leaf["salt"])
    assert len(salts) == 3
    # The leaves hold no content.
    assert "sous-stations" not in json.dumps(leaves(server, "DEU/officer", 0, log_size(server)))


def test_a_ping_answer_has_a_receipt_in_the_app_only(server):
    """An answer in the app answers with the ping's state's receipt of `ping.answered`; by
    link there is no session and no receipt, but the state fetches it by its event id. The
    Secretariat's campaign, which no state's account made, answers without receipt."""
    c = campaign(server, scope=["FRA"], challenge=True)
    assert "receipt" not in c, c
    ps = pings(server, "FRA/admin")
    ps = [p for p in ps if p["campaign"] == c["id"]]
    assert len(ps) >= 2, ps
    first, second = ps[0], ps[1]
    r = answer(server, first["id"], "FRA/admin", first["challenge"])
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"ping", "correct", "late", "receipt"}, r.text
    leaf, _, _ = verify_receipt(server, r.json()["receipt"], "FRA", "ping.answered",
                                first["id"])
    assert (leaf["actor_state"], leaf["actor_role"]) == ("FRA", "state_admin"), leaf
    assert_problem(server.get("%s/%s" % (RECEIPTS, leaf["event_id"]), who="DEU/admin"), 404)

    size = log_size(server)
    r = answer_link(server, token_of(server, second["id"]), second["challenge"])
    assert r.status_code == 200, r.text
    assert r.json() == {"ping": second["id"], "correct": True, "late": False}, r.text
    assert log_size(server) == size + 1
    mine = leaves(server, "FRA/officer", size, size + 1)[0]
    linked = json.loads(mine["leaf"])
    assert (linked["event"], linked["object"], linked["actor_role"]) == (
        "ping.answered", second["id"], "link"), linked
    rc = receipt_of(server, linked["event_id"], "FRA/officer")
    assert rc["leaf"] == mine["leaf"] and rc["index"] == size, rc
    verify_receipt(server, rc, "FRA", "ping.answered", second["id"])


def test_receipts_by_event_are_the_party_states_alone(server):
    """GET /api/v1/receipts/{event_id}: 404 for a state that is no party, the Secretariat,
    an id of no logged event or not an id at all; 401 without a session."""
    doc = send(server, to=to("DEU"))
    eid = doc["receipt"]["event_id"]
    for who in ("KEN/admin", "JPN/officer", "secretariat"):
        assert_problem(server.get("%s/%s" % (RECEIPTS, eid), who=who), 404)
    for bad in ("a" * 26, "nope", eid.upper(), eid[:-1], eid + "a"):
        assert_problem(server.get("%s/%s" % (RECEIPTS, bad), who="FRA/admin"), 404)
    assert_problem(server.get("%s/%s" % (RECEIPTS, eid)), 401)
    verify_receipt(server, receipt_of(server, eid, "DEU/officer"), "DEU", "communication.sent")


def test_communication_receipts_list_each_partys_own_leaves(server):
    """GET /api/v1/communications/{id}/receipts: the sender's leaf of every logged step, a
    recipient's of the sending and its own steps only, nobody else's."""
    cid = send(server, to=to("DEU", "KEN"))["id"]
    assert ack(server, cid, "DEU/officer").status_code == 200
    assert reply(server, cid, "KEN/officer").status_code == 201  # acknowledged, then answered
    assert reply(server, cid, "FRA/officer", text="Noted.").status_code == 201  # not logged
    assert close(server, cid, "FRA/officer").status_code == 200  # one event per recipient

    got = {}
    for who, party in (("FRA/officer", "FRA"), ("DEU/admin", "DEU"), ("KEN/officer", "KEN")):
        items = comm_receipts(server, cid, who)
        for i in items:
            # The sending is one event for all recipients; any other step names its recipient.
            if i["step"] == "sent":
                assert set(i) == {"step", "receipt"}, i
            else:
                assert set(i) == {"step", "state", "receipt"}, i
                assert i["state"] in ("DEU", "KEN") and (party == "FRA" or i["state"] == party)
            leaf, _, _ = verify_receipt(server, i["receipt"], party,
                                        "communication." + i["step"], cid)
            # The same receipt as by its event id.
            assert receipt_of(server, leaf["event_id"], who)["leaf"] == i["receipt"]["leaf"]
        got[party] = items
    steps_of = {p: sorted(i["step"] for i in items) for p, items in got.items()}
    assert steps_of["FRA"] == sorted(["sent", "acknowledged", "acknowledged", "answered",
                                      "closed", "closed"]), steps_of
    assert steps_of["DEU"] == ["acknowledged", "closed", "sent"], steps_of
    assert steps_of["KEN"] == ["acknowledged", "answered", "closed", "sent"], steps_of
    assert got["FRA"][0]["step"] == "sent" and [i["step"] for i in got["KEN"]] == [
        "sent", "acknowledged", "answered", "closed"], got
    # The events: the sending shared by all, every other one by the sender and one recipient.
    ids = {p: [i["receipt"]["event_id"] for i in items] for p, items in got.items()}
    assert ids["FRA"][0] == ids["DEU"][0] == ids["KEN"][0]
    assert len(set(ids["FRA"])) == 6 and set(ids["DEU"]) | set(ids["KEN"]) == set(ids["FRA"])
    assert set(ids["DEU"]) & set(ids["KEN"]) == {ids["FRA"][0]}
    # Who acted, by the leaves: DEU and KEN for their steps, FRA for the closings.
    acts = {(json.loads(i["receipt"]["leaf"])["event"],
             json.loads(i["receipt"]["leaf"])["actor_state"]) for i in got["FRA"]}
    assert acts == {("communication.sent", "FRA"), ("communication.acknowledged", "DEU"),
                    ("communication.acknowledged", "KEN"), ("communication.answered", "KEN"),
                    ("communication.closed", "FRA")}, acts
    for who in ("JPN/admin", "secretariat"):
        assert_problem(server.get(path(cid, "receipts"), who=who), 404)
    assert_problem(server.get(path("a" * 26, "receipts"), who="FRA/admin"), 404)
    assert_problem(server.get(path(cid, "receipts")), 401)


def test_escalations_are_logged_for_sender_and_recipient(clock_server):
    """The scheduler's escalation is a logged event of the sender and the recipient, acted by
    the system; `overdue` is not logged."""
    s = clock_server
    cid = send(s, to=to("KEN"), urgency="urgent")["id"]
    advance(s, 2 * HOUR + 60)
    wait_for(lambda: show(s, cid, "FRA/officer"), lambda d: steps(d, "KEN", "escalated"))
    for who, party in (("FRA/officer", "FRA"), ("KEN/officer", "KEN")):
        items = comm_receipts(s, cid, who)
        assert [i["step"] for i in items] == ["sent", "escalated"], items
        leaf, _, _ = verify_receipt(s, items[1]["receipt"], party, "communication.escalated",
                                    cid)
        assert (leaf["actor"], leaf["actor_state"], leaf["actor_role"]) == (
            "system", "", "system"), leaf
    assert_problem(s.get(path(cid, "receipts"), who="DEU/officer"), 404)


def test_receipts_hold_across_a_restart(checked_server):
    s = checked_server
    doc = send(s, to=to("DEU"))
    rc = doc["receipt"]
    s.restart()
    again = receipt_of(s, rc["event_id"], "FRA/officer")
    assert (again["leaf"], again["index"], again["checkpoint"]) == (
        rc["leaf"], rc["index"], rc["checkpoint"])
    verify_receipt(s, again, "FRA", "communication.sent", doc["id"])


# ---------------------------------------------------------------------------------------------
# Witnesses


def register(server, witness, who):
    r = server.post(WITNESSES, who=who, json={"key": witness.vkey})
    assert r.status_code == 201, r.text
    return r.json()


def note_of(server, size=None):
    r = requests.get(server.url + CHECKPOINT, params={} if size is None else {"size": size},
                     timeout=30)
    assert r.status_code == 200, r.text
    return r.text


def post_cosignature(server, who, size, line):
    return server.post(COSIGNATURES, who=who, json={"size": size, "cosignature": line})


def test_witnesses_cosign_across_checkpoints(server):
    """Two states' witnesses cosign checkpoints of the growing log, each after checking it
    consistent with the last it cosigned; the checkpoints and the receipts carry their
    cosignatures, which verify here."""
    deu = Witness("witness.deu.example")
    fra = Witness("witness.fra.example")
    assert register(server, deu, "DEU/admin") == {"name": deu.name, "state": "DEU",
                                                   "key": deu.vkey}
    register(server, fra, "FRA/admin2")
    r = server.get(WITNESSES, who="KEN/officer")
    assert r.status_code == 200, r.text
    listed = r.json()["items"]
    assert [(w["name"], w["state"], w["key"]) for w in listed] == [
        (deu.name, "DEU", deu.vkey), (fra.name, "FRA", fra.vkey)], listed
    assert all(w["registered_at"].endswith("Z") for w in listed), listed

    # A communication; the newest checkpoint, cosigned by DEU's witness.
    a = send(server, to=to("DEU"))
    note1 = note_of(server)
    size1, root1, _, names = verify_note(server, note1)
    assert names == [] and size1 > a["receipt"]["index"]
    body1 = parse_note(note1)[0]
    ts1 = int(time.time())
    r = post_cosignature(server, "DEU/officer", size1, deu.cosign(body1, ts1))
    assert r.status_code == 201, r.text
    assert r.json() == {"witness": deu.name, "size": size1, "time": ts1}, r.text
    size, root, times, names = verify_note(server, note_of(server), [deu, fra])
    assert (size, root, times, names) == (size1, root1, {deu.name: ts1}, [deu.name])
    # The receipt now holds the cosigned checkpoint.
    rc = receipt_of(server, a["receipt"]["event_id"], "DEU/officer")
    _, size, times = verify_receipt(server, rc, "DEU", "communication.sent", a["id"], [deu])
    assert (size, times) == (size1, {deu.name: ts1})

    # The log grows: a receipt of an older event keeps the cosigned checkpoint, a new one
    # gets the newest, not cosigned yet.
    b = send(server, to=to("DEU"))
    r = server.post("/api/v1/states/DEU/pocs", who="DEU/admin",
                    json=poc_body(email="night@cert-bund.example", time_zone="Europe/Berlin"))
    assert r.status_code == 201, r.text
    note2 = note_of(server)
    size2, root2, _, names = verify_note(server, note2)
    assert size2 == size1 + 3 and names == []
    rc = receipt_of(server, a["receipt"]["event_id"], "FRA/officer")
    assert verify_receipt(server, rc, "FRA", witnesses=[deu])[1:] == (size1, {deu.name: ts1})
    rc = receipt_of(server, b["receipt"]["event_id"], "DEU/officer")
    assert verify_receipt(server, rc, "DEU", witnesses=[deu])[1:] == (size2, {})

    # DEU's witness checks the new checkpoint consistent with the one it cosigned, then
    # cosigns it; a wrong root would not have passed.
    r = server.get("/api/v1/log/proof/consistency", who="DEU/officer",
                   params={"first": size1, "second": size2})
    assert r.status_code == 200, r.text
    proof = [base64.b64decode(h) for h in r.json()["hashes"]]
    assert verify_consistency(size1, size2, root1, root2, proof)
    assert not verify_consistency(size1, size2, root2, root2, proof)
    ts2 = ts1 + 1
    r = post_cosignature(server, "DEU/admin", size2, deu.cosign(parse_note(note2)[0], ts2))
    assert r.status_code == 201, r.text
    # FRA's witness cosigns the older checkpoint, late: any past size is taken.
    ts3 = int(time.time())
    r = post_cosignature(server, "FRA/officer", size1, fra.cosign(body1, ts3))
    assert r.status_code == 201, r.text

    # Each checkpoint, by its size, carries its own cosignatures (by witness name).
    assert verify_note(server, note_of(server, size1), [deu, fra])[2:] == (
        {deu.name: ts1, fra.name: ts3}, [deu.name, fra.name])
    assert verify_note(server, note_of(server), [deu, fra])[:3] == (size2, root2,
                                                                    {deu.name: ts2})
    assert note_of(server, size2) == note_of(server)
    # The older event's receipt moves on to the newest cosigned checkpoint that covers it.
    for eid in (a["receipt"]["event_id"], b["receipt"]["event_id"]):
        rc = receipt_of(server, eid, "DEU/officer")
        assert verify_receipt(server, rc, "DEU", witnesses=[deu, fra])[1:] == (
            size2, {deu.name: ts2}), rc
    # A cosignature verified with the other witness's key fails: the check means something.
    line = [l for l in parse_note(note_of(server))[4] if l.split(" ")[1] == deu.name][0]
    assert verify_cosignature(line, parse_note(note2)[0], deu) == ts2
    assert verify_cosignature(line.replace(deu.name, fra.name), parse_note(note2)[0],
                              fra) is None
    # Kept across a restart.
    server.restart()
    assert verify_note(server, note_of(server, size1), [deu, fra])[2] == {deu.name: ts1,
                                                                          fra.name: ts3}
    rc = receipt_of(server, a["receipt"]["event_id"], "FRA/admin")
    assert verify_receipt(server, rc, "FRA", witnesses=[deu])[1:] == (size2, {deu.name: ts2})


def test_a_past_checkpoint_is_signed_again_the_same(server):
    """GET /api/v1/log/checkpoint?size=N: the tree of the first N leaves, signed by the log
    (the same line each time, Ed25519 being deterministic), 404 beyond the log."""
    note = note_of(server)
    size, root, _, _ = verify_note(server, note)
    send(server, to=to("DEU"))
    assert note_of(server, size) == note
    hashes = [base64.b64decode(i["hash"]) for i in leaves(server, "KEN/admin", 0, 3)]
    small = note_of(server, 3)
    assert verify_note(server, small)[:2] == (3, mth(hashes))
    assert note_of(server, 3) == small
    grown = log_size(server)
    r = requests.get(server.url + CHECKPOINT, params={"size": grown + 1}, timeout=30)
    assert_problem(r, 404)
    assert_problem(requests.get(server.url + CHECKPOINT, params={"size": "x"}, timeout=30),
                   400, "size")


def test_witness_registration_refusals(server):
    deu = Witness("witness.deu.example")
    for who in ("DEU/officer", "secretariat"):
        assert_problem(server.post(WITNESSES, who=who, json={"key": deu.vkey}), 403)
    signing = Witness("witness.deu.example", key_type=1)  # the log's own kind of key
    name, kid, key64 = deu.vkey.split("+", 2)
    other_id = "%08x" % ((int(kid, 16) + 1) % 2 ** 32)
    for bad in ({"key": signing.vkey}, {"key": "%s+%s+%s" % (name, other_id, key64)},
                {"key": "%s+%s+%s" % (name, kid, key64[:-2] + "!!")},
                {"key": "%s+%s" % (name, key64)}, {"key": "a b+%s+%s" % (kid, key64)},
                {"key": 4}, {"key": None}, {}):
        assert_problem(server.post(WITNESSES, who="DEU/admin", json=bad), 400, "key")
    r = server.post(WITNESSES, who="DEU/admin", json={"key": deu.vkey, "state": "FRA"})
    assert_problem(r, 400, "state")
    assert problem_fields(r) == ["state"], r.text
    assert_problem(server.post(WITNESSES, who="DEU/admin", data=json.dumps({"key": deu.vkey})),
                   415)
    assert_problem(server.post(WITNESSES, json={"key": deu.vkey}), 401)
    register(server, deu, "DEU/admin")
    # The same name again, by any state, with this key or another.
    again = Witness("witness.deu.example")
    for who, key in (("DEU/admin2", deu.vkey), ("FRA/admin", again.vkey)):
        assert_problem(server.post(WITNESSES, who=who, json={"key": key}), 409, "key")
    r = server.get(WITNESSES, who="DEU/officer")
    assert [w["name"] for w in r.json()["items"]] == [deu.name], r.text


def test_cosignature_refusals(server):
    deu = Witness("witness.deu.example")
    register(server, deu, "DEU/admin")
    note = note_of(server)
    body, _, size, _, _ = parse_note(note)
    line = deu.cosign(body)
    # Another state's account, the Secretariat: the witness is not theirs.
    for who in ("FRA/officer", "FRA/admin", "secretariat"):
        assert_problem(post_cosignature(server, who, size, line), 403)
    # A signature that does not verify: another body, another key, another time, mangled.
    stranger = Witness(deu.name)
    wrong_body = body.replace("\n%d\n" % size, "\n%d\n" % (size - 1))
    ts = int(time.time())
    raw = base64.b64decode(deu.cosign(body, ts).split(" ")[2])
    forged_time = DASH + deu.name + " " + b64(raw[:4] + (ts + 1).to_bytes(8, "big") + raw[12:])
    flipped = DASH + deu.name + " " + b64(raw[:-1] + bytes([raw[-1] ^ 1]))
    for bad in (deu.cosign(wrong_body), stranger.cosign(body), forged_time, flipped,
                line + "AAAA", DASH + deu.name + " !!!!",
                deu.cosign(body, ts + 3600)):  # an hour ahead of the clock
        assert_problem(post_cosignature(server, "DEU/officer", size, bad), 400, "cosignature")
    # Not a cosignature line, or one of no registered witness.
    for bad in ("", "x", line.replace(DASH, "- "), line.replace(deu.name, "witness.nobody"),
                DASH + deu.name):
        assert_problem(post_cosignature(server, "DEU/officer", size, bad), 400, "cosignature")
    # A size the log has no checkpoint of (yet), or no size at all.
    for bad_size in (size + 1, 10 ** 12, 0, -1, "1", 1.5, None):
        assert_problem(post_cosignature(server, "DEU/officer", bad_size, line), 400, "size")
    r = server.post(COSIGNATURES, who="DEU/officer",
                    json={"size": size, "cosignature": line, "witness": deu.name})
    assert_problem(r, 400, "witness")
    assert_problem(server.post(COSIGNATURES, who="DEU/officer", data="{}"), 415)
    assert_problem(server.post(COSIGNATURES, json={"size": size, "cosignature": line}), 401)
    # None of that was kept.
    assert note_of(server) == note
    # A size within the log but the line of another size's body: refused as not verifying.
    assert_problem(post_cosignature(server, "DEU/officer", size - 1, line), 400, "cosignature")
    r = post_cosignature(server, "DEU/officer", size, line)
    assert r.status_code == 201, r.text
    assert note_of(server) == note + line + "\n"


def test_witness_keys_and_cosignatures_are_checked_strictly(server):
    """One public key is one witness; a witness cannot bear the log's name; a cosignature is
    one line, recent, and an older one does not replace a newer one."""
    deu = Witness("witness.deu.example")
    register(server, deu, "DEU/admin")
    # The same public key under another name, by another state.
    twin = Witness("witness.ken.example")
    twin.sk, twin.pk = deu.sk, deu.pk
    raw = bytes([4]) + deu.pk.public_bytes(Encoding.Raw, PublicFormat.Raw)
    twin.kid = key_id(twin.name, raw)
    twin.vkey = "%s+%s+%s" % (twin.name, twin.kid.hex(), b64(raw))
    assert_problem(server.post(WITNESSES, who="KEN/admin", json={"key": twin.vkey}), 409, "key")
    origin, _, _ = log_key(server)
    mimic = Witness(origin)
    assert_problem(server.post(WITNESSES, who="KEN/admin", json={"key": mimic.vkey}), 400,
                   "key")
    body, _, size, _, _ = parse_note(note_of(server))
    line = deu.cosign(body)
    assert_problem(post_cosignature(server, "DEU/officer", size, line + "\nextra"), 400,
                   "cosignature")
    assert_problem(post_cosignature(server, "DEU/officer", size,
                                    deu.cosign(body, int(time.time()) - 2 * 86400)), 400,
                   "cosignature")
    assert post_cosignature(server, "DEU/officer", size, line).status_code == 201
    older = deu.cosign(body, int(time.time()) - 3600)
    assert post_cosignature(server, "DEU/officer", size, older).status_code == 201
    assert line in note_of(server, size) and older not in note_of(server, size)
    assert_problem(requests.get(server.url + CHECKPOINT, params={"size": 0}, timeout=30), 400,
                   "size")


def test_a_campaign_over_all_states_has_a_leaf_for_each_state_pinged(server):
    before = log_size(server)
    c = campaign(server, scope="all")
    after = log_size(server)
    states = {p["state"] for p in results(server, c["id"])["items"]}
    assert len(states) > 1 and after - before == len(states)
    for who, party in (("FRA/admin", "FRA"), ("DEU/officer", "DEU")):
        mine = [json.loads(i["leaf"]) for i in leaves(server, who, before, after) if "leaf" in i]
        assert len(mine) == 1, mine
        assert mine[0]["event"] == "ping_campaign.created" and mine[0]["party"] == party
        assert mine[0]["object"] == c["id"]
