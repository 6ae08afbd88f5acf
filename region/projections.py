"""The region's tables as folds of the raw events. A batch is folded in memory (the rows it touches are
read once, changed event by event, written back together), so a batch of 500 events costs a few
statements, not 500. Events the region does not read are kept raw and skipped, so a newer hub's events
never stop ingest. `rebuild` empties the projections and folds every stored event again."""
from __future__ import annotations

from collections.abc import Callable

import psycopg
from psycopg.rows import dict_row

from .rollup import resum

PROJECTIONS = ("tickets", "windows", "devices", "hall_days", "daily_stats", "daily_clerk_stats")
TICKET_COLUMNS = ("hall_id", "ticket_id", "day", "zone_id", "service_id", "number", "priority_reason", "appointment",
                  "state", "issued_at", "called_at", "serving_at", "finished_at", "window_id", "clerk_id", "no_shows",
                  "transfers", "score")


def _upsert(table: str, columns: tuple[str, ...], key: tuple[str, ...]) -> str:
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)})"
            f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}")


_WRITE_TICKETS = _upsert("tickets", TICKET_COLUMNS, ("hall_id", "ticket_id"))
_WRITE_WINDOW = _upsert("windows", ("hall_id", "window_id", "state", "clerk_id"), ("hall_id", "window_id"))
_WRITE_DEVICE = _upsert("devices", ("hall_id", "device", "fault"), ("hall_id", "device"))
_WRITE_DAY = ("INSERT INTO hall_days (hall_id, day, last_event_at) VALUES (%s, %s, %s) ON CONFLICT (hall_id)"
              " DO UPDATE SET day = COALESCE(excluded.day, hall_days.day),"
              " last_event_at = GREATEST(hall_days.last_event_at, excluded.last_event_at)")


def _issued(t: dict | None, d: dict, at) -> dict:
    return t or {"ticket_id": d["ticket_id"], "day": d["day"], "zone_id": d["zone_id"], "service_id": d["service_id"],
                 "number": d["number"], "priority_reason": d.get("priority_reason"),
                 "appointment": d.get("appointment_id") is not None, "state": "waiting", "issued_at": at,
                 "called_at": None, "serving_at": None, "finished_at": None, "window_id": None, "clerk_id": None,
                 "no_shows": 0, "transfers": 0, "score": None}


def _called(t: dict, d: dict, at) -> dict:
    return {**t, "state": "called", "called_at": t["called_at"] or at,  # the first call ends the wait
            "window_id": d["window_id"], "clerk_id": d.get("clerk_id")}


def _serving(t: dict, d: dict, at) -> dict:
    return {**t, "state": "serving", "serving_at": t["serving_at"] or at,
            "window_id": d.get("window_id") or t["window_id"]}


def _no_show(t: dict, d: dict, at) -> dict:
    return {**t, "state": "waiting" if d["requeued"] else "no_show", "no_shows": t["no_shows"] + 1}


def _transferred(t: dict, d: dict, at) -> dict:
    return {**t, "state": "waiting", "service_id": d.get("service_id") or t["service_id"],
            "transfers": t["transfers"] + 1}


TICKET_FOLDS: dict[str, Callable[[dict, dict, object], dict]] = {
    "ticket.called": _called,
    "ticket.serving": _serving,
    "ticket.finished": lambda t, d, at: {**t, "state": "finished", "finished_at": at},
    "ticket.no_show": _no_show,
    "ticket.transferred": _transferred,
    "ticket.cancelled": lambda t, d, at: {**t, "state": "cancelled"},
    "ticket.evaluated": lambda t, d, at: {**t, "score": d["score"]},
}
WINDOW_STATES = {"window.opened": "open", "window.closed": "closed", "window.paused": "paused",
                 "window.resumed": "open"}


def fold(cur: psycopg.Cursor, hall: int, events: list[dict]) -> None:
    """Apply `events` (each {seq, type, at, data}) of one hall, in seq order."""
    if not events:
        return
    ids = [e["data"]["ticket_id"] for e in events if e["type"] in TICKET_FOLDS]
    tickets: dict[int, dict] = {}
    before: list[dict] = []  # the rows as read: their rollup groups, which a transfer leaves
    if ids:
        with cur.connection.cursor(row_factory=dict_row) as read:
            for row in read.execute("SELECT * FROM tickets WHERE hall_id = %s AND ticket_id = ANY(%s)",
                                    (hall, sorted(set(ids)))):
                tickets[row["ticket_id"]] = row
        before = list(tickets.values())
    changed: set[int] = set()
    windows: dict[int, tuple[str, str | None]] = {}
    moved: set[int] = set()
    if any(e["type"] in WINDOW_STATES for e in events):
        windows = {w: (state, clerk) for w, state, clerk in
                   cur.execute("SELECT window_id, state, clerk_id FROM windows WHERE hall_id = %s", (hall,))}
    devices: dict[str, str | None] = {}
    day = None
    for e in events:
        kind, d, at = e["type"], e["data"], e["at"]
        if kind == "ticket.issued":
            tickets[d["ticket_id"]] = _issued(tickets.get(d["ticket_id"]), d, at)
            changed.add(d["ticket_id"])
        elif kind in TICKET_FOLDS and d["ticket_id"] in tickets:
            tickets[d["ticket_id"]] = TICKET_FOLDS[kind](tickets[d["ticket_id"]], d, at)
            changed.add(d["ticket_id"])
        elif kind in WINDOW_STATES:
            clerk = windows.get(d["window_id"], (None, None))[1]  # pausing keeps the clerk
            if kind not in ("window.paused", "window.resumed"):
                clerk = d.get("clerk_id") if kind == "window.opened" else None
            windows[d["window_id"]] = (WINDOW_STATES[kind], clerk)
            moved.add(d["window_id"])
        elif kind == "device.status":
            devices[d["device"]] = d.get("fault")
        elif kind == "day.started":
            day = d["day"]
    touched = [*before, *(tickets[i] for i in changed)]
    if changed:
        cur.executemany(_WRITE_TICKETS, [tuple({**tickets[i], "hall_id": hall}[c] for c in TICKET_COLUMNS)
                                         for i in sorted(changed)])
    if moved:
        cur.executemany(_WRITE_WINDOW, [(hall, w, *windows[w]) for w in sorted(moved)])
    if devices:
        cur.executemany(_WRITE_DEVICE, [(hall, name, fault) for name, fault in devices.items()])
    cur.execute(_WRITE_DAY, (hall, day, max(e["at"] for e in events)))
    resum(cur, hall, touched)


def rebuild(conn: psycopg.Connection, batch: int = 5_000) -> int:
    """Empty the projections and fold every stored event again; returns how many events were read.
    One transaction: the region's views show the old projections until the new ones are complete."""
    count = 0
    with conn.transaction():
        conn.execute(f"TRUNCATE {', '.join(PROJECTIONS)}")
        with conn.cursor(name="replay") as rows, conn.cursor() as cur:
            rows.itersize = batch
            rows.execute("SELECT hall_id, seq, type, at, data FROM events ORDER BY hall_id, seq")
            hall, pending = None, []
            for hall_id, seq, kind, at, data in rows:
                if hall_id != hall and pending:
                    fold(cur, hall, pending)
                    pending = []
                hall = hall_id
                pending.append({"seq": seq, "type": kind, "at": at, "data": data})
                count += 1
                if len(pending) >= batch:
                    fold(cur, hall, pending)
                    pending = []
            if pending:
                fold(cur, hall, pending)
    return count
