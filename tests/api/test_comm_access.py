"""Who sees and does what with a communication: third states, the Secretariat, co-recipients,
open distribution, the sender and the recipients' roles, TLP:RED, and whom one may address."""
import pytest

from conftest import assert_problem
from comm_helpers import (COMMS, ack, close, comm_body, list_ids, listing, path, recipient, reply,
                          send, show, steps, to)
from comm_helpers import checked_server  # noqa: F401 (fixtures)
from pocd_helpers import problem_fields, state_pocs

CONTENT = ("subject", "description", "indicators", "incident", "sectors", "requested_action",
           "reply_languages")


def test_third_state_gets_404(checked_server):
    s = checked_server
    cid = send(s, to=to("DEU", "KEN"))["id"]
    for who in ("RUS/officer", "RUS/admin", "JPN/admin2"):
        assert_problem(s.get(path(cid), who=who), 404)
        assert_problem(ack(s, cid, who), 404)
        assert_problem(reply(s, cid, who), 404)
        # Even a bad body: the communication does not exist for this caller.
        assert_problem(s.post(path(cid, "replies"), who=who, json={"x": 1}), 404)
        assert_problem(close(s, cid, who), 404)
        assert cid not in list_ids(s, who, box="inbox")
        assert cid not in list_ids(s, who, box="outbox")
    # The same answer as for an id that does not exist.
    r_missing = s.get(path("a" * 26), who="RUS/officer")
    r_hidden = s.get(path(cid), who="RUS/officer")
    assert_problem(r_missing, 404)
    assert r_missing.json()["detail"] == r_hidden.json()["detail"]
    assert_problem(s.get(path("not-an-id!"), who="FRA/officer"), 404)
    # Nothing changed for the parties.
    doc = show(s, cid, "FRA/officer")
    assert [x["status"] for x in doc["recipients"]] == ["sent", "sent"]
    assert doc["thread"] == []


def test_secretariat_sees_no_communication(checked_server):
    s = checked_server
    cid = send(s)["id"]
    assert_problem(s.get(path(cid), who="secretariat"), 404)
    assert_problem(s.get(COMMS, who="secretariat"), 403)
    assert_problem(s.get(COMMS, who="secretariat", params={"box": "outbox"}), 403)
    assert_problem(ack(s, cid, "secretariat"), 404)
    assert_problem(reply(s, cid, "secretariat"), 404)
    assert_problem(close(s, cid, "secretariat"), 404)
    assert_problem(s.post(COMMS, who="secretariat",
                          json=comm_body(to=to("DEU"))), 403)
    assert show(s, cid, "DEU/officer")["thread"] == []


def test_anonymous_gets_401(checked_server):
    s = checked_server
    cid = send(s)["id"]
    assert_problem(s.get(path(cid)), 401)
    assert_problem(s.get(COMMS), 401)
    assert_problem(s.post(COMMS, json=comm_body()), 401)
    assert_problem(s.post(path(cid, "acknowledge"), json={}), 401)
    assert_problem(s.get("/api/v1/reports/responsiveness"), 401)
    assert_problem(s.get("/api/v1/templates"), 401)


def test_recipient_sees_itself_not_the_others(checked_server):
    s = checked_server
    cid = send(s, to=to("DEU", "KEN"))["id"]
    assert reply(s, cid, "KEN/officer", text="KEN's secret answer").status_code == 201
    assert reply(s, cid, "DEU/officer", text="DEU's answer").status_code == 201
    assert reply(s, cid, "FRA/officer", text="To KEN only", state="KEN").status_code == 201
    deu = show(s, cid, "DEU/officer")
    assert [x["state"] for x in deu["recipients"]] == ["DEU"]
    assert {h["state"] for h in deu["history"]} == {"DEU"}
    assert [t["text"] for t in deu["thread"]] == ["DEU's answer"]
    assert "KEN" not in str(deu)
    ken = show(s, cid, "KEN/admin")
    assert [x["state"] for x in ken["recipients"]] == ["KEN"]
    assert sorted(t["text"] for t in ken["thread"]) == ["KEN's secret answer", "To KEN only"]
    assert "DEU" not in str(ken)
    # Both see the sender; the sender sees everyone.
    assert deu["sender"] == {"state": "FRA"} and ken["sender"] == {"state": "FRA"}
    fra = show(s, cid, "FRA/admin")
    assert [x["state"] for x in fra["recipients"]] == ["DEU", "KEN"]
    assert len(fra["thread"]) == 3
    # The list shows the same.
    item = [i for i in listing(s, "DEU/officer")["items"] if i["id"] == cid][0]
    assert [x["state"] for x in item["recipients"]] == ["DEU"]


