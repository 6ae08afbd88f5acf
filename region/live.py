"""Read side: every hall's live summary, and the projection rows a rebuild must give back."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import psycopg
from psycopg.rows import dict_row

_LIVE = """
SELECT h.code, h.name, h.acked_seq, h.last_received_at, h.clock_offset_s, d.day, d.last_event_at,
       (SELECT count(*) FROM tickets t WHERE t.hall_id = h.id AND t.state = 'waiting') AS waiting,
       (SELECT min(t.issued_at) FROM tickets t WHERE t.hall_id = h.id AND t.state = 'waiting') AS oldest_waiting,
       (SELECT count(*) FROM windows w WHERE w.hall_id = h.id AND w.state = 'open') AS open_windows,
       (SELECT count(*) FROM windows w WHERE w.hall_id = h.id AND w.state = 'paused') AS paused_windows,
       (SELECT count(*) FROM devices v WHERE v.hall_id = h.id AND v.fault IS NOT NULL) AS faulty_devices
FROM halls h LEFT JOIN hall_days d ON d.hall_id = h.id
WHERE h.revoked_at IS NULL AND (%(code)s::text IS NULL OR h.code = %(code)s) ORDER BY h.code
"""


LONG_WAIT_S = 30 * 60  # someone has waited half an hour
SILENT_S = 15 * 60  # people wait, yet the hall has sent nothing for a quarter of an hour (WAN down? hub down?)
CLOCK_OFF_S = 60  # the hall's clock a minute or more off the region's
ALERTS = ("long_wait", "silent", "faulty", "clock")


def _alerts(r: dict, now: datetime) -> list[str]:
    heard = r["last_received_at"]
    return [a for a, on in (
        ("long_wait", r["longest_wait_s"] >= LONG_WAIT_S),
        ("silent", r["waiting"] > 0 and (heard is None or (now - heard).total_seconds() >= SILENT_S)),
        ("faulty", r["faulty_devices"] > 0),
        ("clock", abs(r["clock_offset_s"]) >= CLOCK_OFF_S)) if on]


def halls_live(conn: psycopg.Connection, now: datetime, code: str | None = None) -> list[dict]:
    """One row per hall. `longest_wait_s` runs from the hall's time of issue to the hall's time now (the
    region's `now` moved by the hall's clock offset): a hall whose clock is off waits no longer or shorter
    for it. `last_received_at` (the last report) is the region's own clock. `alerts`: of ALERTS, those
    that hold."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(_LIVE, {"code": code}).fetchall()
    for r in rows:
        oldest = r.pop("oldest_waiting")
        hall_now = now + timedelta(seconds=r["clock_offset_s"])
        r["longest_wait_s"] = max(0, int((hall_now - oldest).total_seconds())) if oldest else 0
        r["clock_offset_s"] = round(r["clock_offset_s"])
        r["alerts"] = _alerts(r, now)
        r["day"] = r["day"].isoformat() if r["day"] else None
        for moment in ("last_event_at", "last_received_at"):
            r[moment] = r[moment].isoformat() if r[moment] else None
    return rows


def projection_rows(conn: psycopg.Connection) -> dict[str, list[tuple]]:
    """Every projection table's rows in key order (to compare a rebuild with what ingest built)."""
    order = {"tickets": "hall_id, ticket_id", "windows": "hall_id, window_id", "devices": "hall_id, device",
             "hall_days": "hall_id", "daily_stats": "hall_id, day, zone_id, service_id",
             "daily_clerk_stats": "hall_id, day, clerk_id"}
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY {o}").fetchall() for t, o in order.items()}


def daily_service(conn: psycopg.Connection, code: str) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT d.day, d.service_id, d.tickets, d.served, d.no_shows, d.avg_wait_s,"
                           " d.max_wait_s, d.avg_service_s FROM daily_service d JOIN halls h ON h.id = d.hall_id"
                           " WHERE h.code = %s ORDER BY d.day, d.service_id", (code,)).fetchall()


def hall_detail(conn: psycopg.Connection, code: str, now: datetime, days: int = 7) -> dict | None:
    """One hall drilled down: its live row, who waits for which service and how long (on the hall's
    clock, as in `halls_live`), its windows, its faulty devices, and its last `days` days by service."""
    found = halls_live(conn, now, code)
    if not found:
        return None
    hall = found[0]
    hall_now = now + timedelta(seconds=hall["clock_offset_s"])
    with conn.cursor(row_factory=dict_row) as cur:
        waiting = cur.execute("SELECT t.service_id, count(*) AS waiting, min(t.issued_at) AS oldest FROM tickets t"
                              " JOIN halls h ON h.id = t.hall_id WHERE h.code = %s AND t.state = 'waiting'"
                              " GROUP BY t.service_id ORDER BY t.service_id", (code,)).fetchall()
        windows = cur.execute("SELECT w.window_id, w.state, w.clerk_id FROM windows w JOIN halls h ON h.id = w.hall_id"
                              " WHERE h.code = %s ORDER BY w.window_id", (code,)).fetchall()
        faults = cur.execute("SELECT v.device, v.fault FROM devices v JOIN halls h ON h.id = v.hall_id"
                             " WHERE h.code = %s AND v.fault IS NOT NULL ORDER BY v.device", (code,)).fetchall()
    for w in waiting:
        w["longest_wait_s"] = max(0, int((hall_now - w.pop("oldest")).total_seconds()))
    recent = [d for d in daily_service(conn, code) if not hall["day"] or
              (date.fromisoformat(hall["day"]) - d["day"]).days < days]
    return {"hall": hall, "waiting": waiting, "windows": windows, "faults": faults, "days": recent}
