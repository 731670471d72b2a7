"""OpenPGP mail: a state's administrator attaches a PoC's public key (its fingerprint must be
the one the entry names); mail to that PoC is PGP/MIME (RFC 3156), encrypted to it and signed
with the service's key, whose fingerprint GET /api/v1/service publishes; gpg in a home of the
test's own decrypts it and checks the signature. Mail to a PoC without a key stays plain."""
import email
import email.policy
import os
from datetime import datetime, timezone
import re
import subprocess

import pytest

from conftest import assert_problem
from comm_helpers import DAY, advance, send, server_now, stop_clean, to, wait_for
from mail_helpers import kill_agent, mails, pocs_of, relay  # noqa: F401 (fixture)
from ping_helpers import db_rows
from test_mail_delivery import FROM, LINK_RE, start_mail, wait_messages

WRITABLE = ("kind", "rank", "organisation", "role_title", "person_name", "email", "phones",
            "languages", "time_zone", "availability", "pgp_fingerprint", "accounts",
            "review_by")


def gpg(home, *args, stdin=None):
    r = subprocess.run(["gpg", "--homedir", str(home), "--batch", "--quiet",
                        "--pinentry-mode", "loopback", "--passphrase", "", *args],
                       input=stdin, capture_output=True, timeout=60)
    return r


class Keyring:
    """A PoC's own keyring: an Ed25519 key with a Curve25519 encryption subkey."""

    def __init__(self, home, uid, expire="never"):
        self.home = home
        os.makedirs(home, mode=0o700, exist_ok=True)
        r = gpg(home, "--quick-gen-key", uid, "future-default", "default", expire)
        assert r.returncode == 0, r.stderr
        out = gpg(home, "--with-colons", "--list-keys", uid).stdout.decode()
        self.fpr = re.search(r"^fpr:+([0-9A-F]{40}):", out, re.M).group(1)
        self.public = gpg(home, "--armor", "--export", self.fpr).stdout.decode()


@pytest.fixture
def keyring(tmp_path):
    k = Keyring(tmp_path / "k", "Duty <duty@cert-deu.example>")
    yield k
    kill_agent(k.home)


@pytest.fixture
def pgp_server(server, relay):
    start_mail(server, relay)
    yield server
    stop_clean(server)
    kill_agent(str(server.db) + ".gnupg")


def set_fingerprint(s, poc_id, fpr, who="DEU/admin"):
    r = s.get("/api/v1/pocs/" + poc_id, who=who)
    assert r.status_code == 200, r.text
    body = {k: v for k, v in r.json().items() if k in WRITABLE}
    body["pgp_fingerprint"] = fpr
    r = s.put("/api/v1/pocs/" + poc_id, who=who, json=body,
              headers={"If-Match": r.headers["ETag"]})
    # A key change waits for a second administrator (test_poc_changes.py).
    assert r.status_code == 202, r.text
    confirm(s, poc_id, r.json()["pending_change"]["id"])


def confirm(s, poc_id, change_id, who="DEU/admin2"):
    r = s.post("/api/v1/pocs/%s/changes/%s/confirm" % (poc_id, change_id), who=who)
    assert r.status_code == 200, r.text
    return r.json()


def drain(s, relay):
    """Waits until every outbox row went out (the mails that told DEU of its key changes),
    then forgets what the relay got."""
    wait_for(lambda: mails(s), lambda rs: all(x["sent_at"] or x["failed_at"] for x in rs))
    with relay.lock:
        relay.messages.clear()


def attach(s, poc_id, key, who="DEU/admin"):
    return s.put("/api/v1/pocs/%s/key" % poc_id, who=who, json={"key": key})


