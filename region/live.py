"""Read side: every hall's live summary, and the projection rows a rebuild must give back."""
from __future__ import annotations

from datetime import datetime

import psycopg
from psycopg.rows import dict_row

_LIVE = """
SELECT h.code, h.name, h.acked_seq, d.day, d.last_event_at,
       (SELECT count(*) FROM tickets t WHERE t.hall_id = h.id AND t.state = 'waiting') AS waiting,
       (SELECT min(t.issued_at) FROM tickets t WHERE t.hall_id = h.id AND t.state = 'waiting') AS oldest_waiting,
       (SELECT count(*) FROM windows w WHERE w.hall_id = h.id AND w.state = 'open') AS open_windows,
       (SELECT count(*) FROM windows w WHERE w.hall_id = h.id AND w.state = 'paused') AS paused_windows,
       (SELECT count(*) FROM devices v WHERE v.hall_id = h.id AND v.fault IS NOT NULL) AS faulty_devices
FROM halls h LEFT JOIN hall_days d ON d.hall_id = h.id
WHERE h.revoked_at IS NULL ORDER BY h.code
"""


def halls_live(conn: psycopg.Connection, now: datetime) -> list[dict]:
    """One row per hall; `longest_wait_s` is measured on the region's clock."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(_LIVE).fetchall()
    for r in rows:
        oldest = r.pop("oldest_waiting")
        r["longest_wait_s"] = max(0, int((now - oldest).total_seconds())) if oldest else 0
        r["day"] = r["day"].isoformat() if r["day"] else None
        r["last_event_at"] = r["last_event_at"].isoformat() if r["last_event_at"] else None
    return rows


def projection_rows(conn: psycopg.Connection) -> dict[str, list[tuple]]:
    """Every projection table's rows in key order (to compare a rebuild with what ingest built)."""
    order = {"tickets": "hall_id, ticket_id", "windows": "hall_id, window_id", "devices": "hall_id, device",
             "hall_days": "hall_id"}
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY {o}").fetchall() for t, o in order.items()}


def daily_service(conn: psycopg.Connection, code: str) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT d.day, d.service_id, d.tickets, d.served, d.no_shows, d.avg_wait_s,"
                           " d.max_wait_s, d.avg_service_s FROM daily_service d JOIN halls h ON h.id = d.hall_id"
                           " WHERE h.code = %s ORDER BY d.day, d.service_id", (code,)).fetchall()
