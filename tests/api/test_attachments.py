"""Attachments: uploads streamed to a file named by its SHA-256 beside the database, read back
by the parties only, referenced by communications and replies whose leaves commit to their
hashes; size limits, interrupted uploads and the sweep of uploads nobody referenced."""
import base64
import hashlib
import json
import os
import socket
import time

from comm_helpers import DAY, advance, comm_body, path, reply, show, to, wait_for
from comm_helpers import clock_server  # noqa: F401 (fixture)
from conftest import assert_problem
from test_receipts import commitment, receipt_of, verify_receipt

ATT = "/api/v1/attachments"
PCAP = bytes(range(256)) * 40 + b"\x00tail"


def store_dir(server):
    return str(server.db) + ".attachments"


def files_in(server):
    return sorted(os.listdir(store_dir(server)))


def upload(server, data=PCAP, who="FRA/officer", filename="capture.pcap",
           content_type="application/vnd.tcpdump.pcap"):
    headers = {"Content-Type": content_type} if content_type else {}
    params = {"filename": filename} if filename is not None else {}
    return server.post(ATT, who=who, data=data, params=params, headers=headers)


def uploaded(server, data=PCAP, **kw):
    r = upload(server, data, **kw)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert r.headers["Location"] == "%s/%s" % (ATT, doc["id"])
    return doc


def content_of(doc):
    """The content as stored (as test_receipts rebuilds it), attachments included."""
    keys = ("subject", "description", "sectors", "incident", "indicators", "requested_action",
            "reply_by", "reply_languages", "attachments")
    return json.dumps({k: doc[k] for k in keys if k in doc}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)


def test_upload_is_stored_by_its_hash(server):
    doc = uploaded(server)
    sha = hashlib.sha256(PCAP).hexdigest()
    assert doc["sha256"] == sha and doc["size"] == len(PCAP), doc
    assert doc["filename"] == "capture.pcap"
    assert doc["media_type"] == "application/vnd.tcpdump.pcap"
    assert files_in(server) == [sha], "no temporary file is left beside it"
    assert oct(os.stat(store_dir(server)).st_mode & 0o777) == "0o700"
    with open(os.path.join(store_dir(server), sha), "rb") as f:
        assert f.read() == PCAP
    # The same bytes again: a second attachment, one file.
    again = uploaded(server, filename="again.pcap")
    assert again["id"] != doc["id"] and again["sha256"] == sha
    assert files_in(server) == [sha]


def test_only_the_uploading_state_reads_an_unreferenced_upload(server):
    doc = uploaded(server)
    r = server.get("%s/%s" % (ATT, doc["id"]), who="FRA/admin")
    assert r.status_code == 200 and r.content == PCAP
    for who in ("DEU/officer", "KEN/admin", "secretariat"):
        assert_problem(server.get("%s/%s" % (ATT, doc["id"]), who=who), 404)
    assert_problem(server.get("%s/%s" % (ATT, "x" * 26), who="FRA/admin"), 404)
    assert_problem(server.get("%s/%s" % (ATT, doc["id"])), 401)
    # The Secretariat sends nothing, so it uploads nothing.
    assert_problem(upload(server, who="secretariat"), 403)


def test_parties_download_with_the_hash_never_as_active_content(server):
    doc = uploaded(server, data=b"<html><script>alert(1)</script></html>",
                   filename="r\u00e9sum\u00e9 \"x\";.html", content_type="text/html")
    comm = show(server, send_with(server, [doc["id"]], to=to("DEU"))["id"], "DEU/officer")
    assert comm["attachments"] == [{"filename": doc["filename"], "id": doc["id"],
                                    "sha256": doc["sha256"], "size": doc["size"]}], comm
    for who in ("DEU/officer", "FRA/officer", "FRA/admin"):
        r = server.get("%s/%s" % (ATT, doc["id"]), who=who)
        assert r.status_code == 200, (who, r.text)
        assert r.content == b"<html><script>alert(1)</script></html>"
        assert r.headers["Content-Type"] == "application/octet-stream", r.headers
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Pocd-Sha256"] == doc["sha256"]
        raw = hashlib.sha256(r.content).digest()
        assert r.headers["Repr-Digest"] == "sha-256=:%s:" % base64.b64encode(raw).decode()
        cd = r.headers["Content-Disposition"]
        assert cd.startswith("attachment; "), cd
        assert "filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22%3B.html" in cd, cd
        assert 'filename="r__sum____x__.html"' in cd, cd
    # A third state, and the Secretariat, are not told it exists.
    for who in ("KEN/officer", "secretariat"):
        assert_problem(server.get("%s/%s" % (ATT, doc["id"]), who=who), 404)


