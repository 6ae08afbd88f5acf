"""The store keeps its durability promise: WAL with synchronous=FULL, and what was acknowledged is there
after the database is opened again."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import SMALL_HALL

from hub.core.clock import ManualClock
from hub.server import build_service
from hub.store import Store


def test_the_store_commits_in_wal_mode_with_full_sync(tmp_path):
    store = Store(tmp_path / "hall.db")
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    store.close()


async def test_an_acknowledged_ticket_is_there_after_reopening(tmp_path):
    db = tmp_path / "hall.db"
    clock = ManualClock(datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    kiosk = {"id": None, "role": "kiosk", "window_id": None, "name": "kiosk-1"}
    hub = build_service(db, SMALL_HALL, clock)
    status, answer = await hub.issue_ticket("req-issue-1", kiosk, "pension")
    assert status == 200 and answer["ticket"]["number"] == "B001"
    hub.store.close()
    again = build_service(db, SMALL_HALL, clock)
    assert [t["number"] for t in again.snapshot()["tickets"]] == ["B001"]
    assert again.store.ticket(answer["ticket"]["id"])["state"] == "waiting"
    # the same request again gets the first answer and issues nothing
    assert await again.issue_ticket("req-issue-1", kiosk, "pension") == (200, answer)
    assert len(again.hall.state.tickets) == 1
    again.store.close()


async def test_remembered_requests_are_forgotten_after_a_day_and_replay_within_it(tmp_path):
    """Each command's request_id and answer are kept so a repeat is not done twice; a new business day
    forgets those older than a day, so the table holds about one day instead of every command ever."""
    db = tmp_path / "hall.db"
    tz = ZoneInfo("Asia/Shanghai")
    clock = ManualClock(datetime(2026, 11, 23, 9, 30, tzinfo=tz))
    kiosk = {"id": 7, "role": "kiosk", "window_id": None, "name": "kiosk-1"}
    hub = build_service(db, SMALL_HALL, clock)
    monday = await hub.issue_ticket("req-mon", kiosk, "pension")
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=tz))
    await hub.issue_ticket("req-tue", kiosk, "pension")
    # Tuesday 09:00: Monday 09:30 is within a day, so its repeat still gets the first answer
    assert await hub.issue_ticket("req-mon", kiosk, "pension") == monday
    clock.set(datetime(2026, 11, 25, 9, 30, tzinfo=tz))
    wednesday = await hub.issue_ticket("req-wed", kiosk, "pension")
    # answered after its commit, and the new day's first commit (before it) pruned the table
    assert hub.store.request(7, "req-mon") is None and hub.store.request(7, "req-tue") is None
    assert hub.store.conn.execute("SELECT COUNT(*) FROM requests").fetchone()[0] == 1
    # Wednesday's own repeat still replays and issues nothing
    hub.store.close()
    again = build_service(db, SMALL_HALL, clock)
    assert await again.issue_ticket("req-wed", kiosk, "pension") == wednesday
    assert [t["number"] for t in again.snapshot()["tickets"]] == [wednesday[1]["ticket"]["number"]]
    again.close()
