"""pocd backup and restore, and schema upgrades: a backup taken under write load restores
into a database whose log verifies and that holds every write answered before the backup
began; a damaged archive restores nothing; a database made by the previous schema version is
upgraded on start, after an automatic backup, and its log still verifies."""
import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import POCD, Server

DATA = os.path.join(os.path.dirname(__file__), "..", "data")
COMM = {"type": "notification", "urgency": "routine", "tlp": "GREEN",
        "to": [{"state": "DEU", "kinds": ["technical"]}],
        "subject": {"text": "backup under load", "lang": "en"},
        "description": {"text": "written while the backup runs", "lang": "en"}}


def pocd(*args):
    return subprocess.run([POCD, *args], capture_output=True, text=True, timeout=120)


def comm_ids(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return {i for (i,) in con.execute("SELECT id FROM communications")}
    finally:
        con.close()


def test_backup_under_load_restores_every_answered_write(server, tmp_path):
    answered, stop = [], threading.Event()
    tokens = {w: server.token(w) for w in ("FRA/officer", "KEN/officer")}

    def writer(who):
        import requests
        while not stop.is_set():
            r = requests.post(server.url + "/api/v1/communications", json=COMM,
                              headers={"Authorization": "Bearer " + tokens[who]}, timeout=30)
            assert r.status_code == 201, r.text
            answered.append((time.monotonic(), r.json()["id"]))

    threads = [threading.Thread(target=writer, args=(w,)) for w in tokens]
    for t in threads:
        t.start()
    while len(answered) < 20:
        time.sleep(0.01)
    began = time.monotonic()
    archive = tmp_path / "pocd.backup"
    r = pocd("backup", "--db", str(server.db), "--to", str(archive))
    stop.set()
    for t in threads:
        t.join()
    assert r.returncode == 0, r.stderr
    assert os.stat(archive).st_mode & 0o077 == 0
    before = {i for at, i in answered if at < began}
    assert before and len(answered) > len(before), "no write ran beside the backup"

    restored = tmp_path / "restored" / "pocd.db"
    restored.parent.mkdir()
    r = pocd("restore", "--from", str(archive), "--db", str(restored))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "every leaf, node and checkpoint holds" in r.stdout
    assert before <= comm_ids(restored)
    assert os.stat(restored).st_mode & 0o077 == 0
    assert os.stat(str(restored) + ".logkey").st_mode & 0o077 == 0
    # The restored database serves, with the same log key.
    s = Server(restored, server.creds)
    s.start()
    try:
        for i in sorted(before)[:5]:
            assert s.get("/api/v1/communications/" + i, who="DEU/officer").status_code == 200
        assert s.get("/api/v1/log/key").text == server.get("/api/v1/log/key").text
    finally:
        assert s.stop() == 0


def test_restore_refuses_damage_and_existing_files(server, tmp_path):
    archive = tmp_path / "pocd.backup"
    assert pocd("backup", "--db", str(server.db), "--to", str(archive)).returncode == 0
    # Never over an existing file, for the backup or the restore.
    r = pocd("backup", "--db", str(server.db), "--to", str(archive))
    assert r.returncode != 0 and "exists" in r.stderr
    r = pocd("restore", "--from", str(archive), "--db", str(server.db))
    assert r.returncode != 0 and "fresh path" in r.stderr
    # A truncated archive, and one whose database member was changed after the manifest.
    data = archive.read_bytes()
    cut = tmp_path / "cut.backup"
    cut.write_bytes(data[: len(data) // 2])
    target = tmp_path / "t" / "pocd.db"
    target.parent.mkdir()
    r = pocd("restore", "--from", str(cut), "--db", str(target))
    assert r.returncode != 0
    assert os.listdir(target.parent) == []
    raw = gzip.decompress(data)
    at = raw.index(b"SQLite format 3")
    forged = tmp_path / "forged.backup"
    forged.write_bytes(gzip.compress(raw[: at + 100] + b"\x01" + raw[at + 101:]))
    r = pocd("restore", "--from", str(forged), "--db", str(target))
    assert r.returncode != 0 and "damaged" in r.stderr, r.stderr
    assert os.listdir(target.parent) == []


def test_a_database_of_the_previous_schema_is_upgraded_after_a_backup(tmp_path):
    db = tmp_path / "old.db"
    with gzip.open(os.path.join(DATA, "schema5.db.gz")) as f:
        db.write_bytes(f.read())
    shutil.copy(os.path.join(DATA, "schema5.db.logkey"), str(db) + ".logkey")
    os.chmod(db, 0o600)
    os.chmod(str(db) + ".logkey", 0o600)
    con = sqlite3.connect(str(db))
    old_version = con.execute("PRAGMA user_version").fetchone()[0]
    (n_events,) = con.execute("SELECT count(*) FROM events").fetchone()
    con.close()
    assert old_version == 5
    with open(os.path.join(DATA, "schema5.db.credentials.json")) as f:
        s = Server(db, json.load(f))
    s.start()
    try:
        # What the old version wrote is there, and new writes are logged with receipts.
        r = s.get("/api/v1/communications", who="DEU/officer", params={"box": "inbox"})
        assert r.status_code == 200, r.text
        r = s.post("/api/v1/communications", who="FRA/officer", json=COMM)
        assert r.status_code == 201 and "receipt" in r.json(), r.text
    finally:
        assert s.stop() == 0
    bak = str(db) + ".schema-v5.bak"
    assert os.path.exists(bak) and os.stat(bak).st_mode & 0o077 == 0
    con = sqlite3.connect(bak)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 5
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == n_events
    con.close()
    con = sqlite3.connect(str(db))
    assert con.execute("PRAGMA user_version").fetchone()[0] > 5
    con.close()
    r = pocd("log", "verify", "--db", str(db))
    assert r.returncode == 0, r.stdout + r.stderr


def _tree(root):
    """{relative path: (kind, mode, bytes or None)} of everything under root."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if os.path.isdir(p):
                out[rel] = ("dir", st.st_mode & 0o777, None)
            elif os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as f:
                    out[rel] = ("file", st.st_mode & 0o777, f.read())
    return out


def test_backup_carries_the_openpgp_home_and_the_attachments(server, tmp_path):
    mail = ("--smtp", "smtp://127.0.0.1:1", "--mail-from", "pocd@example.org")
    server.restart_with(*mail)
    gnupg = str(server.db) + ".gnupg"
    assert os.path.isdir(gnupg), "pocd serve with mail makes the service's OpenPGP home"
    fpr = server.get("/api/v1/service").json()["mail_openpgp_fingerprint"]
    # An attachment store of whatever layout: fan-out directories, an empty one, big files.
    att = str(server.db) + ".attachments"
    blobs = {"ab/cd/abcd" + "0" * 60: os.urandom(300000), "ef/01/ef01" + "1" * 60: b"x",
             "flat" + "2" * 60: b""}
    for rel, data in blobs.items():
        os.makedirs(os.path.dirname(os.path.join(att, rel)) or att, mode=0o700, exist_ok=True)
        with open(os.path.join(att, rel), "wb") as f:
            f.write(data)
    os.makedirs(os.path.join(att, "00", "empty"), mode=0o700)
    with open(str(server.db) + ".logkey.previous", "wb") as f:
        f.write(open(str(server.db) + ".logkey", "rb").read())
    os.chmod(str(server.db) + ".logkey.previous", 0o600)
    archive = tmp_path / "pocd.backup"
    r = pocd("backup", "--db", str(server.db), "--to", str(archive))
    assert r.returncode == 0, r.stderr
    restored = tmp_path / "r" / "pocd.db"
    restored.parent.mkdir(mode=0o700)
    r = pocd("restore", "--from", str(archive), "--db", str(restored))
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(os.listdir(restored.parent)) == sorted(
        ["pocd.db", "pocd.db.logkey", "pocd.db.logkey.previous", "pocd.db.gnupg",
         "pocd.db.attachments"])
    # the attachment store comes back byte for byte, with private modes
    got = _tree(str(restored) + ".attachments")
    for rel, data in blobs.items():
        assert got[rel] == ("file", 0o600, data), rel
    assert got[os.path.join("00", "empty")][:2] == ("dir", 0o700)
    assert all(m == (0o700 if k == "dir" else 0o600) for k, m, _ in got.values()), got
    assert os.stat(str(restored) + ".attachments").st_mode & 0o777 == 0o700
    # the OpenPGP home too: the regular files are the same, the modes private
    want = {k: v for k, v in _tree(gnupg).items() if v[0] == "file"}
    have = _tree(str(restored) + ".gnupg")
    for rel, (_, _, data) in want.items():
        assert have[rel][2] == data, rel
    assert all(m == (0o700 if k == "dir" else 0o600) for k, m, _ in have.values()), have
    # and the restored service signs with the same key
    s = Server(restored, server.creds)
    s.start(*mail)
    try:
        assert s.get("/api/v1/service").json()["mail_openpgp_fingerprint"] == fpr
    finally:
        assert s.stop() == 0
        for home in (gnupg, str(restored) + ".gnupg"):
            subprocess.run(["gpgconf", "--homedir", home, "--kill", "gpg-agent"],
                           capture_output=True, timeout=30)


def _archive(tmp_path, members):
    """A gzip'd tar of (name, data or None for a directory) under pocd-backup/."""
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as t:
        for name, data in members:
            info = tarfile.TarInfo("pocd-backup/" + name)
            if data is None:
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    p = tmp_path / ("a%d.backup" % len(list(tmp_path.iterdir())))
    p.write_bytes(buf.getvalue())
    return p


def test_restore_refuses_paths_outside_its_trees(server, tmp_path):
    import hashlib
    db = b"SQLite format 3\0" + b"\0" * 100
    key = b"k"
    target = tmp_path / "t" / "pocd.db"
    target.parent.mkdir()
    for bad in ("pocd.db.gnupg/../../evil", "pocd.db.attachments/./x", "pocd.db.other/x",
                "pocd.db.gnupg//x", "../pocd.db", "pocd.db.attachments/a b"):
        files = {"pocd.db": db, "pocd.db.logkey": key, bad: b"x"}
        manifest = json.dumps({"format": "pocd-backup/2", "files": {
            n: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for n, d in files.items()}}).encode()
        p = _archive(tmp_path, list(files.items()) + [("MANIFEST.json", manifest)])
        r = pocd("restore", "--from", str(p), "--db", str(target))
        assert r.returncode != 0 and "which a pocd backup does not" in r.stderr, (bad, r.stderr)
        assert os.listdir(target.parent) == [], bad
    assert not os.path.exists(tmp_path / "evil")
    # a damaged file inside a tree is caught before anything lands in place
    files = {"pocd.db": db, "pocd.db.logkey": key, "pocd.db.attachments/ab/x": b"right"}
    manifest = json.dumps({"format": "pocd-backup/2", "files": {
        n: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
        for n, d in files.items()}}).encode()
    files["pocd.db.attachments/ab/x"] = b"wrong"
    p = _archive(tmp_path, list(files.items()) + [("MANIFEST.json", manifest)])
    r = pocd("restore", "--from", str(p), "--db", str(target))
    assert r.returncode != 0 and "damaged" in r.stderr, r.stderr
    assert os.listdir(target.parent) == []