def send_with(server, ids, who="FRA/officer", **overrides):
    r = server.post("/api/v1/communications", who=who,
                    json=comm_body(attachments=ids, **overrides))
    assert r.status_code == 201, r.text
    return r.json()


def test_references_are_the_uploading_states_and_used_once(server):
    mine = uploaded(server)
    theirs = uploaded(server, who="DEU/officer")
    r = server.post("/api/v1/communications", who="FRA/officer",
                    json=comm_body(attachments=[mine["id"], theirs["id"]]))
    assert_problem(r, 400, "attachments[1]")
    # Nothing was written: the attachment is still free to use.
    send_with(server, [mine["id"]])
    r = server.post("/api/v1/communications", who="FRA/officer",
                    json=comm_body(attachments=[mine["id"]]))
    assert_problem(r, 400, "attachments[0]")
    for bad, field in (([], "attachments"), (["nope"], "attachments[0]"),
                       ([theirs["id"], theirs["id"]], "attachments[1]"), ("x", "attachments")):
        r = server.post("/api/v1/communications", who="DEU/officer",
                        json=comm_body(attachments=bad, to=to("FRA")))
        assert_problem(r, 400, field)


def test_bad_names_and_types_are_refused_before_the_body(server):
    assert_problem(upload(server, filename=None), 400, "filename")
    for name in ("", "../etc/passwd", "a\\b", "..", "line\nbreak", "x" * 129):
        assert_problem(upload(server, filename=name), 400, "filename")
    for ct in ("text", "/x", "a/b c", "a b/c", "//x", "a/", "a//b"):
        assert_problem(upload(server, content_type=ct), 400, "Content-Type")
    assert_problem(upload(server, data=b""), 400, "body")
    doc = uploaded(server, content_type="Text/Plain; charset=utf-8")
    assert doc["media_type"] == "text/plain"
    doc = uploaded(server, content_type=None)
    assert doc["media_type"] == "application/octet-stream"
    assert files_in(server) == [hashlib.sha256(PCAP).hexdigest()]


def test_size_limit(server):
    assert server.stop() == 0
    server.start("--attachment-limit", "4K")
    assert uploaded(server, data=b"a" * 4096)["size"] == 4096
    doc = assert_problem(upload(server, data=b"b" * 4097), 413)
    assert "4 KiB" in doc["detail"], doc
    # Streamed without a length: refused once past the limit, all the same.
    r = server.post(ATT, who="FRA/officer", params={"filename": "big.bin"},
                    data=(b"c" * 1024 for _ in range(8)))
    assert_problem(r, 413)
    # The limit for attachments is not the limit for JSON bodies.
    assert_problem(server.post("/api/v1/communications", who="FRA/officer",
                               data=b" " * (2 << 20)), 413)
    assert files_in(server) == [hashlib.sha256(b"a" * 4096).hexdigest()]


