"""Communications in the browser: one state composes a request from the template, the
other acknowledges and replies, the sender sees it answered."""
from selenium.webdriver.support.select import Select


def thread_id(page):
    page.wait(lambda d: page.path().startswith("/thread?id="))
    return page.path().split("=", 1)[1]


def test_compose_acknowledge_reply(page):
    page.login("JPN/officer")
    page.open("/compose")
    Select(page.field("type")).select_by_value("request_information")
    Select(page.field("urgency")).select_by_value("urgent")
    Select(page.field("tlp")).select_by_value("GREEN")
    Select(page.css("#pick-state")).select_by_value("KEN")
    page.button("Add recipient").click()
    page.css('main .recipient[data-state="KEN"]')
    page.fill("subject", "Scanning from a shared host")
    page.fill("description", "We see scans of our registry.\nCan you tell us more?")
    page.css('main input[name="sectors"][value="finance"]').click()
    page.css('main input[name="requested_action"][value="share_information"]').click()
    page.button("Add an indicator").click()
    page.css("main .indicator")
    assert not page.unlabelled(), page.unlabelled()
    page.screenshot("compose")
    page.button("Send").click()
    cid = thread_id(page)
    page.css("main ul.recipients")
    assert "Sent" in page.css("main ul.recipients").text
    assert "acknowledge in" in page.css("main ul.recipients").text
    assert "We see scans of our registry. Can you tell us more?" in page.text()
    page.logout()

    page.login("KEN/officer")
    page.open("/communications")
    row = page.css('main a[href="/thread?id=%s"]' % cid)
    page.screenshot("inbox")
    row.click()
    page.wait(lambda d: page.path() == "/thread?id=" + cid)
    page.button("Acknowledge receipt").click()
    page.wait(lambda d: "Receipt acknowledged" in page.status())
    assert "Acknowledged" in page.css("main ul.recipients").text
    page.fill("text", "We are looking at it.")
    page.button("Send reply").click()
    page.wait(lambda d: "Reply sent" in page.status())
    assert "We are looking at it." in page.css("main ol.thread").text
    assert "Answered" in page.css("main ul.recipients").text
    page.screenshot("thread")
    page.logout()

    page.login("JPN/officer")
    page.open("/communications?box=outbox")
    page.css('main a[href="/thread?id=%s"]' % cid)
    assert "Answered" in page.css("main table.comms").text
    doc = page.server.get("/api/v1/communications/" + cid, who="JPN/officer").json()
    assert doc["recipients"][0]["status"] == "answered"
    assert doc["type"] == "request_information" and doc["tlp"] == "GREEN"


def test_errors_land_next_to_their_fields(page):
    page.login("JPN/officer")
    page.open("/compose")
    page.button("Send").click()
    assert page.css('main [data-field="to"] > .error').is_displayed()
    assert page.css('main [data-field="subject"] > .error').is_displayed()


def test_overdue_and_escalation_are_shown(page):
    from comm_helpers import HOUR, advance, send, to, wait_for

    doc = send(page.server, who="DEU/officer", urgency="urgent", to=to("EGY"),
               subject={"text": "Late one", "lang": "en"})
    advance(page.server, 2 * HOUR + 60)
    wait_for(lambda: page.server.get("/api/v1/communications/" + doc["id"], who="DEU/officer")
             .json()["recipients"][0]["overdue"], bool)
    page.login("DEU/officer")
    page.open("/thread?id=" + doc["id"])
    rec = page.css("main ul.recipients").text
    assert "Overdue" in rec and "Escalated to the" in rec
    assert "deadline passed" in page.css("main ol.history").text


def test_coded_fields_in_the_interface_language(page):
    page.open("/login?lang=fr")
    page.login("FRA/officer")
    page.open("/compose")
    labels = [o.text for o in Select(page.field("type")).options]
    assert "Demande d'assistance" in labels, labels
    assert page.css('main [data-field="type"] label').text == "Type de communication"


def test_ack_link_page(page):
    """The page of a notification's acknowledgement link: without a token it says so; a
    token nobody issued gets the plain refusal."""
    page.open("/ack")
    assert "incomplete" in page.css("main .error").text
    page.open("/ack#" + "A" * 43)
    assert page.d.execute_script("return location.hash") == ""
    page.button("Acknowledge receipt").click()
    assert "unknown, used or expired" in page.css("main .form-error").text


def test_acknowledge_by_the_mailed_link(page):
    from comm_helpers import send, show, to
    from mail_helpers import link_token, mails

    c = send(page.server, who="BRA/officer", to=to("KEN"))
    (row,) = [m for m in mails(page.server, "comm_new") if m["payload"].get("comm") == c["id"]]
    page.open("/ack#" + link_token(row))
    assert page.d.execute_script("return location.hash") == ""
    # Opening the page acknowledges nothing: only the button does.
    assert show(page.server, c["id"], "BRA/officer")["recipients"][0]["status"] == "sent"
    page.screenshot("ack-link")
    page.button("Acknowledge receipt").click()
    assert "Receipt acknowledged for KEN" in page.css("main .result.ok").text
    assert show(page.server, c["id"], "BRA/officer")["recipients"][0]["status"] == "acknowledged"
    page.css('main a[href="/thread?id=%s"]' % c["id"])


def test_attachments_are_sent_listed_and_downloaded(page, tmp_path):
    """A file attached in the compose form is uploaded, listed in the thread with its size and
    SHA-256, and downloads as the same bytes; a reply carries one too; the exports are
    offered."""
    import hashlib
    evidence = tmp_path / "scan-log.txt"
    evidence.write_bytes(b"2024-11-26T02:10:00Z 198.51.100.7 -> 203.0.113.9:443\n" * 50)
    page.login("JPN/officer")
    page.open("/compose")
    Select(page.css("#pick-state")).select_by_value("KEN")
    page.button("Add recipient").click()
    page.css('main .recipient[data-state="KEN"]')
    page.fill("subject", "Scans, with the log")
    page.fill("description", "The log of the scans is attached.")
    page.field("attachments").send_keys(str(evidence))
    assert not page.unlabelled(), page.unlabelled()
    page.button("Send").click()
    cid = thread_id(page)
    listed = page.css("main ul.attachments")
    sha = hashlib.sha256(evidence.read_bytes()).hexdigest()
    assert "scan-log.txt" in listed.text and sha in listed.text, listed.text
    link = page.css("main ul.attachments a")
    href = link.get_attribute("href")
    assert "/api/v1/attachments/" in href
    doc = page.server.get("/api/v1/communications/" + cid, who="KEN/officer").json()
    att = doc["attachments"][0]
    got = page.server.get("/api/v1/attachments/" + att["id"], who="KEN/officer")
    assert got.content == evidence.read_bytes() and att["sha256"] == sha
    assert page.css('main p.exports a[href$="format=iodef"]')
    page.screenshot("thread_attachments")
    page.logout()

    page.login("KEN/officer")
    page.open("/thread?id=" + cid)
    page.css("main ul.attachments")
    answer = tmp_path / "answer.txt"
    answer.write_bytes(b"blocked at the border\n")
    page.fill("text", "Blocked; our log attached.")
    page.field("attachments").send_keys(str(answer))
    page.button("Send reply").click()
    page.wait(lambda d: "Reply sent" in page.status())
    replies = page.css("main ol.thread")
    assert "answer.txt" in replies.text
    assert hashlib.sha256(b"blocked at the border\n").hexdigest() in replies.text
