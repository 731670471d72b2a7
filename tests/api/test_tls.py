"""pocd serve --tls-cert/--tls-key: HTTPS with TLS 1.2 and 1.3 only, AEAD ciphers with forward
secrecy, HSTS on every answer, Secure cookies; and the start-up refusals of bad certificate
and key files.

Each test makes its own self-signed certificate (python3-cryptography) for 127.0.0.1 and
trusts it as the only CA.
"""
import datetime
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from conftest import POCD, Server, free_port
from pocd_helpers import sanitizer_lines


def make_cert(d, name="pocd", rsa_key=False):
    """A self-signed certificate for 127.0.0.1, ECDSA P-256 (or RSA 2048); returns (cert
    path, key path)."""
    key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) if rsa_key
           else ec.generate_private_key(ec.SECP256R1()))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pocd test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                 x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = d / (name + ".crt"), d / (name + ".key")
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    os.chmod(key_path, 0o600)
    return cert_path, key_path


def start_tls(demo_template, tmp_path, rsa_key=False):
    db = tmp_path / "pocd.db"
    shutil.copy(demo_template, db)
    shutil.copy(str(demo_template) + ".logkey", str(db) + ".logkey")
    with open(str(demo_template) + ".credentials.json") as f:
        creds = json.load(f)
    s = Server(db, creds, tls=make_cert(tmp_path, rsa_key=rsa_key))
    s.start()
    return s


def stop_clean(s):
    rc = s.stop()
    assert rc == 0, "pocd exited with %d: see %s.log" % (rc, s.db)
    bad = sanitizer_lines(s)
    assert not bad, bad[:5]


@pytest.fixture
def tls_server(demo_template, tmp_path):
    s = start_tls(demo_template, tmp_path)
    yield s
    stop_clean(s)


@pytest.fixture
def rsa_tls_server(demo_template, tmp_path):
    s = start_tls(demo_template, tmp_path, rsa_key=True)
    yield s
    stop_clean(s)


