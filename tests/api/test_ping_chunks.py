"""A campaign over many PoCs is made in chunks of --campaign-chunk pings, each its own
transaction, so that other writes go through between them; the answer still waits for the
whole campaign, every PoC gets exactly one ping, and the campaign is logged once. A campaign
left half made (a restart between chunks) is completed by the scheduler when pocd starts."""
import json
import sqlite3
import threading
import time

from comm_helpers import send, stop_clean, to
from ping_helpers import campaign, db_rows, outbox, results
from test_log import leaves, log_verify
from test_receipts import log_size


def _every_poc(s):
    r = s.get("/api/v1/directory", who="secretariat", params={"limit": 5000})
    assert r.status_code == 200 and r.json()["next"] is None
    return r.json()["items"]


def _campaign_leaves(s, cid, before, after):
    found = []
    for who in ("FRA/admin", "DEU/officer", "KEN/admin"):
        found += [json.loads(i["leaf"]) for i in leaves(s, who, before, after) if "leaf" in i]
    return [lf for lf in found if lf["event"] == "ping_campaign.created" and lf["object"] == cid]


def test_a_campaign_in_chunks_pings_every_poc_once(server):
    s = server
    assert s.stop() == 0
    s.start("--campaign-chunk", "7")
    every = _every_poc(s)
    assert len(every) > 3 * 7, "the demo must span several chunks"
    before = log_size(s)
    c = campaign(s, scope="all")
    after = log_size(s)
    assert c["pings"] == len(every) and c["complete"] is True
    rows = results(s, c["id"])["items"]
    assert sorted(r["poc"] for r in rows) == sorted(p["id"] for p in every)
    mail = outbox(s)
    assert sorted(m["poc"] for m in mail) == sorted(p["id"] for p in every)
    # Logged once, when complete: one leaf per state pinged, nothing else from the campaign.
    states = {p["state"] for p in every}
    assert after - before == len(states)
    mine = _campaign_leaves(s, c["id"], before, after)
    assert {lf["party"] for lf in mine} == {"FRA", "DEU", "KEN"}
    # A scope of codes and one kind, over chunks too.
    tech = [p for p in every if p["state"] in ("FRA", "KEN", "JPN") and p["kind"] == "technical"]
    d = campaign(s, scope=["KEN", "FRA", "JPN"], kinds=["technical"])
    assert d["pings"] == len(tech)
    assert sorted(r["poc"] for r in results(s, d["id"])["items"]) == sorted(
        p["id"] for p in tech)
    stop_clean(s)
    r = log_verify(s)
    assert r.returncode == 0, r.stdout + r.stderr


def test_other_writes_go_through_between_chunks(server):
    s = server
    assert s.stop() == 0
    s.start("--campaign-chunk", "1")
    done = {}
    t = threading.Thread(target=lambda: done.update(c=campaign(s, scope="all")))
    t.start()
    deadline = time.monotonic() + 20
    while not outbox(s) and time.monotonic() < deadline:
        time.sleep(0.005)
    sent = {send(s, to=to("DEU"))["id"] for _ in range(3)}
    t.join(60)
    assert not t.is_alive() and done["c"]["pings"] == len(_every_poc(s))
    # The outbox's order is the order of commits: the communications' mail sits among the
    # campaign's pings, not after them.
    rows = db_rows(s, "SELECT seq, kind, ref_id FROM outbox ORDER BY seq")
    pings = [seq for seq, kind, _ in rows if kind == "ping"]
    comms = [seq for seq, kind, ref in rows if ref in sent]
    assert comms and pings, rows
    assert any(min(pings) < seq < max(pings) for seq in comms), rows
    stop_clean(s)


def test_a_half_made_campaign_is_completed_on_start(server):
    s = server
    every = _every_poc(s)
    c = campaign(s, scope=["FRA"])
    assert s.stop() == 0
    # What a restart between two chunks leaves: the campaign, the pings of the PoCs up to its
    # cursor, and no log entry yet. Made here from a complete campaign's row, copied under a
    # new id with its cursor before every PoC.
    con = sqlite3.connect(s.db)
    cols = [r[1] for r in con.execute("PRAGMA table_info(ping_campaigns)")]
    row = dict(zip(cols, con.execute("SELECT * FROM ping_campaigns WHERE id = ?",
                                     (c["id"],)).fetchone()))
    row.update(id="resumedcampaignaaaaaaaaaaa", scope="all", fill_state="", fill_key="")
    con.execute("INSERT INTO ping_campaigns (%s) VALUES (%s)" % (
        ", ".join(row), ", ".join("?" * len(row))), list(row.values()))
    con.commit()
    con.close()
    s.start()
    deadline = time.monotonic() + 20
    while True:
        rows = results(s, "resumedcampaignaaaaaaaaaaa")["items"]
        if len(rows) == len(every) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert sorted(r["poc"] for r in rows) == sorted(p["id"] for p in every)
    con = sqlite3.connect("file:%s?mode=ro" % s.db, uri=True)
    fill = con.execute("SELECT fill_state FROM ping_campaigns WHERE id = ?",
                       ("resumedcampaignaaaaaaaaaaa",)).fetchone()
    events = con.execute("SELECT count(*) FROM events WHERE type = 'ping_campaign.created'"
                         " AND object_id = ?", ("resumedcampaignaaaaaaaaaaa",)).fetchone()
    con.close()
    assert fill == (None,) and events == (1,)
    r = s.get("/api/v1/ping-campaigns/resumedcampaignaaaaaaaaaaa", who="secretariat")
    assert r.status_code == 200 and r.json()["complete"] is True, r.text
    stop_clean(s)
    r = log_verify(s)
    assert r.returncode == 0, r.stdout + r.stderr