def test_a_states_unreferenced_uploads_are_bounded(server):
    assert server.stop() == 0
    server.start("--attachment-quota", "1M")
    first = uploaded(server, data=b"a" * ((1 << 20) - 1024))
    # Declared too large for what is left: refused before a byte is stored.
    doc = assert_problem(upload(server, data=b"b" * 2048), 413)
    assert doc["type"].endswith("attachment-quota") and "quota of 1 MiB" in doc["detail"], doc
    # Streamed without a length: refused once complete, and nothing of it kept.
    r = server.post(ATT, who="FRA/officer", params={"filename": "big.bin"},
                    data=(b"c" * 1024 for _ in range(2)))
    doc = assert_problem(r, 413)
    assert "quota" in doc["detail"], doc
    assert files_in(server) == [first["sha256"]]
    # Another state's quota is its own.
    uploaded(server, data=b"d" * (600 << 10), who="DEU/officer")
    # Referenced, an upload no longer counts.
    send_with(server, [first["id"]])
    uploaded(server, data=b"b" * (600 << 10))


def test_an_interrupted_upload_leaves_nothing(server):
    token = server.token("FRA/officer")
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(("POST %s?filename=cut.bin HTTP/1.1\r\nHost: x\r\n"
                   "Authorization: Bearer %s\r\nContent-Length: 100000\r\n\r\n"
                   % (ATT, token)).encode() + b"x" * 30000)
        time.sleep(0.3)
        assert any(f.startswith("upload.") for f in files_in(server)), files_in(server)
    wait_for(lambda: files_in(server), lambda fs: fs == [])
    # A temporary file a crash left behind is removed when pocd starts.
    assert server.stop() == 0
    with open(os.path.join(store_dir(server), "upload.leftover"), "wb") as f:
        f.write(b"half")
    server.start()
    assert files_in(server) == []


def test_a_receipt_proves_the_attachments_hash(server):
    doc = uploaded(server)
    sent = send_with(server, [doc["id"]], to=to("DEU"))
    content = content_of(show(server, sent["id"], "DEU/officer"))
    assert content == content_of(sent)
    for who, party in (("FRA/officer", "FRA"), ("DEU/officer", "DEU")):
        rc = sent["receipt"] if party == "FRA" else receipt_of(
            server, sent["receipt"]["event_id"], who)
        leaf, _, _ = verify_receipt(server, rc, party, "communication.sent", sent["id"])
        assert leaf["commitment"] == commitment(leaf, content)
        committed = json.loads(content)["attachments"]
        assert [a["sha256"] for a in committed] == [hashlib.sha256(PCAP).hexdigest()]
        # Another file's hash in its place does not match the commitment.
        other = content.replace(doc["sha256"], hashlib.sha256(b"other").hexdigest())
        assert leaf["commitment"] != commitment(leaf, other)