def test_service_publishes_its_mail_key(pgp_server):
    s = pgp_server
    r = s.get("/api/v1/service")
    assert r.status_code == 200, r.text
    fpr = r.json()["mail_openpgp_fingerprint"]
    assert re.fullmatch(r"[0-9A-F]{40}", fpr)
    home = str(s.db) + ".gnupg"
    assert os.stat(home).st_mode & 0o077 == 0
    out = gpg(home, "--with-colons", "--list-secret-keys").stdout.decode()
    assert fpr in out
    # The same key after a restart.
    assert s.stop() == 0
    s.start("--smtp", "smtp://127.0.0.1:1", "--mail-from", FROM)
    assert s.get("/api/v1/service").json()["mail_openpgp_fingerprint"] == fpr


def test_attaching_a_key_checks_it_and_the_caller(pgp_server, keyring):
    s = pgp_server
    (poc,) = pocs_of(s, "DEU", "technical", "primary")
    # The entry names no fingerprint yet: the key changes the entry's key, which waits for a
    # second administrator, then sets the fingerprint and attaches the key.
    r = attach(s, poc["id"], keyring.public)
    assert r.status_code == 202, r.text
    ch = r.json()["pending_change"]
    assert ch["fields"] == {"pgp_fingerprint": keyring.fpr} and ch["with_key"] is True, ch
    assert r.headers["Location"] == "/api/v1/pocs/%s/changes/%s" % (poc["id"], ch["id"])
    assert "pgp_fingerprint" not in s.get("/api/v1/pocs/" + poc["id"], who="DEU/admin").json()
    done = confirm(s, poc["id"], ch["id"])
    assert done["pgp_fingerprint"] == keyring.fpr and "key" in done["changed"], done
    assert db_rows(s, "SELECT fingerprint FROM poc_keys WHERE poc_id = ?",
                   poc["id"]) == [(keyring.fpr,)]
    # A key of another fingerprint than the entry's waits too; cancelled here.
    set_fingerprint(s, poc["id"], "0123456789ABCDEF0123456789ABCDEF01234567")
    r = attach(s, poc["id"], keyring.public)
    assert r.status_code == 202, r.text
    r = s.delete("/api/v1/pocs/%s/changes/%s" % (poc["id"], r.json()["pending_change"]["id"]),
                 who="DEU/admin")
    assert r.status_code == 200, r.text
    set_fingerprint(s, poc["id"], keyring.fpr)
    assert_problem(attach(s, poc["id"], keyring.public, who="FRA/admin"), 403)
    assert_problem(attach(s, poc["id"], keyring.public, who="DEU/officer"), 403)
    assert_problem(attach(s, "a" * 26, keyring.public), 404)
    for bad in ("", "not a key", keyring.public.replace("PUBLIC KEY", "PRIVATE KEY"),
                keyring.public[:200] + keyring.public[260:], "x" * 70000):
        assert_problem(attach(s, poc["id"], bad), 400, "key")
    secret = gpg(keyring.home, "--armor", "--export-secret-keys", keyring.fpr).stdout.decode()
    assert_problem(attach(s, poc["id"], secret), 400, "key")
    assert_problem(s.put("/api/v1/pocs/%s/key" % poc["id"], who="DEU/admin",
                         json={"key": keyring.public, "x": 1}), 400, "x")
    r = attach(s, poc["id"], keyring.public)
    assert r.status_code == 200, r.text
    assert r.json() == {"poc": poc["id"], "fingerprint": keyring.fpr, "expires_at": None}


