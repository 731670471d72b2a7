"""`poc verify`, `poc receipt` and `poc witness` against a real pocd: receipts checked offline
with no server, tampering and replays refused, and a witness cosigning over several
checkpoints and catching a log that rewrote its history."""
import json
import os
import shutil
import sqlite3
import subprocess

import requests

POC = os.environ.get("POC_BIN", os.path.join(os.path.dirname(__file__), "../../build/poc"))

COMM = {"type": "notification", "urgency": "routine", "tlp": "GREEN",
        "to": [{"state": "DEU", "kinds": ["technical"]}],
        "subject": {"text": "receipt test", "lang": "en"},
        "description": {"text": "what the receipt commits to", "lang": "en"}}


def poc(tmp_path, *args, server=None, who=None):
    """Runs poc with its own config directory (and, for who, a login saved there)."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("POC_SERVER", None)
    if server is not None and who is not None:
        d = tmp_path / "config" / "pocd"
        d.mkdir(parents=True, exist_ok=True)
        (d / "token.json").write_text(json.dumps({"server": server.url,
                                                 "token": server.token(who)}))
        os.chmod(d / "token.json", 0o600)
    return subprocess.run([POC, *args], capture_output=True, text=True, env=env, timeout=60)


def log_key(server):
    return requests.get(server.url + "/api/v1/log/key").text.strip()


def sent(server, tmp_path, name="receipt.json"):
    r = server.post("/api/v1/communications", who="FRA/officer", json=COMM)
    assert r.status_code == 201, r.text
    path = tmp_path / name
    path.write_text(r.text)
    return r.json(), path


def test_a_write_answer_verifies_offline(server, tmp_path):
    doc, path = sent(server, tmp_path)
    key = log_key(server)
    assert server.stop() == 0  # offline: no server at all
    r = poc(tmp_path, "verify", str(path), "--key", key)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "receipt holds: communication.sent of " + doc["id"] in r.stdout
    assert "for FRA" in r.stdout
    # The key may also be given as a file.
    (tmp_path / "log.key").write_text(key + "\n")
    assert poc(tmp_path, "verify", str(path), "--key", str(tmp_path / "log.key")).returncode == 0


def test_each_tampering_is_refused(server, tmp_path):
    doc, path = sent(server, tmp_path)
    key = log_key(server)
    rc = doc["receipt"]

    def check(receipt, want):
        p = tmp_path / "bad.json"
        p.write_text(json.dumps(receipt))
        r = poc(tmp_path, "verify", str(p), "--key", key)
        assert r.returncode == 1, r.stdout
        assert "does NOT hold" in r.stdout and want in r.stdout, r.stdout

    leaf = json.loads(rc["leaf"])
    leaf["time"] += 3600
    check(dict(rc, leaf=json.dumps(leaf, sort_keys=True, separators=(",", ":"))),
          "inclusion proof")
    check(dict(rc, index=rc["index"] + 1), "inclusion proof")
    check(dict(rc, proof=rc["proof"][:-1]), "inclusion proof")
    body, sig = rc["checkpoint"].split("\n\n", 1)
    origin, size, root = body.split("\n")
    check(dict(rc, checkpoint="%s\n%d\n%s\n\n%s" % (origin, int(size) + 1, root, sig)),
          "signature")
    check({"leaf": rc["leaf"]}, "not a receipt")


def test_a_receipt_of_another_log_is_refused(server, demo_template, tmp_path):
    doc, path = sent(server, tmp_path)
    # Another deployment: the same demo, its own key.
    other = tmp_path / "other.db"
    subprocess.run([os.environ.get("POCD_BIN", "../../build/pocd"), "init", "--db",
                    str(other), "--demo", "--test"], check=True, capture_output=True)
    from conftest import Server
    with open(str(other) + ".credentials.json") as f:
        o = Server(other, json.load(f))
    o.start()
    try:
        other_key = requests.get(o.url + "/api/v1/log/key").text.strip()
    finally:
        assert o.stop() == 0
    r = poc(tmp_path, "verify", str(path), "--key", other_key)
    assert r.returncode == 1 and "does NOT hold" in r.stdout, r.stdout


def test_content_commitment(server, tmp_path):
    doc, path = sent(server, tmp_path)
    key = log_key(server)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not what was sent")
    r = poc(tmp_path, "verify", str(path), "--key", key, "--content", str(wrong))
    assert r.returncode == 1 and "content" in r.stdout, r.stdout
    # The content committed to is the communication as stored: check it from the database.
    assert server.stop() == 0
    db = sqlite3.connect(str(server.db))
    (content,) = db.execute("SELECT content FROM communications WHERE id = ?",
                            (doc["id"],)).fetchone()
    db.close()
    right = tmp_path / "right.json"
    right.write_bytes(content.encode())
    r = poc(tmp_path, "verify", str(path), "--key", key, "--content", str(right))
    assert r.returncode == 0 and "content matches" in r.stdout, r.stdout + r.stderr


def test_receipt_fetched_later_verifies(server, tmp_path):
    doc, _ = sent(server, tmp_path)
    eid = doc["receipt"]["event_id"]
    out = tmp_path / "later.json"
    r = poc(tmp_path, "receipt", eid, "--output", str(out), server=server, who="DEU/officer")
    assert r.returncode == 0, r.stderr
    assert json.loads(json.loads(out.read_text())["leaf"])["party"] == "DEU"
    assert poc(tmp_path, "verify", str(out), "--key", log_key(server)).returncode == 0
    r = poc(tmp_path, "receipt", eid, server=server, who="KEN/officer")
    assert r.returncode == 1


def test_usage_errors(tmp_path):
    assert poc(tmp_path, "verify", "x.json").returncode == 2
    assert poc(tmp_path, "verify", "x.json", "--key", "not a key").returncode == 2
    assert poc(tmp_path, "witness").returncode == 2
    assert poc(tmp_path, "witness", "keygen", "--name", "bad name", "--key",
               str(tmp_path / "k")).returncode == 2


def test_witness_cosigns_over_several_checkpoints_and_catches_a_fork(server, tmp_path):
    keyfile, state = tmp_path / "witness.key", tmp_path / "witness.state"
    r = poc(tmp_path, "witness", "keygen", "--name", "witness.deu.example/w1", "--key",
            str(keyfile))
    assert r.returncode == 0, r.stderr
    assert os.stat(keyfile).st_mode & 0o077 == 0
    vkey = r.stdout.strip()
    reg = server.post("/api/v1/log/witnesses", who="DEU/admin", json={"key": vkey})
    assert reg.status_code == 201, reg.text
    key = log_key(server)
    args = ["witness", "--key", str(keyfile), "--log-key", key, "--state-file", str(state)]
    sizes = []
    for _ in range(3):
        sent(server, tmp_path)
        r = poc(tmp_path, *args, server=server, who="DEU/officer")
        assert r.returncode == 0, r.stdout + r.stderr
        sizes.append(int(state.read_text().split()[0]))
        note = requests.get(server.url + "/api/v1/log/checkpoint").text
        assert "\u2014 witness.deu.example/w1 " in note
    assert sizes[0] < sizes[1] < sizes[2]
    # A receipt under the cosigned checkpoint verifies with the witness required.
    doc, path = sent(server, tmp_path)
    assert poc(tmp_path, *args, server=server, who="DEU/officer").returncode == 0
    later = tmp_path / "later.json"
    assert poc(tmp_path, "receipt", doc["receipt"]["event_id"], "--output", str(later),
               server=server, who="FRA/officer").returncode == 0
    r = poc(tmp_path, "verify", str(later), "--key", key, "--witness", vkey)
    assert r.returncode == 0 and "cosigned by 1 of 1" in r.stdout, r.stdout
    # The answer at write time came before any cosignature: with the witness required, it
    # does not hold; without it, it does.
    r = poc(tmp_path, "verify", str(path), "--key", key, "--witness", vkey)
    assert r.returncode == 1, r.stdout
    assert poc(tmp_path, "verify", str(path), "--key", key, "--witness", vkey, "--min",
               "0").returncode == 0
    # Another state's account cannot post this witness's cosignatures.
    shutil.copy(state, str(state) + ".keep")
    sent(server, tmp_path)
    r = poc(tmp_path, *args, server=server, who="FRA/officer")
    assert r.returncode == 1
    # A host that rewrote history: the witness remembers another root for its last size.
    size, root = state.read_text().split()
    state.write_text("%s %s\n" % (size, "A" * 43 + "="))
    r = poc(tmp_path, *args, server=server, who="DEU/officer")
    assert r.returncode == 1 and "INCONSISTENT" in r.stderr, r.stdout + r.stderr


def test_a_rotated_key_signs_beside_the_old_one_then_alone(server, tmp_path):
    from conftest import POCD
    doc, old_receipt = sent(server, tmp_path)
    old_key = log_key(server)
    assert server.stop() == 0
    r = subprocess.run([POCD, "log", "rotate-key", "--db", str(server.db)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert os.stat(str(server.db) + ".logkey").st_mode & 0o077 == 0
    # A second rotation waits for the first's transition to end.
    again = subprocess.run([POCD, "log", "rotate-key", "--db", str(server.db)],
                           capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "transition" in again.stderr
    server.start()
    keys = requests.get(server.url + "/api/v1/log/key").text.strip().split("\n")
    assert len(keys) == 2 and keys[1] == old_key and keys[0] != old_key
    new_key = keys[0]
    _, new_receipt = sent(server, tmp_path, "new.json")
    note = json.loads(new_receipt.read_text())["receipt"]["checkpoint"]
    assert note.count("\u2014 ") == 2
    # Either key alone verifies the new receipt; the old receipt verifies with the old key, and
    # with both keys given.
    for key in (old_key, new_key):
        assert poc(tmp_path, "verify", str(new_receipt), "--key", key).returncode == 0
    assert poc(tmp_path, "verify", str(old_receipt), "--key", old_key).returncode == 0
    r = poc(tmp_path, "verify", str(old_receipt), "--key", new_key)
    assert r.returncode == 1 and "signature" in r.stdout
    assert poc(tmp_path, "verify", str(old_receipt), "--key", new_key, "--key",
               old_key).returncode == 0
    # After the transition, only the new key signs, and the whole log still verifies.
    assert server.stop() == 0
    db = sqlite3.connect(str(server.db))
    db.execute("UPDATE meta SET value = '1' WHERE key = 'log_previous_until'")
    db.commit()
    db.close()
    server.start()
    assert requests.get(server.url + "/api/v1/log/key").text.strip() == new_key
    _, last = sent(server, tmp_path, "last.json")
    assert json.loads(last.read_text())["receipt"]["checkpoint"].count("\u2014 ") == 1
    assert server.stop() == 0
    r = subprocess.run([POCD, "log", "verify", "--db", str(server.db)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout
    server.start()
