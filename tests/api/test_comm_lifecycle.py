"""A communication's life across three states: sent, acknowledged, answered, closed; its
history and thread; the inbox and outbox with their filters and cursor pages."""
import pytest

from conftest import assert_problem
from comm_helpers import (COMMS, DEADLINES, ack, advance, close, list_ids, listing, parse_time,
                          path, recipient, reply, send, show, steps, to)
from pocd_helpers import account_id, problem_fields
from comm_helpers import checked_server, clock_server  # noqa: F401 (fixtures)
from pocd_helpers import module_server  # noqa: F401 (fixtures)


def test_lifecycle_across_three_states(clock_server):
    s = clock_server
    fra_officer = account_id(s, "FRA/officer")
    doc = send(s, to=to("DEU", "KEN"))
    cid = doc["id"]
    created = parse_time(doc["created_at"])
    assert doc["sender"] == {"state": "FRA", "account": fra_officer}
    assert [r["state"] for r in doc["recipients"]] == ["DEU", "KEN"]
    for r in doc["recipients"]:
        assert r["status"] == "sent"
        assert r["kinds"] == ["technical"]
        assert (r["overdue"], r["ack_late"], r["answer_late"]) == (False, False, False)
        assert r["escalation"] == "none"
        assert parse_time(r["ack_due"]) == created + DEADLINES["urgent"][0]
        assert parse_time(r["answer_due"]) == created + DEADLINES["urgent"][1]
        assert "acknowledged_at" not in r and "answered_at" not in r
    sent = steps(doc, what="sent")
    assert sorted(h["state"] for h in sent) == ["DEU", "KEN"]
    for h in sent:
        assert h["by"] == "FRA" and h["account"] == fra_officer
        assert parse_time(h["at"]) == created
    assert doc["thread"] == []

    # DEU acknowledges.
    t_ack = advance(s, 60)
    r = ack(s, cid, "DEU/officer")
    assert r.status_code == 200, r.text
    deu = recipient(r.json(), "DEU")
    assert deu["status"] == "acknowledged"
    assert abs(parse_time(deu["acknowledged_at"]) - t_ack) <= 5
    # Acknowledging again changes nothing.
    again = ack(s, cid, "DEU/admin")
    assert again.status_code == 200, again.text
    assert recipient(again.json(), "DEU")["acknowledged_at"] == deu["acknowledged_at"]
    assert len(steps(again.json(), "DEU", "acknowledged")) == 1

    # KEN replies without acknowledging first: the reply acknowledges and answers.
    t_ken = advance(s, 60)
    r = reply(s, cid, "KEN/officer", text="Nous regardons.", lang="fr")
    assert r.status_code == 201, r.text
    ken = recipient(r.json(), "KEN")
    assert ken["status"] == "answered"
    assert ken["acknowledged_at"] == ken["answered_at"]
    assert abs(parse_time(ken["answered_at"]) - t_ken) <= 5
    ken_steps = [h["what"] for h in steps(r.json(), "KEN")]
    assert ken_steps == ["sent", "acknowledged", "answered"]

    # DEU answers.
    advance(s, 60)
    r = reply(s, cid, "DEU/officer", text="Blocked at our border.")
    assert r.status_code == 201, r.text
    assert recipient(r.json(), "DEU")["status"] == "answered"

    # FRA answers in DEU's thread only: no status changes.
    advance(s, 60)
    r = reply(s, cid, "FRA/officer", text="Thank you, DEU.", state="DEU")
    assert r.status_code == 201, r.text

    full = show(s, cid, "FRA/officer")
    assert [(t["thread"], t["author_state"], t["text"]) for t in full["thread"]] == [
        ("KEN", "KEN", "Nous regardons."),
        ("DEU", "DEU", "Blocked at our border."),
        ("DEU", "FRA", "Thank you, DEU."),
    ]
    assert [t["lang"] for t in full["thread"]] == ["fr", "en", "en"]
    assert len({t["id"] for t in full["thread"]}) == 3
    times = [parse_time(t["at"]) for t in full["thread"]]
    assert times == sorted(times) and times[0] < times[-1]
    assert recipient(full, "DEU")["status"] == "answered"
    assert recipient(full, "KEN")["status"] == "answered"
    # Each step says who and when.
    for h in full["history"]:
        assert h["by"] in ("FRA", "DEU", "KEN") and parse_time(h["at"]) >= created
    deu_steps = steps(full, "DEU")
    assert [(h["what"], h["by"]) for h in deu_steps] == [
        ("sent", "FRA"), ("acknowledged", "DEU"), ("answered", "DEU")]
    assert parse_time(deu_steps[1]["at"]) == parse_time(
        recipient(full, "DEU")["acknowledged_at"])
    assert parse_time(deu_steps[2]["at"]) == parse_time(recipient(full, "DEU")["answered_at"])
    # Which account acted is the acting state's own business.
    assert all("account" not in h for h in deu_steps[1:])
    deu_view = show(s, cid, "DEU/officer")
    assert steps(deu_view, "DEU", "acknowledged")[0]["account"] == account_id(s, "DEU/officer")
    assert all("account" not in h for h in steps(deu_view, "DEU", "sent"))
    assert [t["text"] for t in deu_view["thread"]] == ["Blocked at our border.",
                                                      "Thank you, DEU."]

    # A recipient cannot close; the sender closes every thread.
    assert_problem(close(s, cid, "KEN/officer"), 403)
    t_close = advance(s, 60)
    r = close(s, cid, "FRA/officer")
    assert r.status_code == 200, r.text
    closed = r.json()
    for st in ("DEU", "KEN"):
        rc = recipient(closed, st)
        assert rc["status"] == "closed"
        assert abs(parse_time(rc["closed_at"]) - t_close) <= 5
        last = steps(closed, st)[-1]
        assert (last["what"], last["by"]) == ("closed", "FRA")
        assert last["at"] == rc["closed_at"]
    assert recipient(show(s, cid, "KEN/officer"), "KEN")["status"] == "closed"

    # A closed communication takes no more acts.
    assert_problem(ack(s, cid, "DEU/officer"), 409)
    assert_problem(reply(s, cid, "DEU/officer"), 409)
    assert_problem(reply(s, cid, "FRA/officer"), 409)
    assert_problem(reply(s, cid, "FRA/officer", state="KEN"), 409)
    before = show(s, cid, "FRA/officer")
    r = close(s, cid, "FRA/officer")
    assert r.status_code in (200, 409), r.text
    after = show(s, cid, "FRA/officer")
    assert after["history"] == before["history"] and after["thread"] == before["thread"]


