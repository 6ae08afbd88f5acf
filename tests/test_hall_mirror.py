"""The devices' copy of the hall (hub.client.HallMirror) against a real hub."""
from __future__ import annotations

import shutil
import sqlite3

from hub.client import HallMirror
from tests.conftest import until


async def test_an_answer_shows_at_once_and_its_late_events_do_not_roll_it_back(hub, clients):
    kiosk, caller = clients("kiosk"), clients("caller", 1)
    mirror = HallMirror(caller)
    for _ in range(2):
        await kiosk.issue_ticket("business-license")
    await caller.login(1, "c001", "1111")
    mirror.start()
    await until(lambda: mirror.connected and mirror.window(1)["state"] == "open")
    called = await caller.call_next(1)
    serving = await caller.serve(1)
    mirror.apply_answer(called)  # the older answer applied last, as a slow screen might
    mirror.apply_answer(serving)
    assert mirror.current_ticket(1)["state"] == "serving"
    await until(lambda: mirror.seq >= serving["seq"])  # now the events of both come in
    assert mirror.current_ticket(1)["state"] == "serving" and mirror.current_ticket(1)["number"] == "A001"
    assert [t["number"] for t in mirror.calls] == ["A001"]
    finished = await caller.finish(1)
    await until(lambda: mirror.seq >= finished["seq"])
    assert mirror.current_ticket(1) is None and mirror.window(1)["served_today"] == 1
    assert sorted(t["number"] for t in mirror.tickets.values()) == ["A002"]
    await mirror.aclose()


async def test_the_mirror_is_rebuilt_when_the_hub_comes_back_from_a_backup(hub, clients, db_path, tmp_path):
    """The hub restarts from an older copy of its database: the device is ahead of the hub's
    log, is told to take a snapshot, and forgets what the backup does not hold."""
    kiosk, caller, display = clients("kiosk"), clients("caller", 1), clients("display")
    mirror = HallMirror(display)
    mirror.start()
    await kiosk.issue_ticket("business-license")
    await caller.login(1, "c001", "1111")
    called = await caller.call_next(1)
    await until(lambda: mirror.seq is not None and mirror.seq >= called["seq"])
    backup = tmp_path / "backup.db"
    live, copy = sqlite3.connect(db_path), sqlite3.connect(backup)
    live.backup(copy)
    live.close()
    copy.close()
    for _ in range(2):
        last = await kiosk.issue_ticket("business-license")
    await until(lambda: mirror.seq >= last["seq"])
    assert mirror.waiting_in_zone("general") == 2

    hub.stop()
    await until(lambda: not mirror.connected)
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    shutil.copy(backup, db_path)
    hub.start()
    await until(lambda: mirror.connected and mirror.seq == called["seq"], timeout=15)
    assert mirror.waiting_in_zone("general") == 0
    assert mirror.current_ticket(1)["number"] == "A001"
    assert [t["number"] for t in mirror.tickets.values()] == ["A001"]
    await mirror.aclose()