def handshake(server, **ctx_settings):
    """The TLS version and cipher a client with these settings gets, or ssl.SSLError."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=str(server.tls[0]))
    # Lets the client offer what the server must refuse (Debian's default level 2 would
    # not even try TLS 1.0 or SHA-1 suites).
    ctx.set_ciphers(ctx_settings.pop("ciphers", "DEFAULT") + ":@SECLEVEL=0")
    for k, v in ctx_settings.items():
        setattr(ctx, k, v)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        with ctx.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            return tls.version(), tls.cipher()[0]


def test_https_with_the_certificate_as_ca(tls_server):
    r = tls_server.get("/api/v1/me", who="FRA/admin")
    assert r.status_code == 200, r.text
    assert r.json()["username"] == tls_server.account("FRA/admin")["username"]
    # Anyone else's CA bundle does not vouch for it.
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_server.url + "/healthz", timeout=10, verify=True)


def test_hsts_on_every_answer(tls_server):
    answers = [tls_server.get("/healthz"), tls_server.get("/api/v1/me"),
               tls_server.get("/api/v1/no-such-thing"),
               tls_server.get("/api/v1/states/FRA/pocs", who="FRA/officer"),
               tls_server.post("/api/v1/login", json={"username": "x", "password": "y"})]
    for r in answers:
        assert r.headers.get("Strict-Transport-Security") == "max-age=31536000", (
            r.status_code, r.headers)


def test_session_cookie_is_secure_over_tls(tls_server):
    c = tls_server.account("FRA/admin")
    r = tls_server.post("/api/v1/login", json={"username": c["username"],
                                               "password": c["password"]})
    assert r.status_code == 200, r.text
    cookie = r.headers["Set-Cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie, cookie
    r = tls_server.post("/api/v1/logout", headers={"Authorization": "Bearer " + r.json()["token"]})
    assert r.status_code == 204, r.text
    assert "; Secure" in r.headers["Set-Cookie"], r.headers


def test_plain_http_has_neither_hsts_nor_secure_cookies(server):
    c = server.account("FRA/admin")
    r = server.post("/api/v1/login", json={"username": c["username"], "password": c["password"]})
    assert r.status_code == 200, r.text
    assert "Strict-Transport-Security" not in r.headers
    assert "Secure" not in r.headers["Set-Cookie"]


def test_tls_1_3_and_1_2_with_aead_and_forward_secrecy(tls_server):
    version, _ = handshake(tls_server)
    assert version == "TLSv1.3"
    version, cipher = handshake(tls_server, maximum_version=ssl.TLSVersion.TLSv1_2)
    assert version == "TLSv1.2"
    assert cipher.startswith("ECDHE-") and ("GCM" in cipher or "CHACHA20" in cipher), cipher


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
@pytest.mark.parametrize("maximum", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1])
def test_tls_1_0_and_1_1_are_refused(tls_server, maximum):
    with pytest.raises((ssl.SSLError, ConnectionError)):
        handshake(tls_server, minimum_version=ssl.TLSVersion.TLSv1, maximum_version=maximum)


@pytest.mark.parametrize("ciphers", [
    "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA",  # CBC with SHA-1 MACs
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384",  # CBC
])
def test_tls_1_2_without_aead_is_refused(tls_server, ciphers):
    with pytest.raises((ssl.SSLError, ConnectionError)):
        handshake(tls_server, ciphers=ciphers, maximum_version=ssl.TLSVersion.TLSv1_2)


def test_tls_1_2_key_exchange_is_ecdhe_only(rsa_tls_server):
    version, cipher = handshake(rsa_tls_server, maximum_version=ssl.TLSVersion.TLSv1_2)
    assert (version, cipher) == ("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384")
    for ciphers in ("AES128-GCM-SHA256:AES256-GCM-SHA384",  # RSA key exchange
                    # finite-field DH: forward secret, but slow, and weak groups abound
                    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384"):
        with pytest.raises((ssl.SSLError, ConnectionError)):
            handshake(rsa_tls_server, ciphers=ciphers, maximum_version=ssl.TLSVersion.TLSv1_2)


def test_plain_http_to_the_tls_port_fails(tls_server):
    with pytest.raises(requests.ConnectionError):
        requests.get("http://127.0.0.1:%d/healthz" % tls_server.port, timeout=10)
    # The server goes on serving.
    assert tls_server.get("/healthz").status_code == 200


def refused(db, *args):
    """Runs pocd serve with args; it must exit non-zero at once. Returns its stderr."""
    r = subprocess.run([POCD, "serve", "--db", str(db), "--listen",
                        "127.0.0.1:%d" % free_port(), *args],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0, r.stderr
    return r.stderr


def test_bad_certificate_and_key_files_are_refused(demo_template, tmp_path):
    db = tmp_path / "pocd.db"
    shutil.copy(demo_template, db)
    shutil.copy(str(demo_template) + ".logkey", str(db) + ".logkey")
    cert, key = make_cert(tmp_path)
    _, other_key = make_cert(tmp_path, "other")

    err = refused(db, "--tls-cert", str(cert), "--tls-key", str(other_key))
    assert "do not match" in err, err
    err = refused(db, "--tls-cert", str(cert))
    assert "--tls-cert and --tls-key go together" in err, err
    err = refused(db, "--tls-cert", str(tmp_path / "missing.crt"), "--tls-key", str(key))
    assert "missing.crt: cannot read it" in err, err
    err = refused(db, "--tls-cert", str(key), "--tls-key", str(cert))
    assert "--tls-key %s: others may read" % cert in err, err
    os.chmod(key, 0o644)
    err = refused(db, "--tls-cert", str(cert), "--tls-key", str(key))
    assert "chmod 600 %s" % key in err, err
    os.chmod(key, 0o600)
    garbage = tmp_path / "garbage.crt"
    garbage.write_text("not a certificate\n")
    err = refused(db, "--tls-cert", str(garbage), "--tls-key", str(key))
    assert "--tls-cert %s" % garbage in err, err
