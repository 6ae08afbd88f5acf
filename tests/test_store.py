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
