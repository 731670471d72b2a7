"""/verify checks a receipt in the browser, without an account: a receipt put together from
the log's own answers (the caller's leaf, the checkpoint, the inclusion proof) verifies, and
each kind of tampering is caught by the check that should catch it."""
import base64
import json
import os

import pytest
import requests

from pocd_helpers import create_poc


def receipt_of(server, who, state, poc_id):
    """The receipt of the creation of poc_id, from GET /api/v1/log/... as the state sees it."""
    note = requests.get(server.url + "/api/v1/log/checkpoint").text
    size = int(note.split("\n")[1])
    for start in range(max(0, size - 1000), size, 1000):
        r = server.get("/api/v1/log/leaves", who=who, params={"start": start, "end": size})
        for item in r.json()["items"]:
            leaf = json.loads(item["leaf"]) if "leaf" in item else None
            if leaf and leaf["object"] == poc_id and leaf["event"] == "poc.created":
                proof = server.get("/api/v1/log/proof/inclusion", who=who,
                                   params={"index": item["index"], "size": size}).json()
                return {"event_id": leaf["event_id"], "leaf": item["leaf"],
                        "index": item["index"], "checkpoint": note, "proof": proof["hashes"]}
    raise AssertionError("no leaf for %s" % poc_id)


@pytest.fixture(scope="module")
def receipt(server):
    doc = create_poc(server, who="RUS/admin", state="RUS", organisation="Receipt desk",
                     email="receipt@rus.example", time_zone="Europe/Moscow").json()
    return receipt_of(server, "RUS/admin", "RUS", doc["id"])


def verify(page, doc, key=None):
    page.open("/verify")
    box = page.field("key")
    page.wait(lambda d: box.get_attribute("value"))
    if key is not None:
        box.clear()
        box.send_keys(key)
    area = page.field("receipt")
    page.d.execute_script("arguments[0].value = arguments[1]", area,
                          doc if isinstance(doc, str) else json.dumps(doc))
    page.css("main form button[type=submit]").click()
    h2 = page.css("#verdict h2")
    checks = [li.get_attribute("class") for li in page.all("#verdict li")]
    return h2.text, checks


def test_a_receipt_verifies(page, receipt):
    verdict, checks = verify(page, receipt)
    assert verdict == "The receipt is valid.", checks
    assert checks == ["ok"] * 7
    text = page.css("#verdict").text
    assert "poc.created" in text and "RUS" in text and receipt["event_id"] in text
    page.screenshot("verify")


def flip(b64):
    raw = bytearray(base64.b64decode(b64))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def test_tampering_is_caught(page, receipt):
    leaf = json.loads(receipt["leaf"])
    leaf["party"] = "FRA"
    cases = {
        "the leaf": (dict(receipt, leaf=json.dumps(leaf, separators=(",", ":"))), 5),
        "the index": (dict(receipt, index=receipt["index"] + 1), 5),
        "a proof hash": (dict(receipt, proof=[flip(receipt["proof"][0])] + receipt["proof"][1:]), 5),
        "the root": (dict(receipt, checkpoint=receipt["checkpoint"].replace(
            receipt["checkpoint"].split("\n")[2], flip(receipt["checkpoint"].split("\n")[2]))), 4),
        "the event id": (dict(receipt, event_id="someotherevent"), 6),
        "the shape": ({"leaf": receipt["leaf"]}, 2),
    }
    for what, (doc, failing) in cases.items():
        verdict, checks = verify(page, doc)
        assert verdict == "The receipt does not verify.", what
        assert checks == ["ok"] * failing + ["bad"], (what, checks)


def test_another_key_fails(page, receipt):
    name, keyid, key = requests.get(page.server.url + "/api/v1/log/key").text.strip().split("+", 2)
    raw = bytearray(base64.b64decode(key))
    raw[5] ^= 1
    _, checks = verify(page, receipt, "+".join([name, keyid, base64.b64encode(bytes(raw)).decode()]))
    assert checks == ["ok", "bad"]
    _, checks = verify(page, receipt, "not a key")
    assert checks == ["bad"]


def test_verify_in_arabic(page, receipt):
    page.open("/verify?lang=ar")
    verdict, checks = verify(page, receipt)
    assert checks == ["ok"] * 7
    assert page.d.execute_script("return document.documentElement.dir") == "rtl"


def saved(page, event_id):
    """The receipt the browser saved for event_id, once the file is complete."""
    from conftest import poll

    path = os.path.join(page.d.downloads, "receipt-%s.json" % event_id)
    poll(lambda: os.path.exists(path) and os.path.getsize(path) > 0, timeout=10)
    with open(path) as f:
        return json.load(f)


def test_receipts_of_a_thread_are_saved_and_verify(page):
    from comm_helpers import ack, send, to

    doc = send(page.server, who="BRA/officer", to=to("IND"))
    r = ack(page.server, doc["id"], "IND/officer")
    assert r.status_code == 200 and "receipt" in r.json()
    page.login("BRA/officer")
    page.open("/thread?id=" + doc["id"])
    page.css("main .receipts button.receipt")
    buttons = page.all("main .receipts button.receipt")
    items = page.all("main .receipts li")
    assert len(items) == 2 and "Sent" in items[0].text and "Acknowledged (IND)" in items[1].text
    event = buttons[-1].get_attribute("data-event")
    buttons[-1].click()
    rec = saved(page, event)
    assert rec["event_id"] == event and json.loads(rec["leaf"])["party"] == "BRA"
    verdict, checks = verify(page, rec)
    assert verdict == "The receipt is valid.", checks


def test_a_write_offers_its_receipt(page):
    page.login("JPN/officer")
    page.open("/compose")
    from selenium.webdriver.support.select import Select

    Select(page.css("#pick-state")).select_by_value("DEU")
    page.button("Add recipient").click()
    page.fill("subject", "Receipt please")
    page.fill("description", "Keep the proof.")
    page.button("Send").click()
    page.wait(lambda d: page.path().startswith("/thread?id="))
    button = page.css("#status button.receipt")
    event = button.get_attribute("data-event")
    button.click()
    rec = saved(page, event)
    leaf = json.loads(rec["leaf"])
    assert leaf["event"] == "communication.sent" and leaf["party"] == "JPN"
    verdict, checks = verify(page, rec)
    assert verdict == "The receipt is valid.", checks


def test_either_key_of_a_rotation(page, receipt):
    """While the log changes keys, /api/v1/log/key has two lines: a checkpoint signed by
    either verifies; a key that did not sign it alone does not."""
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    real = requests.get(page.server.url + "/api/v1/log/key").text.strip().split("\n")[0]
    name = real.split("+", 1)[0]
    pub = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    raw = b"\x01" + pub
    keyid = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex()
    other = "%s+%s+%s" % (name, keyid, base64.b64encode(raw).decode())
    verdict, checks = verify(page, receipt, other + "\n" + real)
    assert verdict == "The receipt is valid.", checks
    _, checks = verify(page, receipt, other)
    assert checks == ["ok"] * 4 + ["bad"]