def test_reply_is_created_with_location(checked_server):
    s = checked_server
    cid = send(s)["id"]
    r = reply(s, cid, "DEU/officer")
    assert r.status_code == 201, r.text
    assert r.headers.get("Location", "").startswith(path(cid)), r.headers


def test_sender_reply_goes_to_every_open_thread(checked_server):
    s = checked_server
    cid = send(s, to=to("DEU", "KEN"))["id"]
    r = reply(s, cid, "FRA/admin", text="An update for all.")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert sorted(t["thread"] for t in doc["thread"]) == ["DEU", "KEN"]
    assert all(t["author_state"] == "FRA" for t in doc["thread"])
    # The sender's reply answers nothing.
    assert [x["status"] for x in doc["recipients"]] == ["sent", "sent"]
    assert [t["thread"] for t in show(s, cid, "KEN/officer")["thread"]] == ["KEN"]


def test_recipient_and_sender_address_threads(checked_server):
    s = checked_server
    cid = send(s, to=to("DEU", "KEN"))["id"]
    # A recipient may only write in its own thread.
    r = reply(s, cid, "DEU/officer", state="KEN")
    assert_problem(r, 400, "state")
    r = reply(s, cid, "DEU/officer", state="DEU")
    assert r.status_code == 201, r.text
    # The sender names a recipient's thread, not another state's.
    assert_problem(reply(s, cid, "FRA/officer", state="RUS"), 400, "state")
    assert_problem(reply(s, cid, "FRA/officer", state="FRA"), 400, "state")
    doc = show(s, cid, "FRA/officer")
    assert [(t["thread"], t["author_state"]) for t in doc["thread"]] == [("DEU", "DEU")]