def test_open_distribution_shows_every_recipient(checked_server):
    s = checked_server
    doc = send(s, to=to("DEU", "KEN"), open_distribution=True)
    cid = doc["id"]
    assert doc["open_distribution"] is True
    assert reply(s, cid, "KEN/officer", text="KEN's answer").status_code == 201
    deu = show(s, cid, "DEU/officer")
    assert deu["open_distribution"] is True
    assert [x["state"] for x in deu["recipients"]] == ["DEU", "KEN"]
    assert recipient(deu, "KEN")["status"] == "answered"
    # It shows who else was addressed and their progress, not their exchanges with the sender.
    assert deu["thread"] == [], deu["thread"]
    assert {h["state"] for h in deu["history"]} == {"DEU", "KEN"}
    # Another state's account ids stay its own business.
    assert all("account" not in h for h in steps(deu, "KEN"))
    # Open distribution lets a recipient see, not act for another.
    assert_problem(reply(s, cid, "DEU/officer", state="KEN"), 400, "state")
    assert recipient(show(s, cid, "KEN/officer"), "KEN")["status"] == "answered"


@pytest.mark.parametrize("tlp", ["RED", "AMBER+STRICT"])
def test_open_distribution_refused_with_restricted_tlp(checked_server, tlp):
    s = checked_server
    before = list_ids(s, "FRA/officer", box="outbox")
    r = s.post(COMMS, who="FRA/officer",
               json=comm_body(tlp=tlp, to=to("DEU", "KEN"), open_distribution=True))
    assert_problem(r, 400, "open_distribution")
    assert list_ids(s, "FRA/officer", box="outbox") == before
    assert list_ids(s, "DEU/officer") == []


def test_sender_cannot_acknowledge_and_recipient_cannot_close(checked_server):
    s = checked_server
    cid = send(s, to=to("DEU"))["id"]
    for who in ("FRA/officer", "FRA/admin"):
        assert_problem(ack(s, cid, who), 403)
    for who in ("DEU/officer", "DEU/admin"):
        assert_problem(close(s, cid, who), 403)
    doc = show(s, cid, "FRA/officer")
    assert recipient(doc, "DEU")["status"] == "sent"
    assert [h["what"] for h in doc["history"]] == ["sent"]
    # Any account of the sending state closes; any of the recipient state acknowledges.
    assert ack(s, cid, "DEU/admin2").status_code == 200
    assert close(s, cid, "FRA/admin").status_code == 200


def test_ack_and_close_take_no_fields(checked_server):
    s = checked_server
    cid = send(s)["id"]
    assert_problem(s.post(path(cid, "acknowledge"), who="DEU/officer", json={"note": "x"}),
                   400, "note")
    assert_problem(s.post(path(cid, "close"), who="FRA/officer", json={"reason": "x"}), 400,
                   "reason")
    assert_problem(s.post(path(cid, "acknowledge"), who="DEU/officer", data="[]",
                          headers={"Content-Type": "application/json"}), 400)
    assert recipient(show(s, cid, "FRA/officer"), "DEU")["status"] == "sent"
    # An empty body is fine.
    r = s.post(path(cid, "acknowledge"), who="DEU/officer")
    assert r.status_code == 200, r.text


def _withheld(doc):
    assert doc.get("content_withheld") == "TLP:RED", doc
    for k in CONTENT:
        assert k not in doc, (k, doc)


def _visible(doc):
    assert "content_withheld" not in doc, doc
    assert doc["subject"]["text"] == "Wiper on a grid operator"
    assert doc["description"]["text"].startswith("A destructive")
    assert doc["indicators"] == [{"type": "ipv4", "value": "198.51.100.7"}]