def test_mail_to_a_poc_with_a_key_is_encrypted_and_signed(pgp_server, relay, keyring):
    s = pgp_server
    (poc,) = pocs_of(s, "DEU", "technical", "primary")
    set_fingerprint(s, poc["id"], keyring.fpr)
    assert attach(s, poc["id"], keyring.public).status_code == 200
    drain(s, relay)
    c = send(s, to=to("DEU", "RUS"))
    got = {m["to"][0]: m for m in wait_messages(relay, 2)}
    enc, plain = got[poc["email"]], got[pocs_of(s, "RUS", "technical", "primary")[0]["email"]]
    msg = enc["msg"]
    assert msg.get_content_type() == "multipart/encrypted"
    assert msg.get_param("protocol") == "application/pgp-encrypted"
    version, body = msg.get_payload()
    assert version.get_content_type() == "application/pgp-encrypted"
    assert "Version: 1" in version.get_payload()
    assert body.get_content_type() == "application/octet-stream"
    armored = body.get_payload()
    assert armored.startswith("-----BEGIN PGP MESSAGE-----")
    # Nothing of the mail's text travels in clear: not the link, not the reference.
    assert b"/ack#" not in enc["raw"] and c["id"].encode() not in enc["raw"]
    # The PoC decrypts it and checks the signature against the published key.
    service = s.get("/api/v1/service").json()["mail_openpgp_fingerprint"]
    pub = gpg(str(s.db) + ".gnupg", "--armor", "--export", service).stdout
    assert gpg(keyring.home, "--import", stdin=pub).returncode == 0
    r = gpg(keyring.home, "--status-fd", "2", "--decrypt", stdin=armored.encode())
    assert r.returncode == 0, r.stderr
    assert re.search(r"VALIDSIG [0-9A-F]+ .* %s" % service, r.stderr.decode()), r.stderr
    inner = email.message_from_bytes(r.stdout, policy=email.policy.default)
    assert inner.get_content_type() == "text/plain"
    assert inner["Content-Language"] == "en"
    text = inner.get_content()
    assert c["id"] in text and LINK_RE.search(text), text
    # Only the PoC can read it: the communication's content travels inside, worded in its
    # language where coded.
    assert "Wiper on a grid operator" in text and "two substations" in text, text
    assert "TLP:AMBER" in text and "FRA" in text, text
    # The PoC without a key gets the plain notice, without the content.
    assert plain["msg"].get_content_type() == "text/plain"
    assert "Wiper" not in plain["msg"].get_content()
    wait_for(lambda: mails(s, "comm_new"), lambda rs: all(x["sent_at"] for x in rs))


def test_a_key_the_entry_no_longer_names_is_not_used(pgp_server, relay, keyring):
    s = pgp_server
    (poc,) = pocs_of(s, "DEU", "technical", "primary")
    set_fingerprint(s, poc["id"], keyring.fpr)
    assert attach(s, poc["id"], keyring.public).status_code == 200
    set_fingerprint(s, poc["id"], "0123456789ABCDEF0123456789ABCDEF01234567")
    drain(s, relay)
    send(s, to=to("DEU"))
    (m,) = wait_messages(relay, 1)
    assert m["msg"].get_content_type() == "text/plain"


def test_a_key_about_to_expire_warns_the_administrators_once(pgp_server, tmp_path):
    s = pgp_server
    k = Keyring(tmp_path / "e", "Soon <duty@cert-deu.example>", expire="20d")
    try:
        (poc,) = pocs_of(s, "DEU", "technical", "primary")
        set_fingerprint(s, poc["id"], k.fpr)
        r = attach(s, poc["id"], k.public)
        assert r.status_code == 200, r.text
        expires = r.json()["expires_at"]
        left = int(datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=timezone.utc).timestamp()) - server_now(s)
        assert 19 * DAY < left <= 20 * DAY + 60, expires
        rows = wait_for(lambda: mails(s, "key_expiry"), lambda rs: len(rs) >= 1)
        admins = {x["id"] for x in pocs_of(s, "DEU", "diplomatic", "primary")}
        assert {m["poc"] for m in rows} == admins and len(rows) == len(admins)
        assert rows[0]["payload"] == {"poc": poc["id"], "expires": expires[:10]}
        advance(s, DAY)
        assert len(mails(s, "key_expiry")) == len(rows)
        # Once it has expired, the same key is refused.
        advance(s, 20 * DAY)
        doc = assert_problem(attach(s, poc["id"], k.public), 400, "key")
        assert "expired" in str(doc)
    finally:
        kill_agent(k.home)