def test_a_reply_with_attachments_is_logged_with_their_hashes(server):
    sent = send_with(server, [uploaded(server)["id"]], to=to("DEU", "KEN"))
    answer = uploaded(server, data=b"our logs", who="DEU/officer", filename="logs.txt")
    r = reply(server, sent["id"], "DEU/officer", attachments=[answer["id"]])
    assert r.status_code == 201, r.text
    rc = r.json()["receipt"]
    leaf, _, _ = verify_receipt(server, rc, "DEU", "communication.replied", sent["id"])
    thread = [t for t in r.json()["thread"] if t.get("attachments")]
    assert len(thread) == 1, r.json()["thread"]
    body = {k: thread[0][k] for k in ("text", "lang", "attachments")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert leaf["commitment"] == commitment(leaf, text)
    assert body["attachments"][0]["sha256"] == hashlib.sha256(b"our logs").hexdigest()
    # The thread is FRA's and DEU's: KEN, a recipient too, does not read it.
    assert server.get("%s/%s" % (ATT, answer["id"]), who="FRA/officer").content == b"our logs"
    assert_problem(server.get("%s/%s" % (ATT, answer["id"]), who="KEN/officer"), 404)
    assert_problem(receipt_of_status(server, rc["event_id"], "KEN/officer"), 404)
    # A reply without attachments is logged as before: no event of its own.
    r = reply(server, sent["id"], "DEU/officer")
    assert r.status_code == 201 and "receipt" not in r.json(), r.text


def receipt_of_status(server, event_id, who):
    return server.get("/api/v1/receipts/%s" % event_id, who=who)


def test_unreferenced_uploads_are_swept_after_a_day(clock_server):
    server = clock_server
    kept = uploaded(server, data=b"kept")
    send_with(server, [kept["id"]])
    gone = uploaded(server, data=b"gone")
    advance(server, 2 * DAY)
    wait_for(lambda: server.get("%s/%s" % (ATT, gone["id"]), who="FRA/officer").status_code,
             lambda st: st == 404)
    wait_for(lambda: files_in(server), lambda fs: fs == [kept["sha256"]])
    assert server.get("%s/%s" % (ATT, kept["id"]), who="FRA/officer").content == b"kept"


def test_the_sweep_removes_old_files_no_row_names(clock_server):
    """A file under a hash without a row (an insert that failed after the rename, a sweep whose
    unlinks did not happen) and an old temporary file go once a day old; younger ones, files
    rows hold and names that are not the store's stay."""
    server = clock_server
    kept = uploaded(server, data=b"kept")
    send_with(server, [kept["id"]])
    old = time.time() - 2 * DAY
    planted = {}
    for name, data, mtime in (
            (hashlib.sha256(b"orphan").hexdigest(), b"orphan", old),
            ("upload.stale", b"half", old),
            (hashlib.sha256(b"young").hexdigest(), b"young", None),
            ("upload.young", b"half", None),
            ("notes.txt", b"the operator's", old)):
        p = os.path.join(store_dir(server), name)
        with open(p, "wb") as f:
            f.write(data)
        if mtime is not None:
            os.utime(p, (mtime, mtime))
        planted[name] = p
    os.utime(os.path.join(store_dir(server), kept["sha256"]), (old, old))
    # The next hourly sweep.
    advance(server, 3700)
    want = sorted([kept["sha256"], hashlib.sha256(b"young").hexdigest(), "upload.young",
                   "notes.txt"])
    wait_for(lambda: files_in(server), lambda fs: fs == want)
    assert server.get("%s/%s" % (ATT, kept["id"]), who="FRA/officer").content == b"kept"


def test_poc_sends_with_attachments_gets_them_and_verifies_their_hashes(server, tmp_path):
    from test_verify_cli import COMM, log_key, poc
    evidence = tmp_path / "capture.pcap"
    evidence.write_bytes(PCAP)
    comm = tmp_path / "comm.json"
    comm.write_text(json.dumps(COMM))
    r = poc(tmp_path, "--json", "send", str(comm), "--attach", str(evidence), server=server,
            who="FRA/officer")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [a["sha256"] for a in doc["attachments"]] == [hashlib.sha256(PCAP).hexdigest()]
    assert doc["attachments"][0]["filename"] == "capture.pcap"
    receipt = tmp_path / "receipt.json"
    receipt.write_text(r.stdout)
    content = tmp_path / "content.json"
    content.write_text(content_of(doc))

    out = tmp_path / "got.pcap"
    r = poc(tmp_path, "attachment", "get", doc["attachments"][0]["id"], "--output", str(out),
            server=server, who="DEU/officer")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == PCAP
    r = poc(tmp_path, "attachment", "get", doc["attachments"][0]["id"], "--output",
            str(tmp_path / "no"), server=server, who="KEN/officer")
    assert r.returncode == 1 and not (tmp_path / "no").exists(), r.stderr
    assert not [p for p in os.listdir(tmp_path) if p.startswith("no.")]

    key = log_key(server)
    assert server.stop() == 0  # offline
    r = poc(tmp_path, "verify", str(receipt), "--key", key, "--content", str(content),
            "--attachment", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "content matches" in r.stdout and "every attachment" in r.stdout, r.stdout
    other = tmp_path / "other.pcap"
    other.write_bytes(PCAP + b"!")
    r = poc(tmp_path, "verify", str(receipt), "--key", key, "--content", str(content),
            "--attachment", str(other))
    assert r.returncode == 1 and "NOT in the content" in r.stdout, r.stdout + r.stderr
    assert poc(tmp_path, "verify", str(receipt), "--key", key, "--attachment",
               str(other)).returncode == 2
