"""就近办: which halls offer a service, how many wait for it there now and how long the longest has
waited (on the hall's clock, as the console's), and the hours of the zone that serves it — from the
profiles halls send (hub/upstream.py hall_profile) and the live tickets."""
from __future__ import annotations

from datetime import datetime, timedelta

import psycopg
from psycopg.rows import dict_row


def catalogue(conn: psycopg.Connection) -> list[dict]:
    """Every service some hall offers, once (by id; the name the most halls use)."""
    return conn.execute("""
        SELECT s.id, mode() WITHIN GROUP (ORDER BY s.name), mode() WITHIN GROUP (ORDER BY s.name_en), count(*)
        FROM halls h, jsonb_to_recordset(h.profile -> 'services') AS s(id text, name text, name_en text)
        WHERE h.revoked_at IS NULL GROUP BY s.id ORDER BY s.id""").fetchall()


def halls_offering(conn: psycopg.Connection, service: str, now: datetime) -> list[dict]:
    """The halls offering `service`, fewest waiting first."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute("""
            SELECT h.code, h.profile ->> 'name' AS name, h.profile ->> 'url' AS url, h.clock_offset_s,
                   z.always_open, z.hours,
                   (SELECT count(*) FROM tickets t WHERE t.hall_id = h.id AND t.service_id = s.id
                      AND t.state = 'waiting') AS waiting,
                   (SELECT min(t.issued_at) FROM tickets t WHERE t.hall_id = h.id AND t.service_id = s.id
                      AND t.state = 'waiting') AS oldest
            FROM halls h
            CROSS JOIN LATERAL jsonb_to_recordset(h.profile -> 'services') AS s(id text, zone text)
            LEFT JOIN LATERAL jsonb_to_recordset(h.profile -> 'zones') AS z(id text, always_open boolean, hours jsonb)
                   ON z.id = s.zone
            WHERE h.revoked_at IS NULL AND s.id = %s""", (service,)).fetchall()
    for r in rows:
        oldest = r.pop("oldest")
        hall_now = now + timedelta(seconds=r.pop("clock_offset_s"))
        r["longest_wait_s"] = max(0, int((hall_now - oldest).total_seconds())) if oldest else 0
        r["hours"] = r["hours"] or []
    return sorted(rows, key=lambda r: (r["waiting"], r["longest_wait_s"], r["code"]))