def test_reply_keeps_indicators(checked_server):
    s = checked_server
    cid = send(s)["id"]
    inds = [{"type": "domain", "value": "c2.example.org"},
            {"type": "sha256", "value": "a" * 64}]
    r = reply(s, cid, "DEU/officer", indicators=inds)
    assert r.status_code == 201, r.text
    assert r.json()["thread"][0]["indicators"] == inds


def _boxes(s):
    """Three communications, a second apart (lists are newest first)."""
    c1 = send(s, to=to("DEU"))["id"]
    advance(s, 1)
    c2 = send(s, to=to("DEU", "KEN"))["id"]
    advance(s, 1)
    c3 = send(s, to=to("KEN"))["id"]
    assert ack(s, c1, "DEU/officer").status_code == 200
    assert reply(s, c2, "KEN/officer").status_code == 201
    return c1, c2, c3


def test_inbox_and_outbox_with_status_filters(clock_server):
    s = clock_server
    c1, c2, c3 = _boxes(s)
    # Newest first.
    assert list_ids(s, "DEU/officer", box="inbox") == [c2, c1]
    assert list_ids(s, "DEU/admin") == [c2, c1]  # the inbox is the default
    assert list_ids(s, "KEN/officer", box="inbox") == [c3, c2]
    assert list_ids(s, "FRA/officer", box="outbox") == [c3, c2, c1]
    assert list_ids(s, "FRA/admin2", box="outbox") == [c3, c2, c1]  # the state's outbox
    assert list_ids(s, "FRA/officer", box="inbox") == []
    assert list_ids(s, "DEU/officer", box="outbox") == []
    assert list_ids(s, "RUS/officer", box="inbox") == []
    # The sender's list shows every recipient.
    out = {i["id"]: [x["state"] for x in i["recipients"]]
           for i in listing(s, "FRA/officer", box="outbox")["items"]}
    assert out == {c1: ["DEU"], c2: ["DEU", "KEN"], c3: ["KEN"]}

    assert list_ids(s, "DEU/officer", box="inbox", status="sent") == [c2]
    assert list_ids(s, "DEU/officer", box="inbox", status="acknowledged") == [c1]
    assert list_ids(s, "DEU/officer", box="inbox", status="answered") == []
    assert list_ids(s, "KEN/officer", box="inbox", status="answered") == [c2]
    assert list_ids(s, "KEN/officer", box="inbox", status="sent") == [c3]
    assert list_ids(s, "KEN/officer", box="inbox", status="overdue") == []
    # An outbox entry matches when any of its recipients has the status.
    assert list_ids(s, "FRA/officer", box="outbox", status="sent") == [c3, c2]
    assert list_ids(s, "FRA/officer", box="outbox", status="acknowledged") == [c1]
    assert list_ids(s, "FRA/officer", box="outbox", status="answered") == [c2]
    assert list_ids(s, "FRA/officer", box="outbox", status="closed") == []
    assert close(s, c1, "FRA/officer").status_code == 200
    assert list_ids(s, "FRA/officer", box="outbox", status="closed") == [c1]
    assert list_ids(s, "DEU/officer", box="inbox", status="closed") == [c1]
    assert list_ids(s, "DEU/officer", box="inbox", status="acknowledged") == []

    # List entries carry the header and the subject, not the body.
    page = listing(s, "DEU/officer", box="inbox")
    item = [i for i in page["items"] if i["id"] == c2][0]
    assert item["subject"] == {"text": "Wiper on a grid operator", "lang": "en"}
    for k in ("description", "indicators", "history", "thread"):
        assert k not in item, item
    # A recipient sees only itself among the recipients, in lists too.
    assert [r["state"] for r in item["recipients"]] == ["DEU"]
    assert page["next"] is None