def _signers(home, armored):
    """The fingerprints whose signatures on armored verify in home (after decrypting)."""
    r = gpg(home, "--status-fd", "2", "--decrypt", stdin=armored.encode())
    assert r.returncode == 0, r.stderr
    return set(re.findall(r"VALIDSIG [0-9A-F]+ .* ([0-9A-F]{40})$", r.stderr.decode(), re.M))


def test_the_mail_key_rotates_with_a_transition(pgp_server, relay, keyring):
    from conftest import POCD
    s = pgp_server
    home = str(s.db) + ".gnupg"
    (poc,) = pocs_of(s, "DEU", "technical", "primary")
    set_fingerprint(s, poc["id"], keyring.fpr)
    assert attach(s, poc["id"], keyring.public).status_code == 200
    old = s.get("/api/v1/service").json()
    assert [k["status"] for k in old["mail_openpgp_keys"]] == ["current"]
    old_fpr = old["mail_openpgp_fingerprint"]
    assert s.stop() == 0
    r = subprocess.run([POCD, "mail", "rotate-key", "--db", str(s.db), "--transition-days",
                        "3"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    # A second rotation during the transition is refused.
    r2 = subprocess.run([POCD, "mail", "rotate-key", "--db", str(s.db)],
                        capture_output=True, text=True, timeout=120)
    assert r2.returncode != 0 and "until" in r2.stderr, r2.stderr
    start_mail(s, relay)
    doc = s.get("/api/v1/service").json()
    new_fpr = doc["mail_openpgp_fingerprint"]
    assert new_fpr != old_fpr and new_fpr in r.stdout
    cur, prev = doc["mail_openpgp_keys"]
    assert cur == {"fingerprint": new_fpr, "status": "current"}
    assert prev["fingerprint"] == old_fpr and prev["status"] == "previous"
    until = datetime.strptime(prev["until"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    left = (until - datetime.now(timezone.utc)).total_seconds()
    assert 3 * 86400 - 600 < left <= 3 * 86400, left
    # Both public keys, as a PoC would fetch them; the mail carries both signatures.
    for f in (old_fpr, new_fpr):
        pub = gpg(home, "--armor", "--export", f).stdout
        assert gpg(keyring.home, "--import", stdin=pub).returncode == 0
    armored = _last_encrypted(s, relay, poc)
    assert _signers(keyring.home, armored) == {old_fpr, new_fpr}
    # With the transition over (rotated again with 0 days), only the newest key signs.
    assert s.stop() == 0
    with open(os.path.join(home, "pocd-signers")) as f:
        text = f.read()
    with open(os.path.join(home, "pocd-signers"), "w") as f:
        f.write(text.rsplit(" ", 1)[0] + " 1\n")
    r = subprocess.run([POCD, "mail", "rotate-key", "--db", str(s.db), "--transition-days",
                        "0"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    start_mail(s, relay)
    doc = s.get("/api/v1/service").json()
    newest = doc["mail_openpgp_fingerprint"]
    assert newest not in (old_fpr, new_fpr)
    assert doc["mail_openpgp_keys"][1]["fingerprint"] == new_fpr
    pub = gpg(home, "--armor", "--export", newest).stdout
    assert gpg(keyring.home, "--import", stdin=pub).returncode == 0
    armored = _last_encrypted(s, relay, poc)
    assert _signers(keyring.home, armored) == {newest}


def _last_encrypted(s, relay, poc):
    """Sends to DEU and returns the armored body of the newest mail to poc."""
    before = len(relay.received())
    send(s, to=to("DEU"))
    mine = wait_for(lambda: [m for m in relay.received()[before:] if m["to"][0] == poc["email"]],
                    lambda ms: len(ms) >= 1)
    return mine[-1]["msg"].get_payload()[1].get_payload()


def test_rotate_key_needs_a_mail_key(server):
    from conftest import POCD
    r = subprocess.run([POCD, "mail", "rotate-key", "--db", str(server.db)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "holds no mail key yet" in r.stderr, r.stderr
    assert not os.path.exists(str(server.db) + ".gnupg")
    assert server.get("/api/v1/service").json()["mail_openpgp_keys"] == []
