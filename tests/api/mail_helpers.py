"""Helpers of the mail tests: the outbox rows an event writes (read straight from the SQLite
file), acknowledgement links, and a real SMTP server (Debian's python3-aiosmtpd) on a loopback
port that keeps every message it accepts, and can refuse recipients or be stopped."""
import email
import email.policy
import json
import subprocess
import threading

import pytest

from conftest import free_port
from ping_helpers import db_rows

ACK_LINK = "/api/v1/ack"


def mails(server, kind=None):
    """The outbox rows (of a kind), oldest first, with their payloads decoded."""
    rows = db_rows(server, "SELECT id, kind, ref_id, poc_id, state, lang, payload, sent_at,"
                   " failed_at, attempts, error, task FROM outbox"
                   " WHERE ?1 IS NULL OR kind = ?1 ORDER BY seq", kind)
    return [{"id": r[0], "kind": r[1], "ref": r[2], "poc": r[3], "state": r[4], "lang": r[5],
             "payload": json.loads(r[6]), "sent_at": r[7], "failed_at": r[8],
             "attempts": r[9], "error": r[10], "task": r[11]} for r in rows]


def kill_agent(home):
    """Stops the gpg-agent that a keyring's use started (it would outlive the test)."""
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"],
                   capture_output=True, timeout=30)


def link_token(row):
    link = row["payload"]["link"]
    assert link.startswith("/ack#"), link
    return link[len("/ack#"):]


def ack_link(server, token=None, **extra):
    """Acknowledges by link, without logging in; None leaves the token out."""
    body = dict(extra)
    if token is not None:
        body["token"] = token
    return server.post(ACK_LINK, json=body)


def pocs_of(server, state, kind=None, rank=None):
    rows = db_rows(server, "SELECT id, kind, rank, email FROM pocs WHERE state = ?"
                   " ORDER BY kind, rank, id", state)
    return [{"id": r[0], "kind": r[1], "rank": r[2], "email": r[3]} for r in rows
            if (kind is None or r[1] == kind) and (rank is None or r[2] == rank)]


class Relay:
    """An SMTP server on 127.0.0.1 that keeps what it accepts.

    refuse: {address: "550 ..."} answers RCPT TO for those addresses with that reply;
    temp_fail: {address: n} answers the first n RCPT TO for it with 451."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.messages = []
        self.refuse = {}
        self.temp_fail = {}
        self.rcpt_tries = {}
        self.lock = threading.Lock()
        self.controller = None

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_tries[address] = self.rcpt_tries.get(address, 0) + 1
            if address in self.refuse:
                return self.refuse[address]
            if self.temp_fail.get(address, 0) > 0:
                self.temp_fail[address] -= 1
                return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=email.policy.default)
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                  "raw": envelope.original_content or envelope.content,
                                  "msg": msg})
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def received(self):
        with self.lock:
            return list(self.messages)


@pytest.fixture
def relay():
    r = Relay().start()
    yield r
    r.stop()
