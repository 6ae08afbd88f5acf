"""Halls and their credentials, and taking in what a hall ships.

A hall credential is a random token the region's admin issues once (`hallq region hall add`); the region
keeps only its sha256, so a copy of the database does not let anyone ship as a hall.

Ingest is idempotent on (hall, seq): the hall's row is locked while a batch goes in, events at or below
the acknowledged seq are skipped, and a batch that would leave a gap is refused whole with the seq the
hall must resume from. Two region processes taking batches of one hall at once therefore take turns."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from .projections import fold
from .rollup import resum

CREDENTIAL_PREFIX = "hqr_"


def credential_hash(credential: str) -> str:
    return hashlib.sha256(credential.encode()).hexdigest()


@dataclass(frozen=True)
class Hall:
    id: int
    code: str
    name: str
    acked_seq: int


class Gap(Exception):
    """The batch starts after the acknowledged seq + 1: the hall must resume from `acked`."""

    def __init__(self, acked: int):
        super().__init__(acked)
        self.acked = acked


def add_hall(conn: psycopg.Connection, code: str, name: str, now: datetime) -> str:
    """Register a hall; returns its credential (shown once). A known code gets a new credential."""
    credential = CREDENTIAL_PREFIX + secrets.token_urlsafe(32)
    with conn.transaction():
        conn.execute("INSERT INTO halls (code, name, credential_hash, created_at) VALUES (%s, %s, %s, %s)"
                     " ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
                     " credential_hash = excluded.credential_hash, revoked_at = NULL",
                     (code, name, credential_hash(credential), now))
    return credential


def hall_for(conn: psycopg.Connection, credential: str) -> Hall | None:
    row = conn.execute("SELECT id, code, name, acked_seq FROM halls WHERE credential_hash = %s"
                       " AND revoked_at IS NULL", (credential_hash(credential),)).fetchone()
    return Hall(*row) if row else None


def halls(conn: psycopg.Connection) -> list[Hall]:
    return [Hall(*r) for r in conn.execute("SELECT id, code, name, acked_seq FROM halls ORDER BY code")]


def ingest(conn: psycopg.Connection, hall_id: int, events: list[dict], now: datetime,
           sent_at: datetime | None = None) -> tuple[int, int]:
    """Store and fold a hall's batch (each event {seq, type, v, at, data}, seq ascending and contiguous);
    returns (the new acknowledged seq, how many events were new).

    The events' times are the hall's facts (waits are measured between two of them, on one clock); the
    region notes when it heard from the hall on its own clock `now`, and, from `sent_at` (the hall's clock
    as it sent), how far the hall's clock is from its own, so a live wait is measured on the hall's clock."""
    with conn.transaction(), conn.cursor() as cur:
        acked = cur.execute("SELECT acked_seq FROM halls WHERE id = %s FOR UPDATE", (hall_id,)).fetchone()[0]
        cur.execute("UPDATE halls SET last_received_at = %s, clock_offset_s = COALESCE(%s, clock_offset_s)"
                    " WHERE id = %s", (now, (sent_at - now).total_seconds() if sent_at else None, hall_id))
        new = [e for e in events if e["seq"] > acked]
        if not new:
            return acked, 0
        if new[0]["seq"] != acked + 1:
            raise Gap(acked)
        acked = new[-1]["seq"]
        with conn.pipeline():  # one round trip for the batch's statements, not one each
            cur.executemany("INSERT INTO events (hall_id, seq, type, version, at, data, received_at)"
                            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                            [(hall_id, e["seq"], e["type"], e["v"], e["at"], Jsonb(e["data"]), now) for e in new])
            fold(cur, hall_id, new)
            cur.execute("UPDATE halls SET acked_seq = %s WHERE id = %s", (acked, hall_id))
    return acked, len(new)


def followups_mark(conn: psycopg.Connection, hall_id: int) -> tuple[str, int]:
    """Where the hall resumes shipping follow-ups: the (updated_at, ticket_id) of the last one held."""
    return conn.execute("SELECT followups_at, followups_ticket FROM halls WHERE id = %s", (hall_id,)).fetchone()


def take_followups(conn: psycopg.Connection, hall_id: int, rows: list[dict]) -> tuple[str, int]:
    """Keep a hall's rating follow-ups ({ticket_id, state, updated_at}, in (updated_at, ticket_id) order), the
    later of two for one ticket winning, and sum the 差评 rates of their tickets' days again. Idempotent:
    a follow-up sent twice changes nothing. Returns the new resume mark."""
    with conn.transaction(), conn.cursor() as cur:
        mark = cur.execute("SELECT followups_at, followups_ticket FROM halls WHERE id = %s FOR UPDATE",
                           (hall_id,)).fetchone()
        cur.executemany("INSERT INTO followups (hall_id, ticket_id, state, updated_at) VALUES (%s, %s, %s, %s)"
                        " ON CONFLICT (hall_id, ticket_id) DO UPDATE SET state = excluded.state,"
                        " updated_at = excluded.updated_at WHERE followups.updated_at <= excluded.updated_at",
                        [(hall_id, r["ticket_id"], r["state"], r["updated_at"]) for r in rows])
        with conn.cursor(row_factory=dict_row) as read:
            rated = read.execute("SELECT * FROM tickets WHERE hall_id = %s AND ticket_id = ANY(%s)",
                                 (hall_id, [r["ticket_id"] for r in rows])).fetchall()
        resum(cur, hall_id, rated)
        last = max([tuple(mark), *((r["updated_at"], r["ticket_id"]) for r in rows)])
        cur.execute("UPDATE halls SET followups_at = %s, followups_ticket = %s WHERE id = %s", (*last, hall_id))
    return last
