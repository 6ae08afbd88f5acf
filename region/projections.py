"""The region's tables as folds of the raw events. Each event type the region reads has one SQL step
here; events it does not read are kept raw and skipped, so a newer hub's events never stop ingest.
`rebuild` empties the projections and folds every stored event again, in (hall, seq) order."""
from __future__ import annotations

import json

import psycopg

PROJECTIONS = ("tickets", "windows", "devices", "hall_days")

_TICKET = "UPDATE tickets SET {} WHERE hall_id = %(hall)s AND ticket_id = %(ticket_id)s"

STEPS: dict[str, str] = {
    "ticket.issued":
        "INSERT INTO tickets (hall_id, ticket_id, day, zone_id, service_id, number, priority_reason, appointment,"
        " state, issued_at) VALUES (%(hall)s, %(ticket_id)s, %(day)s, %(zone_id)s, %(service_id)s, %(number)s,"
        " %(priority_reason)s, %(appointment_id)s::text IS NOT NULL, 'waiting', %(at)s) ON CONFLICT DO NOTHING",
    "ticket.called": _TICKET.format("state = 'called', called_at = COALESCE(called_at, %(at)s),"
                                    " window_id = %(window_id)s, clerk_id = %(clerk_id)s"),
    "ticket.serving": _TICKET.format("state = 'serving', serving_at = COALESCE(serving_at, %(at)s),"
                                     " window_id = COALESCE(%(window_id)s, window_id)"),
    "ticket.finished": _TICKET.format("state = 'finished', finished_at = %(at)s"),
    "ticket.no_show": _TICKET.format("state = CASE WHEN %(requeued)s THEN 'waiting' ELSE 'no_show' END,"
                                     " no_shows = no_shows + 1"),
    "ticket.transferred": _TICKET.format("state = 'waiting', service_id = COALESCE(%(service_id)s, service_id),"
                                         " transfers = transfers + 1"),
    "ticket.cancelled": _TICKET.format("state = 'cancelled'"),
    "ticket.evaluated": _TICKET.format("score = %(score)s"),
    "window.opened":
        "INSERT INTO windows (hall_id, window_id, state, clerk_id) VALUES (%(hall)s, %(window_id)s, 'open',"
        " %(clerk_id)s) ON CONFLICT (hall_id, window_id) DO UPDATE SET state = 'open', clerk_id = %(clerk_id)s",
    "window.closed": "UPDATE windows SET state = 'closed', clerk_id = NULL"
                     " WHERE hall_id = %(hall)s AND window_id = %(window_id)s",
    "window.paused": "UPDATE windows SET state = 'paused' WHERE hall_id = %(hall)s AND window_id = %(window_id)s",
    "window.resumed": "UPDATE windows SET state = 'open' WHERE hall_id = %(hall)s AND window_id = %(window_id)s",
    "device.status":
        "INSERT INTO devices (hall_id, device, fault) VALUES (%(hall)s, %(device)s, %(fault)s)"
        " ON CONFLICT (hall_id, device) DO UPDATE SET fault = %(fault)s",
    "day.started":
        "INSERT INTO hall_days (hall_id, day, last_event_at) VALUES (%(hall)s, %(day)s, %(at)s)"
        " ON CONFLICT (hall_id) DO UPDATE SET day = %(day)s",
}
_SEEN = ("INSERT INTO hall_days (hall_id, last_event_at) VALUES (%(hall)s, %(at)s)"
         " ON CONFLICT (hall_id) DO UPDATE SET last_event_at = GREATEST(hall_days.last_event_at, %(at)s)")
# Facts a step names that older or partial events may lack.
_DEFAULTS = {"priority_reason": None, "appointment_id": None, "clerk_id": None, "window_id": None,
             "service_id": None, "fault": None}


def fold(cur: psycopg.Cursor, hall: int, events: list[dict]) -> None:
    """Apply `events` (each {seq, type, at, data}) of one hall, in seq order."""
    for e in events:
        step = STEPS.get(e["type"])
        if step:
            cur.execute(step, {**_DEFAULTS, **e["data"], "hall": hall, "at": e["at"]})
    if events:
        cur.execute(_SEEN, {"hall": hall, "at": max(e["at"] for e in events)})


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
                pending.append({"seq": seq, "type": kind, "at": at, "data": data if isinstance(data, dict)
                                else json.loads(data)})
                count += 1
                if len(pending) >= batch:
                    fold(cur, hall, pending)
                    pending = []
            if pending:
                fold(cur, hall, pending)
    return count
