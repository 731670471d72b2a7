"""The inbox and outbox pages are kept encoded between writes: every write that changes what a
page shows (a new communication, an acknowledgement, a reply, a closing, the scheduler's
lateness and escalation) must show on the next read, and each account keeps its own view."""
from comm_helpers import (HOUR, ack, advance, close, listing, recipient, reply, send, to,
                          wait_for)
from comm_helpers import checked_server, clock_server  # noqa: F401 (fixtures)


def _item(server, who, cid, **params):
    items = [i for i in listing(server, who, **params)["items"] if i["id"] == cid]
    assert len(items) == 1, (cid, who)
    return items[0]


def _status(server, who, cid, state="DEU", **params):
    return recipient(_item(server, who, cid, **params), state)["status"]


def test_pages_follow_every_write(checked_server):
    s = checked_server
    before = listing(s, "DEU/officer")["items"]
    # Read twice: the second read is served from what the first encoded.
    assert listing(s, "DEU/officer")["items"] == before
    cid = send(s, to=to("DEU"))["id"]
    first = listing(s, "DEU/officer")["items"]
    assert first[0]["id"] == cid and first[1:] == before[:len(first) - 1]
    assert _status(s, "FRA/officer", cid, box="outbox") == "sent"
    assert ack(s, cid, "DEU/officer").status_code == 200
    assert _status(s, "DEU/officer", cid) == "acknowledged"
    assert _status(s, "FRA/officer", cid, box="outbox") == "acknowledged"
    assert reply(s, cid, "DEU/officer").status_code == 201
    assert _status(s, "DEU/officer", cid) == "answered"
    assert _status(s, "FRA/officer", cid, box="outbox") == "answered"
    assert close(s, cid, "FRA/officer").status_code == 200
    assert _status(s, "DEU/officer", cid) == "closed"
    assert _status(s, "DEU/officer", cid, status="closed") == "closed"
    assert cid not in [i["id"] for i in listing(s, "DEU/officer", status="sent")["items"]]


def test_an_unchanged_page_keeps_its_etag(checked_server):
    s = checked_server
    send(s, to=to("DEU"))
    a = s.get("/api/v1/communications", who="DEU/officer")
    b = s.get("/api/v1/communications", who="DEU/officer")
    assert a.status_code == b.status_code == 200
    assert a.headers["ETag"] == b.headers["ETag"] and a.content == b.content
    assert a.headers["Cache-Control"] == b.headers["Cache-Control"] == "no-store"
    send(s, to=to("DEU"))
    c = s.get("/api/v1/communications", who="DEU/officer")
    assert c.headers["ETag"] != a.headers["ETag"]


def test_each_account_keeps_its_own_view_of_red_content(checked_server):
    s = checked_server
    cid = send(s, tlp="RED", to=to("DEU", kinds=["technical"]))["id"]
    for _ in range(2):
        # The officer is linked to the technical PoC, the administrators are not.
        assert _item(s, "DEU/officer", cid)["subject"]["text"]
        for who in ("DEU/admin", "DEU/admin2"):
            item = _item(s, who, cid)
            assert item.get("content_withheld") == "TLP:RED" and "subject" not in item


def test_pages_follow_the_scheduler(clock_server):
    s = clock_server
    cid = send(s, urgency="urgent", to=to("DEU"))["id"]
    rcpt = recipient(_item(s, "DEU/officer", cid), "DEU")
    assert (rcpt["overdue"], rcpt["escalation"]) == (False, "none")
    assert cid not in [i["id"] for i in listing(s, "DEU/officer", status="overdue")["items"]]
    advance(s, 2 * HOUR + 10)
    rcpt = wait_for(lambda: recipient(_item(s, "DEU/officer", cid), "DEU"),
                    lambda r: r["escalation"] == "alternate_technical")
    assert rcpt["overdue"] is True and rcpt["ack_late"] is True
    assert cid in [i["id"] for i in listing(s, "DEU/officer", status="overdue")["items"]]


def test_escalation_opens_red_content_in_the_list(clock_server):
    s = clock_server
    cid = send(s, urgency="urgent", tlp="RED", to=to("DEU", kinds=["technical"]))["id"]
    assert _item(s, "DEU/admin", cid).get("content_withheld") == "TLP:RED"
    advance(s, 2 * HOUR + 10)
    wait_for(lambda: recipient(_item(s, "DEU/admin", cid), "DEU"),
             lambda r: r["escalation"] == "alternate_technical")
    advance(s, 2 * HOUR)
    item = wait_for(lambda: _item(s, "DEU/admin", cid),
                    lambda i: recipient(i, "DEU")["escalation"] == "diplomatic")
    assert "content_withheld" not in item and item["subject"]["text"], item
