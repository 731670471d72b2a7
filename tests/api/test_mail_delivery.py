"""Mail delivery through a real SMTP server on loopback (aiosmtpd): pocd serve --smtp starts
its sender process, which delivers one message per recipient PoC with proper headers in the
PoC's language, retries temporary failures with backoff, opens a correction task for an
address the relay refuses for good, and loses nothing when the relay or pocd stop."""
import email.utils
import re
import time

import pytest

from comm_helpers import HOUR, advance, send, show, stop_clean, to, wait_for
from mail_helpers import Relay, ack_link, kill_agent, mails, pocs_of, relay  # noqa: F401
from ping_helpers import db_rows

FROM = "pocd@pocd.example"
PUBLIC = "https://pocd.example"
LINK_RE = re.compile(re.escape(PUBLIC) + r"/ack#([A-Za-z0-9_-]{43})")


def start_mail(server, relay, *extra):
    assert server.stop() == 0
    server.start("--test-clock", "--smtp", relay.url, "--mail-from", FROM,
                 "--public-url", PUBLIC, "--mail-retry-base", "1", *extra)


@pytest.fixture
def mail_server(server, relay):
    start_mail(server, relay)
    yield server
    stop_clean(server)
    kill_agent(str(server.db) + ".gnupg")


def wait_messages(relay, n, timeout=15.0):
    return wait_for(relay.received, lambda m: len(m) >= n, timeout)


def by_rcpt(messages):
    return {m["to"][0]: m for m in messages}


def email_of(server, poc_id):
    return db_rows(server, "SELECT email FROM pocs WHERE id = ?", poc_id)[0][0]


def test_new_communication_mails_each_addressed_poc_with_proper_headers(mail_server, relay):
    s = mail_server
    c = send(s, to=to("DEU", "RUS", "EGY"))
    got = by_rcpt(wait_messages(relay, 3))
    rows = {r["poc"]: r for r in wait_for(lambda: mails(s, "comm_new"),
                                          lambda rs: all(r["sent_at"] for r in rs))}
    assert len(got) == 3 and len(rows) == 3
    words = {"DEU": "communication", "RUS": "сообщение", "EGY": "رسالة"}
    for state, lang in (("DEU", "en"), ("RUS", "ru"), ("EGY", "ar")):
        (poc,) = pocs_of(s, state, "technical", "primary")
        row = rows[poc["id"]]
        m = got[poc["email"]]
        msg = m["msg"]
        assert m["from"] == FROM and m["to"] == [poc["email"]]
        assert msg["To"].addresses[0].addr_spec == poc["email"]
        assert msg["From"].addresses[0].addr_spec == FROM
        assert msg["Message-ID"] == "<%s@pocd.example>" % row["id"]
        assert email.utils.parsedate_to_datetime(msg["Date"]).utcoffset().total_seconds() == 0
        assert msg["Content-Language"] == lang
        assert msg.get_content_type() == "text/plain"
        assert msg.get_content_charset() == "utf-8"
        assert msg["Content-Transfer-Encoding"] == "base64"
        # The subject travels as encoded-words and decodes to the PoC's language.
        assert b"=?UTF-8?B?" in m["raw"]
        assert words[state] in str(msg["Subject"]), str(msg["Subject"])
        text = msg.get_content()
        assert c["id"] in text
        assert LINK_RE.search(text), text
        # Nothing of the communication's content, in clear.
        assert "Wiper" not in text and "198.51.100.7" not in text
        # Sent: the link's token is gone from the outbox.
        assert "link" not in row["payload"] and row["attempts"] == 0
    assert all(len(m["raw"].split(b"\r\n")[0]) < 998 for m in got.values())


def test_the_mailed_link_acknowledges_once(mail_server, relay):
    s = mail_server
    c = send(s, to=to("DEU"))
    (m,) = wait_messages(relay, 1)
    token = LINK_RE.search(m["msg"].get_content()).group(1)
    r = ack_link(s, token)
    assert r.status_code == 200, r.text
    assert show(s, c["id"], "FRA/officer")["recipients"][0]["status"] == "acknowledged"
    assert ack_link(s, token).status_code == 410
    # The sender's PoC hears of it, in French.
    msgs = wait_messages(relay, 2)
    (back,) = [x for x in msgs if x["msg"]["Content-Language"] == "fr"]
    assert "confirmée" in str(back["msg"]["Subject"])


