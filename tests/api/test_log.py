"""The transparency log against an independent reference: RFC 9162 section 2.1 written out
here in Python, C2SP signed notes checked with Python's cryptography package."""
import base64
import hashlib
import json

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from conftest import assert_problem


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves):
    """RFC 9162 2.1.1 over leaf hashes."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, root1, root2, proof):
    """RFC 9162 2.1.4.2."""
    if first == second:
        return not proof and root1 == root2
    if not proof:
        return False
    if first & (first - 1) == 0:
        proof = [root1] + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


def checkpoint(server):
    """The signed checkpoint, checked against the published key: (size, root)."""
    key = requests.get(server.url + "/api/v1/log/key").text.strip()
    name, keyid, pub = key.split("+", 2)
    raw = base64.b64decode(pub)
    assert raw[0] == 1 and len(raw) == 33
    want_id = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    assert bytes.fromhex(keyid) == want_id
    note = requests.get(server.url + "/api/v1/log/checkpoint").text
    body, sigs = note.split("\n\n", 1)
    body += "\n"
    origin, size, root64 = body.rstrip("\n").split("\n")
    assert origin == name
    line = sigs.strip("\n")
    assert line.startswith("\u2014 " + name + " ")
    sig = base64.b64decode(line.split(" ")[2])
    assert sig[:4] == want_id
    Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[4:], body.encode())
    return int(size), base64.b64decode(root64)


def leaves(server, who, start, end):
    out = []
    while start < end:
        stop = min(end, start + 1000)
        r = server.get("/api/v1/log/leaves", who=who, params={"start": start, "end": stop})
        assert r.status_code == 200, r.text
        out += r.json()["items"]
        start = stop
    return out


def test_checkpoint_signed_and_root_matches_every_leaf(server):
    size, root = checkpoint(server)
    assert size > 0
    items = leaves(server, "FRA/admin", 0, size)
    hashes = [base64.b64decode(i["hash"]) for i in items]
    assert mth(hashes) == root
    for i in items:
        if "leaf" in i:
            assert leaf_hash(i["leaf"].encode()) == base64.b64decode(i["hash"])
            leaf = json.loads(i["leaf"])
            assert leaf["party"] == "FRA"
            # RFC 8785 for strings and integers: sorted members, no white space.
            assert i["leaf"] == json.dumps(leaf, sort_keys=True, separators=(",", ":"),
                                           ensure_ascii=False)
    assert any("leaf" in i for i in items)
    assert all(json.loads(i["leaf"])["party"] == "FRA" for i in items if "leaf" in i)


def test_a_communication_adds_a_leaf_per_party_and_proofs_hold(server):
    first, root1 = checkpoint(server)
    body = {"type": "notification", "urgency": "routine", "tlp": "GREEN",
            "to": [{"state": "DEU", "kinds": ["technical"]}],
            "subject": {"text": "log test", "lang": "en"},
            "description": {"text": "content the log commits to", "lang": "en"}}
    r = server.post("/api/v1/communications", who="FRA/officer", json=body)
    assert r.status_code == 201, r.text
    second, root2 = checkpoint(server)
    assert second == first + 2
    fra = leaves(server, "FRA/officer", first, second)
    deu = leaves(server, "DEU/officer", first, second)
    assert [json.loads(i["leaf"])["party"] for i in fra if "leaf" in i] == ["FRA"]
    assert [json.loads(i["leaf"])["party"] for i in deu if "leaf" in i] == ["DEU"]
    mine = json.loads([i for i in fra if "leaf" in i][0]["leaf"])
    assert mine["event"] == "communication.sent" and mine["object"] == r.json()["id"]
    # The content is not in the leaf: only a salted commitment to it.
    assert "content the log commits to" not in json.dumps(fra + deu)
    # Pseudonyms differ per party state for the same account.
    theirs = json.loads([i for i in deu if "leaf" in i][0]["leaf"])
    assert mine["actor"] != theirs["actor"] and mine["event_id"] == theirs["event_id"]
    for i in range(second):
        r = server.get("/api/v1/log/proof/inclusion", who="KEN/admin",
                       params={"index": i, "size": second})
        assert r.status_code == 200, r.text
        proof = [base64.b64decode(h) for h in r.json()["hashes"]]
        h = base64.b64decode(leaves(server, "KEN/admin", i, i + 1)[0]["hash"])
        assert verify_inclusion(i, second, h, proof, root2), i
        if i > 3:
            break
    r = server.get("/api/v1/log/proof/consistency", who="KEN/admin",
                   params={"first": first, "second": second})
    assert r.status_code == 200, r.text
    proof = [base64.b64decode(h) for h in r.json()["hashes"]]
    assert verify_consistency(first, second, root1, root2, proof)
    assert not verify_consistency(first, second, root2, root2, proof)


def test_proofs_hold_across_a_restart(server):
    size, root = checkpoint(server)
    server.restart()
    assert checkpoint(server) == (size, root)
    r = server.get("/api/v1/log/proof/inclusion", who="FRA/admin",
                   params={"index": size - 1, "size": size})
    proof = [base64.b64decode(h) for h in r.json()["hashes"]]
    h = base64.b64decode(leaves(server, "FRA/admin", size - 1, size)[0]["hash"])
    assert verify_inclusion(size - 1, size, h, proof, root)


def test_bad_log_queries(server):
    size, _ = checkpoint(server)
    for params, field in (({"index": size, "size": size}, "index"),
                          ({"index": 0, "size": size + 1}, "size"),
                          ({"index": "x", "size": 1}, "index"),
                          ({"size": 1}, "index")):
        assert_problem(server.get("/api/v1/log/proof/inclusion", who="FRA/admin",
                                  params=params), 400, field)
    assert_problem(server.get("/api/v1/log/proof/consistency", who="FRA/admin",
                              params={"first": 0, "second": size}), 400, "first")
    assert_problem(server.get("/api/v1/log/leaves", who="FRA/admin",
                              params={"start": 0, "end": size + 1}), 400, "end")
    assert_problem(server.get("/api/v1/log/leaves", params={"start": 0, "end": 1}), 401)


def log_verify(server):
    import subprocess
    from conftest import POCD
    return subprocess.run([POCD, "log", "verify", "--db", str(server.db)],
                          capture_output=True, text=True)


def test_log_verify_holds_then_catches_each_tampering(server):
    import shutil
    import sqlite3
    body = {"type": "notification", "urgency": "routine", "tlp": "GREEN",
            "to": [{"state": "DEU", "kinds": ["technical"]}],
            "subject": {"text": "verify", "lang": "en"},
            "description": {"text": "x", "lang": "en"}}
    assert server.post("/api/v1/communications", who="FRA/officer", json=body).status_code == 201
    assert server.stop() == 0
    r = log_verify(server)
    assert r.returncode == 0, r.stdout + r.stderr
    clean = str(server.db) + ".clean"
    shutil.copy(server.db, clean)

    def tampered(sql, *args):
        shutil.copy(clean, server.db)
        db = sqlite3.connect(str(server.db))
        db.execute(sql, args)
        db.commit()
        db.close()
        return log_verify(server)

    db = sqlite3.connect(clean)
    cps = [n for (n,) in db.execute("SELECT size FROM log_checkpoints ORDER BY size")]
    db.close()
    assert cps, "the demo left no stored checkpoint"
    event_of = "(SELECT event_id FROM log_leaves WHERE idx = %d)"
    cases = [
        # An event's columns, from which its leaves are rebuilt.
        ("UPDATE events SET type = 'poc.removed' WHERE id = " + event_of % 5, "leaf 5:"),
        ("UPDATE events SET actor_state = 'DEU' WHERE id = " + event_of % 6, "leaf 6:"),
        ("UPDATE events SET at = at + 1 WHERE id = " + event_of % 12, "leaf 12:"),
        ("DELETE FROM events WHERE id = " + event_of % 9, "leaf 9:"),
        # Reordered: the event no longer places its leaf where it is.
        ("UPDATE events SET log_index = log_index + 1 WHERE id = " + event_of % 14,
         "leaf 14:"),
        # A leaf's own row.
        ("UPDATE log_leaves SET salt = '00000000000000000000000000000000' WHERE idx = 7",
         "leaf 7:"),
        ("DELETE FROM log_leaves WHERE idx = 20", "leaf 20:"),
        # A stored checkpoint.
        ("UPDATE log_checkpoints SET note = replace(note, '\n\n', '\n\n ') WHERE size = %d"
         % cps[0], "checkpoint of size %d:" % cps[0]),
    ]
    for sql, where in cases:
        r = tampered(sql)
        assert r.returncode != 0 and where in r.stdout, (sql, r.stdout)
    # Two leaves swapped, each with its hash: each still matches its hash, but not its place,
    # and the tree above them and every checkpoint from there on change.
    shutil.copy(clean, server.db)
    db = sqlite3.connect(str(server.db))
    a, b = db.execute("SELECT event_id, party, salt, commitment, hash FROM log_leaves"
                      " WHERE idx IN (30, 31) ORDER BY idx").fetchall()
    db.execute("UPDATE log_leaves SET event_id = ?, party = ?, salt = ?, commitment = ?,"
               " hash = ? WHERE idx = 30", b)
    db.execute("UPDATE log_leaves SET event_id = ?, party = ?, salt = ?, commitment = ?,"
               " hash = ? WHERE idx = 31", a)
    db.commit()
    db.close()
    r = log_verify(server)
    assert r.returncode != 0 and "leaf 30:" in r.stdout and "leaf 31:" in r.stdout, r.stdout
    later = [n for n in cps if n > 31]
    assert later and ("checkpoint of size %d:" % later[0]) in r.stdout, r.stdout
    shutil.copy(clean, server.db)
    assert log_verify(server).returncode == 0