def test_red_content_only_for_accounts_linked_to_the_addressed_pocs(checked_server):
    s = checked_server
    cid = send(s, tlp="RED", to=to("DEU", kinds=["technical"]))["id"]
    assert reply(s, cid, "DEU/officer", text="Red reply text").status_code == 201
    # DEU's officer is linked to the technical PoC: it reads everything.
    _visible(show(s, cid, "DEU/officer"))
    assert show(s, cid, "DEU/officer")["thread"][0]["text"] == "Red reply text"
    # DEU's administrators are linked to the diplomatic PoC only.
    for who in ("DEU/admin", "DEU/admin2"):
        doc = show(s, cid, who)
        _withheld(doc)
        # The header and the statuses remain.
        assert doc["tlp"] == "RED" and recipient(doc, "DEU")["status"] == "answered"
        assert len(doc["thread"]) == 1
        t = doc["thread"][0]
        assert t.get("content_withheld") == "TLP:RED" and "text" not in t, t
        assert "Red reply text" not in str(doc)
        item = [i for i in listing(s, who)["items"] if i["id"] == cid][0]
        _withheld(item)
    # The sending account reads it; its state's other accounts, not addressed, do not.
    _visible(show(s, cid, "FRA/officer"))
    assert show(s, cid, "FRA/officer")["thread"][0]["text"] == "Red reply text"
    _withheld(show(s, cid, "FRA/admin"))
    # Who may not read it may not answer it either; acknowledging is still the state's.
    for who in ("DEU/admin2", "FRA/admin"):
        assert_problem(reply(s, cid, who, text="Blind answer"), 403)
    assert [x["text"] for x in show(s, cid, "DEU/officer")["thread"]] == ["Red reply text"]
    assert reply(s, cid, "FRA/officer", text="Sender's answer").status_code == 201


def test_red_to_diplomatic_pocs(checked_server):
    s = checked_server
    cid = send(s, who="FRA/admin", tlp="RED", to=to("DEU", kinds=["diplomatic"]))["id"]
    _visible(show(s, cid, "DEU/admin"))
    _visible(show(s, cid, "DEU/admin2"))
    _withheld(show(s, cid, "DEU/officer"))
    _visible(show(s, cid, "FRA/admin"))
    # On the sending side only the author reads it, even an account of the same PoC.
    _withheld(show(s, cid, "FRA/admin2"))
    _withheld(show(s, cid, "FRA/officer"))
    # Both kinds addressed: all of the recipient's linked accounts read it.
    cid2 = send(s, tlp="RED", to=to("DEU", kinds=["technical", "diplomatic"]))["id"]
    for who in ("DEU/officer", "DEU/admin", "DEU/admin2"):
        _visible(show(s, cid2, who))


def test_amber_strict_stays_with_each_recipient(checked_server):
    s = checked_server
    cid = send(s, tlp="AMBER+STRICT", to=to("DEU", "KEN"))["id"]
    assert reply(s, cid, "KEN/officer", text="KEN only").status_code == 201
    deu = show(s, cid, "DEU/admin")
    _visible(deu)  # not RED: every account of the recipient state
    assert [x["state"] for x in deu["recipients"]] == ["DEU"]
    assert deu["thread"] == []


def _participation(s):
    r = s.get("/api/v1/states", who="FRA/officer")
    assert r.status_code == 200, r.text
    return {st["code"]: st["participating"] for st in r.json()["items"]}


def test_bad_recipients(checked_server):
    s = checked_server
    part = _participation(s)
    outsider = sorted(c for c, p in part.items() if not p)[0]
    cases = [
        (to("FRA"), "to[0].state"),
        (to("DEU", "FRA"), "to[1].state"),
        (to(outsider), "to[0].state"),
        (to("KEN", outsider), "to[1].state"),
        (to("XXX"), "to[0].state"),
    ]
    before = list_ids(s, "FRA/officer", box="outbox")
    for dest, field in cases:
        r = s.post(COMMS, who="FRA/officer", json=comm_body(to=dest))
        doc = assert_problem(r, 400, field)
        assert field in doc["detail"] or field in problem_fields(r)
        assert list_ids(s, "FRA/officer", box="outbox") == before, dest
    assert list_ids(s, "DEU/officer") == [] and list_ids(s, "KEN/officer") == []

    # A state without a PoC of the kind addressed: DEU removes its diplomatic PoCs.
    for p in state_pocs(s, "DEU"):
        if p["kind"] == "diplomatic":
            r = s.delete("/api/v1/pocs/" + p["id"], who="DEU/admin",
                         headers={"If-Match": "*"})
            assert r.status_code == 200, r.text
    r = s.post(COMMS, who="FRA/officer",
               json=comm_body(to=[{"state": "KEN", "kinds": ["technical"]},
                                  {"state": "DEU", "kinds": ["technical", "diplomatic"]}]))
    assert_problem(r, 400, "to[1].kinds")
    assert "to[1].state" not in problem_fields(r)
    assert list_ids(s, "FRA/officer", box="outbox") == before
    # Its technical PoCs are still addressable.
    send(s, to=to("DEU", kinds=["technical"]))
