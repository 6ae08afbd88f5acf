"""A hall database written by the landed main before typed events (tests/data/legacy_day.db, made
by tests/data/make_legacy_day.py) still opens, replays and reports exactly as that code did."""
from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timedelta

import pytest
from conftest import DATA, SMALL_HALL

from hub.core.clock import ManualClock
from hub.core.engine import Hall
from hub.core.events import decode
from hub.server import build_service

EXPECTED = json.loads((DATA / "legacy_day.json").read_text())
# Ticket fields added since the legacy day, which its tickets never had (issue 10's grace and call reason).
SINCE = {"grace_until": None, "call_reason": None}
# Appointment fields added since (issue 12: the citizen's link to a booking made on the phone).
APPOINTMENT_SINCE = {"token": None}


def with_since(value):
    """`value` (the recorded snapshot or ticket) with SINCE's fields in every ticket it holds."""
    if isinstance(value, list):
        return [with_since(v) for v in value]
    if isinstance(value, dict):
        out = {k: with_since(v) for k, v in value.items()}
        if "slot_start" in value and "code" in value:
            return {**out, **APPOINTMENT_SINCE}
        return {**out, **SINCE} if "issued_at" in value and "order" in value else out
    return value


def without_range(value):
    """`value` without the forecast's range beside each wait (issue 10), which the landed code had not."""
    if isinstance(value, list):
        return [without_range(v) for v in value]
    if isinstance(value, dict):
        return {k: without_range(v) for k, v in value.items() if k != "estimated_wait_range"}
    return value


def as_landed(snapshot: dict) -> dict:
    """`snapshot` without what views gained since the landed code: the forecast's range and the hall's
    voice template (issue 11)."""
    out = without_range(snapshot)
    out["hall"] = {k: v for k, v in out["hall"].items() if k != "voice"}
    return out


@pytest.fixture
def legacy_db(tmp_path):
    db = tmp_path / "legacy.db"
    shutil.copy(DATA / "legacy_day.db", db)
    return db


def open_hub(db, clock):
    return build_service(db, SMALL_HALL, clock)


def test_the_legacy_day_replays_and_reports_as_the_landed_code_did(legacy_db):
    clock = ManualClock(datetime.fromisoformat(EXPECTED["now"]))
    hub = open_hub(legacy_db, clock)
    assert as_landed(hub.snapshot()) == with_since(EXPECTED["snapshot"])
    rows = hub.store.tickets_between("2026-11-01", "2026-11-30")
    # Tickets now record the issuing device's id; the legacy ones did not know it. The first call and
    # why a ticket was cancelled are read back from the log by the schema 8 migration.
    added = ("first_called_at", "cancel_reason")
    assert [{k: v for k, v in r.items() if k not in added} for r in rows] == [
        {**r, "device_id": None} for r in EXPECTED["ticket_rows"]]
    assert {r["number"]: r["cancel_reason"] for r in rows if r["state"] == "cancelled"} == {
        "A003": "day_end", "A004": "day_end", "A005": "cancelled", "Z001": "day_end", "A009": "day_end"}
    assert all(r["first_called_at"] <= r["called_at"] for r in rows if r["called_at"])
    # Figures whose definitions were kept are the landed code's; cancellations are now told apart.
    report, landed = hub.report("2026-11-23", "2026-11-24"), EXPECTED["report"]
    kept = ("tickets", "done", "no_show", "transfers", "evaluations", "satisfaction")
    assert {k: report["summary"][k] for k in kept} == {k: landed["summary"][k] for k in kept}
    assert report["summary"]["cancelled"] + report["summary"]["day_end"] == landed["summary"]["cancelled"]
    assert report["evaluations"] == landed["evaluations"]
    assert [h["tickets"] for h in report["by_hour"]] == [h["tickets"] for h in landed["by_hour"]]
    today = {str(i) for i in hub.hall.state.tickets}  # viewed live, with the fields added since
    assert {str(r["id"]): without_range(hub.stored_ticket_view(r)) for r in rows} == {
        k: with_since(v) if k in today else v for k, v in EXPECTED["ticket_views"].items()}
    # Devices catching up over the legacy rows get the same messages, marked version 1.
    wire = list(hub.store.events_since(0))
    assert [w.pop("v") for w in wire] == [1] * len(EXPECTED["wire"])
    assert wire == EXPECTED["wire"]
    hub.store.close()


