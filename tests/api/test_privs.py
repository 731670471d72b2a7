"""Files and privileges: init makes private files whatever the umask, serve refuses files
that others may read, and --user gives up root for an account that owns the files.

The --user tests need root (as `make test` runs in CI); they are skipped otherwise.
"""
import json
import os
import pwd
import shutil
import stat
import subprocess
import tempfile

import pytest

from conftest import POCD, Server, free_port
from mail_helpers import relay  # noqa: F401 (fixture)
from pocd_helpers import create_poc, sanitizer_lines, state_pocs

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="--user needs pocd started as root")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def serve_fails(db, *args):
    """pocd serve must exit non-zero at once; returns what it said."""
    r = subprocess.run([POCD, "serve", "--db", str(db), "--listen",
                        "127.0.0.1:%d" % free_port(), *args],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0, r.stderr
    return r.stderr


def copy_demo(demo_template, d):
    db = d / "pocd.db"
    shutil.copy(demo_template, db)
    shutil.copy(str(demo_template) + ".logkey", str(db) + ".logkey")
    with open(str(demo_template) + ".credentials.json") as f:
        return db, json.load(f)


def test_init_makes_private_files_whatever_the_umask(tmp_path):
    db = tmp_path / "new.db"
    old = os.umask(0o022)
    try:
        subprocess.run([POCD, "init", "--db", str(db), "--test"], check=True,
                       capture_output=True, timeout=120)
    finally:
        os.umask(old)
    made = [p for p in tmp_path.iterdir() if p.name.startswith("new.db")]
    assert str(db) + ".logkey" in map(str, made), made
    for p in made:
        assert mode(p) == 0o600, (p, oct(mode(p)))


@pytest.mark.parametrize("suffix,perm", [("", 0o644), ("", 0o660), ("-wal", 0o604),
                                         ("-shm", 0o640), (".logkey", 0o640)])
def test_files_others_may_read_are_refused(demo_template, tmp_path, suffix, perm):
    db, _ = copy_demo(demo_template, tmp_path)
    path = str(db) + suffix
    if not os.path.exists(path):
        open(path, "wb").close()
    os.chmod(path, perm)
    err = serve_fails(db)
    assert "chmod 600 %s" % path in err, err


def test_the_files_once_private_are_served(demo_template, tmp_path):
    db, creds = copy_demo(demo_template, tmp_path)
    os.chmod(db, 0o644)
    assert "chmod 600" in serve_fails(db)
    os.chmod(db, 0o600)
    s = Server(db, creds)
    s.start()
    try:
        assert s.get("/healthz").status_code == 200
    finally:
        assert s.stop() == 0


def test_unknown_user_is_refused(demo_template, tmp_path):
    db, _ = copy_demo(demo_template, tmp_path)
    err = serve_fails(db, "--user", "no-such-user-of-pocd")
    assert "--user no-such-user-of-pocd: there is no such user" in err, err


@needs_root
def test_user_must_own_the_files(demo_template, tmp_path):
    db, _ = copy_demo(demo_template, tmp_path)
    err = serve_fails(db, "--user", "nobody")
    assert "chown nobody" in err, err
    err = serve_fails(db, "--user", "root")
    assert "that is root" in err, err


@pytest.fixture
def nobody_dir():
    """A directory that nobody owns and can reach (pytest's tmp_path is root's alone)."""
    d = tempfile.mkdtemp(prefix="pocd-nobody-", dir="/tmp")
    nobody = pwd.getpwnam("nobody")
    os.chown(d, nobody.pw_uid, nobody.pw_gid)
    yield d, nobody
    shutil.rmtree(d)


def proc_ids(pid):
    """The real, effective, saved and file-system uids and gids of pid, and its groups."""
    with open("/proc/%d/status" % pid) as f:
        st = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
    return (st["Uid"].split(), st["Gid"].split(), st["Groups"].split())


@needs_root
def test_serves_as_the_user_it_drops_to(demo_template, nobody_dir):
    import pathlib

    d, nobody = nobody_dir
    db, creds = copy_demo(demo_template, pathlib.Path(d))
    # Files of another owner are refused even in the user's own directory.
    err = serve_fails(db, "--user", "nobody")
    assert "chown nobody %s" % db in err, err
    for p in (db, str(db) + ".logkey"):
        os.chown(p, nobody.pw_uid, nobody.pw_gid)
    s = Server(db, creds)
    s.start("--user", "nobody")
    try:
        uids, gids, groups = proc_ids(s.proc.pid)
        assert uids == [str(nobody.pw_uid)] * 4, uids
        assert gids == [str(nobody.pw_gid)] * 4, gids
        assert groups == [str(nobody.pw_gid)], groups
        # Reads on every request thread, a write through the writer, a new session.
        for _ in range(8):
            assert s.get("/api/v1/states/FRA/pocs", who="FRA/officer").status_code == 200
        poc = create_poc(s).json()["id"]
        s.restart_with("--user", "nobody")
        assert poc in [p["id"] for p in state_pocs(s)]
        # What SQLite made beside the database is the user's too.
        for p in os.listdir(d):
            if p.startswith("pocd.db") and not p.endswith(".log"):
                assert os.stat(os.path.join(d, p)).st_uid == nobody.pw_uid, p
    finally:
        assert s.stop() == 0
    bad = sanitizer_lines(s)
    assert not bad, bad[:5]


def children(pid):
    """The process ids whose parent is pid."""
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/status" % p) as f:
                st = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
        except OSError:
            continue
        if int(st["PPid"]) == pid:
            out.append(int(p))
    return out


@needs_root
def test_the_mail_sender_runs_as_the_user_too(demo_template, nobody_dir, relay):
    """With --user and --smtp, the mail supervisor and its worker run as the user (issue 9),
    the mail key's keyring is the user's, and mail still goes out. A keyring that root made
    is refused with the chown that fixes it."""
    import pathlib

    from comm_helpers import send, to, wait_for
    from mail_helpers import kill_agent
    from test_mail_delivery import FROM

    d, nobody = nobody_dir
    db, creds = copy_demo(demo_template, pathlib.Path(d))
    for p in (db, str(db) + ".logkey"):
        os.chown(p, nobody.pw_uid, nobody.pw_gid)
    home = str(db) + ".gnupg"
    os.mkdir(home, 0o700)
    err = serve_fails(db, "--user", "nobody", "--smtp", relay.url, "--mail-from", FROM)
    assert "chown -R nobody %s" % home in err, err
    os.rmdir(home)
    s = Server(db, creds)
    s.start("--user", "nobody", "--smtp", relay.url, "--mail-from", FROM)
    try:
        sup = wait_for(lambda: children(s.proc.pid), lambda c: len(c) == 1)[0]
        worker = wait_for(lambda: children(sup), lambda c: len(c) == 1)[0]
        for pid in (s.proc.pid, sup, worker):
            uids, gids, groups = proc_ids(pid)
            assert uids == [str(nobody.pw_uid)] * 4, (pid, uids)
            assert gids == [str(nobody.pw_gid)] * 4, (pid, gids)
            assert groups == [str(nobody.pw_gid)], (pid, groups)
        assert os.stat(home).st_uid == nobody.pw_uid
        assert all(os.stat(os.path.join(home, f)).st_uid == nobody.pw_uid
                   for f in os.listdir(home))
        # The worker, as nobody, reads the outbox, signs with the keyring and delivers.
        send(s, to=to("DEU"))
        wait_for(relay.received, lambda m: len(m) >= 1, 15.0)
    finally:
        assert s.stop() == 0
        kill_agent(home)
    bad = sanitizer_lines(s)
    assert not bad, bad[:5]