def test_a_refused_address_fails_and_opens_a_correction_task(mail_server, relay):
    s = mail_server
    (poc,) = pocs_of(s, "DEU", "technical", "primary")
    relay.refuse[poc["email"]] = "550 5.1.1 no such mailbox"
    send(s, to=to("DEU"))
    (row,) = wait_for(lambda: mails(s, "comm_new"), lambda rs: rs[0]["failed_at"])
    assert row["sent_at"] is None and "550" in row["error"] and "link" not in row["payload"]
    tasks = wait_for(lambda: s.get("/api/v1/tasks", who="DEU/admin").json()["items"],
                     lambda ts: any(t["kind"] == "mail_failed" for t in ts))
    (t,) = [t for t in tasks if t["kind"] == "mail_failed"]
    assert t["poc"] == poc["id"]
    # The administrators hear of the task by mail, and the refused mail was never sent.
    admin_mails = wait_for(lambda: [m for m in relay.received() if m["to"][0] != poc["email"]],
                           lambda ms: len(ms) >= 1)
    assert all(m["to"][0] != poc["email"] for m in admin_mails)
    assert relay.rcpt_tries[poc["email"]] == 1
    # A second refused mail to the same address opens no second task while one is open.
    send(s, to=to("DEU"))
    wait_for(lambda: mails(s, "comm_new"), lambda rs: all(r["failed_at"] for r in rs))
    time.sleep(0.5)
    tasks = s.get("/api/v1/tasks", who="DEU/admin").json()["items"]
    assert len([t for t in tasks if t["kind"] == "mail_failed"]) == 1


def test_a_temporary_failure_is_retried_with_backoff(mail_server, relay):
    s = mail_server
    (poc,) = pocs_of(s, "DEU", "technical", "primary")
    relay.temp_fail[poc["email"]] = 2
    started = time.monotonic()
    send(s, to=to("DEU"))
    (m,) = wait_messages(relay, 1)
    took = time.monotonic() - started
    (row,) = mails(s, "comm_new")
    assert m["to"] == [poc["email"]]
    # Two refusals, then one delivery, after waiting 1 s and then 2 s (whole seconds of
    # the clock: at least 1 s in all).
    assert relay.rcpt_tries[poc["email"]] == 3
    assert took >= 1.0, took
    with open(str(s.db) + ".log", encoding="utf-8", errors="replace") as f:
        log = f.read()
    assert "451" in log and "retry 1 in 1s" in log and "retry 2 in 2s" in log, log[-2000:]
    wait_for(lambda: mails(s, "comm_new"), lambda rs: rs[0]["sent_at"])
    (row,) = mails(s, "comm_new")
    assert row["attempts"] == 2 and row["error"] is None
    time.sleep(1.0)
    assert len(relay.received()) == 1


def test_nothing_is_lost_while_the_relay_is_down_and_pocd_restarts(mail_server, relay):
    s = mail_server
    relay.stop()
    c = send(s, to=to("DEU", "RUS"))
    wait_for(lambda: mails(s, "comm_new"), lambda rs: all(r["attempts"] >= 1 for r in rs))
    assert s.stop() == 0
    back = Relay(port=relay.port).start()
    try:
        start_mail(s, back)
        got = wait_messages(back, 2)
        ids = {r["id"] for r in mails(s, "comm_new")}
        assert {m["msg"]["Message-ID"] for m in got} == {"<%s@pocd.example>" % i for i in ids}
        time.sleep(1.0)
        assert len(back.received()) == 2
        assert all(c["id"] in m["msg"].get_content() for m in got)
    finally:
        stop_clean(s)
        back.stop()
        s.start()


def test_a_resend_after_a_crash_carries_the_same_message_id(mail_server, relay):
    s = mail_server
    send(s, to=to("DEU"))
    (first,) = wait_messages(relay, 1)
    wait_for(lambda: mails(s, "comm_new"), lambda rs: rs[0]["sent_at"])
    assert s.stop() == 0
    # As if pocd had died after the relay took the message and before it was marked sent.
    import sqlite3
    con = sqlite3.connect(str(s.db))
    con.execute("UPDATE outbox SET sent_at = NULL WHERE kind = 'comm_new'")
    con.commit()
    con.close()
    start_mail(s, relay)
    msgs = wait_messages(relay, 2)
    assert msgs[1]["msg"]["Message-ID"] == first["msg"]["Message-ID"]
    assert msgs[1]["to"] == first["to"]