async def test_the_hall_goes_on_after_the_migration_and_replays_old_and_new_events_alike(legacy_db):
    clock = ManualClock(datetime.fromisoformat(EXPECTED["now"]))
    hub = open_hub(legacy_db, clock)
    caller = {"id": None, "role": "caller", "window_id": 1, "name": "caller-1"}
    status, body = await hub.finish("after-upgrade-1", caller, 1)
    assert status == 200
    status, body = await hub.call_next("after-upgrade-2", caller, 1)
    assert body["ticket"]["number"] == "B001"  # the pension ticket issued this morning
    before = hub.snapshot()
    new = list(hub.store.events_since(EXPECTED["snapshot"]["seq"]))
    assert [(e["type"], e["v"]) for e in new] == [("ticket.finished", 2), ("ticket.called", 3)]
    assert new[1]["data"]["ticket"]["number"] == "B001" and "token" not in new[1]["data"]["ticket"]
    assert new[1]["data"]["window"]["current"] == new[1]["data"]["ticket"]["id"]
    hub.store.close()
    versions = sqlite3.connect(legacy_db).execute("SELECT version, COUNT(*) FROM events GROUP BY version").fetchall()
    assert versions == [(1, len(EXPECTED["wire"])), (2, 1), (3, 1)]
    again = open_hub(legacy_db, clock)
    assert again.snapshot() == before
    again.store.close()


def test_each_legacy_event_replayed_as_facts_leaves_what_its_snapshot_recorded(legacy_db):
    """Version-1 rows hold the ticket/window/appointment as the landed code left them: folding the
    facts read out of them must give exactly those, event after event, from the first."""
    clock = ManualClock(datetime.fromisoformat(EXPECTED["now"]))
    config = open_hub(legacy_db, clock).config
    hall = Hall(config)
    rows = sqlite3.connect(legacy_db).execute("SELECT type, version, data, at FROM events ORDER BY seq").fetchall()
    compared = 0
    for kind, version, data, at in rows:
        data = json.loads(data)
        carried = hall.apply(decode(kind, version, data, at))
        for name in ("ticket", "window", "appointment"):
            if name in data and name in carried:
                recorded = ({**data[name], "device_id": None, **SINCE} if name == "ticket"  # not known then
                            else with_since(data[name]))
                assert carried[name] == recorded, (kind, at)
                compared += 1
    assert compared > 80


def test_without_its_snapshots_the_legacy_log_replays_to_the_same_hall(legacy_db):
    con = sqlite3.connect(legacy_db)
    con.execute("DELETE FROM snapshots")
    con.commit()
    con.close()
    hub = open_hub(legacy_db, ManualClock(datetime.fromisoformat(EXPECTED["now"])))
    assert as_landed(hub.snapshot()) == with_since(EXPECTED["snapshot"])
    hub.store.close()


async def test_remembered_requests_stay_their_devices_after_the_migration(legacy_db):
    """Requests are keyed by (device, request_id) now: each legacy answer still replays for its own
    device (the citizen's namespaced ones with no device); another device's same id is a new request."""
    now = datetime.fromisoformat(EXPECTED["now"])
    with sqlite3.connect(legacy_db) as con:
        # the refusals were remembered without a time; the migration dates them like their neighbours
        every = con.execute("SELECT request_id, device_id, status, response, at FROM requests").fetchall()
    day_old = (now - timedelta(hours=24)).isoformat()
    rows = [r[:4] for r in every if r[4] is not None and r[4] >= day_old]
    hub = open_hub(legacy_db, ManualClock(now))
    for request_id, device_id, status, response in rows:
        assert hub.store.request(device_id, request_id) == (status, json.loads(response))
    # answers older than a day were forgotten when the hub started (requests are kept one day)
    gone = [r for r in every if r[4] is not None and r[4] < day_old]
    assert gone and all(hub.store.request(d, r) is None for r, d, *_ in gone)
    assert hub.store.conn.execute("SELECT COUNT(*) FROM requests WHERE at IS NULL").fetchone()[0] == 0
    kiosk_id, kiosk_request = next((d, r) for r, d, _, _ in rows if d is not None)
    assert hub.store.request(kiosk_id + 100, kiosk_request) is None
    assert any(r.startswith("pub:") and d is None for r, d, _, _ in rows)
    hub.store.close()
