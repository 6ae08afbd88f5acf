"""Versioned schema migrations: the ordered SQL files in region/migrations/, each applied once in its own
transaction and recorded in schema_version. Region processes starting together take turns (an advisory
lock), so two of them never apply the same step."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import psycopg

log = logging.getLogger("hallq.region")

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK = 0x4841_4C4C  # an arbitrary advisory-lock key for "the region's schema"


class SchemaError(Exception):
    pass


def migrations() -> list[tuple[int, Path]]:
    steps = []
    for path in sorted(MIGRATIONS.glob("*.sql")):
        match = re.match(r"(\d+)_", path.name)
        if match:
            steps.append((int(match.group(1)), path))
    numbers = [n for n, _ in steps]
    if numbers != list(range(1, len(steps) + 1)):
        raise SchemaError(f"migrations must be numbered 1..n without gaps: {numbers}")
    return steps


def current_version(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    return conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]


def migrate(conn: psycopg.Connection) -> int:
    """Bring the database up to this code's schema; return the version it is at."""
    steps = migrations()
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version "
                     "(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        version = current_version(conn)
        if version > len(steps):
            raise SchemaError(f"the database is at schema {version}, newer than this region's ({len(steps)})")
        for number, path in steps[version:]:
            with conn.transaction():
                conn.execute(path.read_text(encoding="utf-8"))
                conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
            log.info("region schema: applied %s", path.name)
    return len(steps)