def test_escalation_mails_the_alternate_technical_poc(mail_server, relay):
    s = mail_server
    send(s, to=to("RUS"))
    wait_messages(relay, 1)
    advance(s, 2 * HOUR + 1)
    (alt,) = pocs_of(s, "RUS", "technical", "alternate")
    m = wait_for(lambda: [x for x in relay.received() if x["to"] == [alt["email"]]],
                 lambda ms: len(ms) == 1)[0]
    assert "Эскалация" in str(m["msg"]["Subject"])
    assert LINK_RE.search(m["msg"].get_content())


def test_ping_mail_carries_the_code_and_link(mail_server, relay):
    s = mail_server
    r = s.post("/api/v1/ping-campaigns", who="secretariat", json={"scope": ["FRA"]})
    assert r.status_code == 201, r.text
    n = r.json()["pings"]
    got = wait_messages(relay, n)
    codes = {row["payload"]["ping"]: row for row in mails(s, "ping")}
    assert len(codes) == n
    for m in got:
        text = m["msg"].get_content()
        assert re.search(re.escape(PUBLIC) + r"/ping#[A-Za-z0-9_-]{43}", text), text
        assert re.search(r"Votre code : [A-Z2-9]{6}", text), text
        assert m["msg"]["Content-Language"] == "fr"
    # Once sent, the outbox keeps neither the link nor the code.
    rows = wait_for(lambda: mails(s, "ping"), lambda rs: all(x["sent_at"] for x in rs))
    assert all("link" not in x["payload"] and "challenge" not in x["payload"] for x in rows)


def test_the_sender_cannot_be_told_to_use_other_protocols(server):
    assert server.stop() == 0
    server.port = None
    import subprocess
    from conftest import POCD
    r = subprocess.run([POCD, "serve", "--db", str(server.db), "--smtp", "http://x",
                        "--mail-from", FROM], capture_output=True, timeout=10)
    assert r.returncode != 0 and b"smtp://" in r.stderr
    r = subprocess.run([POCD, "serve", "--db", str(server.db), "--smtp", "smtp://127.0.0.1:1"],
                       capture_output=True, timeout=10)
    assert r.returncode != 0 and b"--mail-from" in r.stderr
    server.start()


def test_stopping_while_the_relay_hangs_takes_a_bounded_time(server):
    """A relay that accepts and then says nothing: pocd still stops, within the sender's
    grace period, and exits 0."""
    import socket
    import threading
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(8)
    held = []
    threading.Thread(target=lambda: held.append(lst.accept()), daemon=True).start()
    assert server.stop() == 0
    server.start("--smtp", "smtp://127.0.0.1:%d" % lst.getsockname()[1], "--mail-from", FROM)
    send(server, to=to("DEU"))
    wait_for(lambda: held, lambda h: len(h) == 1)
    started = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - started < 20
    kill_agent(str(server.db) + ".gnupg")
    lst.close()
    server.start()


def test_mail_does_not_wait_behind_a_receiver_that_never_answers(server, relay):
    """A webhook receiver that accepts the connection and then says nothing holds its event
    for up to the post's timeout (20 s); mail queued meanwhile still leaves at once."""
    import socket
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(64)  # connections complete in the kernel; none is ever accepted or answered
    try:
        start_mail(server, relay, "--webhook-allow-private")
        s = server
        r = s.post("/api/v1/webhooks", who="DEU/admin",
                   json={"url": "https://127.0.0.1:%d/hook" % hole.getsockname()[1]})
        assert r.status_code == 201, r.text
        path = "/api/v1/webhooks/%s/deliveries" % r.json()["id"]
        send(s, to=to("DEU"))
        # The event is being posted (its first attempt is not over) ...
        wait_for(lambda: s.get(path, who="DEU/admin").json()["items"], lambda i: len(i) == 1)
        time.sleep(1.5)
        n = len(relay.received())
        started = time.monotonic()
        send(s, to=to("RUS"))
        # ... and the new mail is not behind it.
        wait_messages(relay, n + 1, timeout=6.0)
        assert time.monotonic() - started < 6.0
        d = s.get(path, who="DEU/admin").json()["items"]
        assert all(x["status"] == "pending" for x in d), d
        assert all(x["attempts"] == 0 for x in d), d
    finally:
        stop_clean(server)
        kill_agent(str(server.db) + ".gnupg")
        hole.close()