def test_cursor_pages(clock_server):
    s = clock_server
    ids = []
    for _ in range(5):
        ids.append(send(s, to=to("DEU"))["id"])
        advance(s, 1)
    ids.reverse()  # newest first
    for who, box in (("FRA/officer", "outbox"), ("DEU/officer", "inbox")):
        pages, params = [], {"box": box, "limit": 2}
        for _ in range(10):
            page = listing(s, who, **params)
            pages.append([i["id"] for i in page["items"]])
            if page["next"] is None:
                break
            assert isinstance(page["next"], str) and page["next"]
            params["cursor"] = page["next"]
        assert [len(p) for p in pages] == [2, 2, 1], pages
        assert sum(pages, []) == ids
    # Exactly one full page: the next page is empty.
    page = listing(s, "DEU/officer", box="inbox", limit=5)
    assert [i["id"] for i in page["items"]] == ids
    if page["next"] is not None:
        rest = listing(s, "DEU/officer", box="inbox", limit=5, cursor=page["next"])
        assert rest["items"] == [] and rest["next"] is None
    # Filters hold across pages.
    assert ack(s, ids[1], "DEU/officer").status_code == 200
    assert ack(s, ids[3], "DEU/officer").status_code == 200
    assert list_ids(s, "DEU/officer", box="inbox", status="sent", limit=1) == [
        ids[0], ids[2], ids[4]]


@pytest.mark.parametrize("params,field", [
    ({"box": "sent"}, "box"),
    ({"box": "INBOX"}, "box"),
    ({"status": "open"}, "status"),
    ({"status": ""}, "status"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"limit": "0"}, "limit"),
    ({"limit": "201"}, "limit"),
    ({"limit": "two"}, "limit"),
])
def test_bad_list_queries(module_server, params, field):
    r = module_server.get(COMMS, who="DEU/officer", params=params)
    assert_problem(r, 400)
    assert field in problem_fields(r) or field in r.json()["detail"], r.text


def test_second_reply_changes_no_status(clock_server):
    s = clock_server
    cid = send(s)["id"]
    first = reply(s, cid, "DEU/officer", text="First.")
    assert first.status_code == 201, first.text
    advance(s, 600)
    second = reply(s, cid, "DEU/admin", text="Second.")
    assert second.status_code == 201, second.text
    a, b = recipient(first.json(), "DEU"), recipient(second.json(), "DEU")
    assert b["status"] == "answered"
    assert b["answered_at"] == a["answered_at"] and b["acknowledged_at"] == a["acknowledged_at"]
    doc = second.json()
    assert [h["what"] for h in doc["history"]] == ["sent", "acknowledged", "answered"]
    assert [t["text"] for t in doc["thread"]] == ["First.", "Second."]
    assert parse_time(doc["thread"][1]["at"]) - parse_time(doc["thread"][0]["at"]) >= 600


def test_thread_keeps_the_order_replies_were_written(checked_server):
    """Replies within the same second stay in the order they were written."""
    s = checked_server
    cid = send(s)["id"]
    texts = []
    for i in range(8):
        who = "DEU/officer" if i % 2 == 0 else "FRA/officer"
        texts.append("message %d from %s" % (i, who[:3]))
        r = reply(s, cid, who, text=texts[-1])
        assert r.status_code == 201, r.text
    assert [t["text"] for t in show(s, cid, "FRA/officer")["thread"]] == texts
    assert [t["text"] for t in show(s, cid, "DEU/officer")["thread"]] == texts
