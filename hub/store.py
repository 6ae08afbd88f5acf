"""SQLite storage: the append-only event log is the truth; tickets are a projection of it
kept in the same transaction for reports and for tickets of past days.

A command is acknowledged only after its transaction commits (WAL, synchronous=FULL), so an
acknowledged ticket survives kill -9 and power loss.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator


def _import_sqlite_utils():
    """sqlite-utils imports numpy when it is installed, only to map numpy's number types to columns; the
    hub never stores one, and numpy would add a third of a second to every restart."""
    hidden = "numpy" not in sys.modules
    if hidden:
        sys.modules["numpy"] = None  # import_module("numpy") then raises ImportError, as if not installed
    try:
        import sqlite_utils
    finally:
        if hidden:
            del sys.modules["numpy"]
    return sqlite_utils


sqlite_utils = _import_sqlite_utils()

try:
    import fcntl
except ImportError:  # Windows: a running hub's database cannot be replaced there anyway (the file is open)
    fcntl = None  # type: ignore[assignment]

from .core.events import Event, decode, encode
from .protocol import public_event

SCHEMA_VERSION = 8
HALL_LAYOUT_KEY = "hall_config"  # the console's edited layout, as HallConfig JSON

TICKET_COLUMNS = {
    "id": int, "number": str, "day": str, "zone_id": str, "service_id": str, "state": str, "issued_at": str,
    "token": str, "order": float, "priority": int, "priority_reason": str, "appointment_id": str,
    "slot_start": str, "slot_end": str, "called_at": str, "serving_at": str, "finished_at": str,
    "window_id": int, "clerk_id": str, "target_window": int, "transferred": int, "no_show_count": int,
    "recall_count": int, "id_masked": str, "id_hash": str, "name_masked": str, "device": str, "evaluation": str,
    "transfer_count": int, "device_id": int,
}
# Kept by the store beside the ticket's own fields (the ticket forgets them: a transfer clears called_at).
PROJECTED_ONLY = ("transfer_count", "first_called_at", "cancel_reason")
# One row per call of a ticket to a window, for per-visit report figures: how long the citizen waited for
# this call (queued_at: issued, transferred or put back after a no-show), the service, how the visit ended.
VISIT_COLUMNS = {"id": int, "ticket_id": int, "day": str, "window_id": int, "clerk_id": str, "service_id": str,
                 "queued_at": str, "called_at": str, "serving_at": str, "ended_at": str, "outcome": str,
                 "recalls": int}
# A request's remembered answer is kept this long: a device repeats a request within seconds or, after a
# long outage, within the day.
REQUESTS_KEEP_HOURS = 24


_UPSERT_TICKET = "INSERT INTO tickets ({cols}) VALUES ({marks}) ON CONFLICT(id) DO UPDATE SET {sets}".format(
    cols=", ".join(f'"{c}"' for c in TICKET_COLUMNS),
    marks=", ".join("?" for _ in TICKET_COLUMNS),
    sets=", ".join(f'"{c}"=excluded."{c}"' for c in TICKET_COLUMNS if c != "id"),
)

# Migrations run outside our own transactions (sqlite-utils commits as it goes), so each
# step tolerates being run again after a crash halfway.


def _v1(db: sqlite_utils.Database) -> None:
    db["events"].create({"seq": int, "type": str, "at": str, "data": str}, pk="seq", if_not_exists=True)
    db["requests"].create({"request_id": str, "device_id": int, "status": int, "response": str, "at": str},
                          pk="request_id", if_not_exists=True)
    db["tickets"].create(TICKET_COLUMNS, pk="id", if_not_exists=True)
    db["tickets"].create_index(["day", "zone_id"], if_not_exists=True)
    db["tickets"].create_index(["token"], unique=True, if_not_exists=True)
    db["snapshots"].create({"seq": int, "state": str}, pk="seq", if_not_exists=True)
    db["devices"].create({"id": int, "name": str, "role": str, "token_hash": str, "window_id": int,
                          "created_at": str, "revoked_at": str, "last_seen": str}, pk="id", if_not_exists=True)
    db["devices"].create_index(["token_hash"], unique=True, if_not_exists=True)
    db["settings"].create({"key": str, "value": str}, pk="key", if_not_exists=True)


def _v2(db: sqlite_utils.Database) -> None:
    db["audit"].create({"id": int, "at": str, "actor": str, "action": str, "detail": str}, pk="id", if_not_exists=True)
    db["pairing_codes"].create({"code": str, "role": str, "name": str, "window_id": int, "expires_at": str},
                               pk="code", if_not_exists=True)


def _v3(db: sqlite_utils.Database) -> None:
    # The manager's follow-up of a poor rating (差评): open -> handled -> rectified, with a note.
    db["evaluation_followups"].create({"ticket_id": int, "state": str, "note": str, "updated_at": str,
                                       "updated_by": str}, pk="ticket_id", if_not_exists=True)


def _v4(db: sqlite_utils.Database) -> None:
    # Typed events: each row names its data's version (rows written before are version 1, whose data
    # held whole snapshots) and keeps the message devices receive, encoded once at commit. Version-1
    # rows have no stored message: it is made from their data when read.
    columns = db["events"].columns_dict
    if "version" not in columns:
        db["events"].add_column("version", int, not_null_default=1)
    if "wire" not in columns:
        db["events"].add_column("wire", str)


def _accounts(db: sqlite_utils.Database) -> None:
    # Named console accounts, their sign-in sessions (each a console device row, so the device
    # token machinery and revocation apply), clerks' wrong PINs and locks, and a pairing code's
    # wrong tries (from any address). The one shared console password becomes the `admin` account.
    db["users"].create({"name": str, "role": str, "password": str, "created_at": str, "disabled_at": str},
                       pk="name", if_not_exists=True)
    db["sessions"].create({"device_id": int, "user": str, "address": str, "created_at": str, "last_seen": str,
                           "ended_at": str, "ended_why": str}, pk="device_id", if_not_exists=True)
    db["sessions"].create_index(["user"], if_not_exists=True)
    db["clerk_pin_failures"].create({"id": int, "clerk_id": str, "at": str}, pk="id", if_not_exists=True)
    db["clerk_pin_failures"].create_index(["clerk_id", "at"], if_not_exists=True)
    db["clerk_locks"].create({"clerk_id": str, "locked_at": str}, pk="clerk_id", if_not_exists=True)
    if "wrong_tries" not in db["pairing_codes"].columns_dict:
        db["pairing_codes"].add_column("wrong_tries", int, not_null_default=0)
    old = db.execute("SELECT value FROM settings WHERE key='console_password'").fetchone()
    if old:
        db.execute("INSERT OR IGNORE INTO users (name, role, password, created_at) VALUES ('admin', 'admin', ?, '')",
                   [old[0]])
        db.execute("DELETE FROM settings WHERE key='console_password'")


def _requests_per_device(db: sqlite_utils.Database) -> None:
    # A request_id is unique per device only: key the remembered answers by (device, request_id), so one
    # device's request_id never fetches another's answer. Device 0 = no device (the citizen's phone,
    # whose request_ids are namespaced per ticket). Tickets also record the issuing device's id.
    if db["requests"].pks != ["device_id", "request_id"]:
        db.execute("UPDATE requests SET device_id = 0 WHERE device_id IS NULL")
        db["requests"].transform(pk=("device_id", "request_id"), not_null={"device_id", "request_id"})
    if "device_id" not in db["tickets"].columns_dict:
        db["tickets"].add_column("device_id", int)


_PERSONAL_HASHES = ("id_hash", "phone_hash")


def _drop_id_salt(db: sqlite_utils.Database) -> None:
    # Before the ID key file, the HMAC salt lived in `settings` (and every kiosk had it), so each stored
    # hash was a masked number away from the full ID number. The salt cannot be trusted again and the
    # hashes cannot be re-keyed without the numbers: both go, overwritten on disk (secure_delete) and the
    # WAL emptied. Appointments booked before still check in by their code; by phone or card no longer.
    conn = db.conn
    if conn.execute("SELECT 1 FROM settings WHERE key='id_salt'").fetchone() is None:
        return
    conn.execute("PRAGMA secure_delete=ON")
    with _Transaction(conn, threading.RLock()):
        conn.execute("UPDATE tickets SET id_hash = NULL")
        for table, key, column in (("events", "seq", "data"), ("snapshots", "seq", "state"),
                                   ("requests", "rowid", "response")):
            rows = conn.execute(f"SELECT {key}, {column} FROM {table} WHERE {column} LIKE '%_hash%'").fetchall()
            for rowid, text in rows:
                redacted = _without_hashes(json.loads(text))
                conn.execute(f"UPDATE {table} SET {column}=? WHERE {key}=?", (_json(redacted), rowid))
        conn.execute("DELETE FROM settings WHERE key='id_salt'")
    conn.execute("VACUUM")  # no free page keeps an old hash or the salt (earlier migrations freed some)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _without_hashes(value):
    if isinstance(value, dict):
        return {k: (None if k in _PERSONAL_HASHES else _without_hashes(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_hashes(v) for v in value]
    return value


def _visits(db: sqlite_utils.Database) -> None:
    # Honest report figures: wait to the first call (a transfer clears called_at), why a ticket was
    # cancelled (by the citizen or at day end), and every visit to a window (not only the last one).
    # Built from the event log for the days before; requests get an index to be pruned by age.
    conn = db.conn
    for column in ("first_called_at", "cancel_reason"):
        if column not in db["tickets"].columns_dict:
            db["tickets"].add_column(column, str)
    db["visits"].create(VISIT_COLUMNS, pk="id", if_not_exists=True)
    db["visits"].create_index(["ticket_id"], if_not_exists=True)
    db["visits"].create_index(["day"], if_not_exists=True)
    db["requests"].create_index(["at"], if_not_exists=True)
    with _Transaction(conn, threading.RLock()):
        # Refusals were remembered without a time; they take the time of the request before them (in the
        # order remembered), so pruning by age reaches them too.
        conn.execute("UPDATE requests SET at = COALESCE((SELECT r.at FROM requests r WHERE r.rowid < requests.rowid "
                     "AND r.at IS NOT NULL ORDER BY r.rowid DESC LIMIT 1), (SELECT MIN(at) FROM events)) "
                     "WHERE at IS NULL")
        conn.execute("DELETE FROM visits")
        conn.execute("UPDATE tickets SET first_called_at = NULL, cancel_reason = NULL")
        rows = conn.execute("SELECT type, version, at, data FROM events WHERE type LIKE 'ticket.%' ORDER BY seq")
        for kind, version, at, data in rows.fetchall():
            if kind not in _VISIT_EVENTS:
                continue
            event = decode(kind, version, json.loads(data), at)
            _project_visit(conn, kind, at, encode(event)[2], None)


MIGRATIONS = {1: _v1, 2: _v2, 3: _v3, 4: _v4, 5: _accounts, 6: _requests_per_device, 7: _drop_id_salt, 8: _visits}


class StoreError(Exception):
    pass


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def in_use(db_path: str | Path) -> bool:
    """Whether a hub (any Store, in any process) has this database open now."""
    lock = _lock_path(Path(db_path))
    if fcntl is None or not lock.exists():
        return False
    with open(lock, "a+b") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
    return False


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Held (shared) while open, so `hallq hub restore` can tell a running hub's database. A separate
        # file: closing any other descriptor of the database itself would drop SQLite's own locks.
        self._open_lock = open(_lock_path(self.path), "a+b")
        if fcntl is not None:
            fcntl.flock(self._open_lock, fcntl.LOCK_SH)
        self.conn = _connect(self.path)
        self.lock = threading.RLock()
        # The event log is written by the hub's writer thread on a connection of its own.
        self._wconn: sqlite3.Connection | None = None
        self._write_lock = threading.RLock()
        self.db = sqlite_utils.Database(self.conn)
        self._live_devices: dict[str, dict] = {}  # token hash -> device row (see device_for_token)
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise
        self.last_seq = self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]

    def close(self) -> None:
        self.conn.close()
        self._open_lock.close()
        if self._wconn is not None:
            self._wconn.close()

    # ---- schema ---------------------------------------------------------------------------
    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer HallQ (schema {version} > {SCHEMA_VERSION})")
        for v in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[v](self.db)
            self.conn.execute(f"PRAGMA user_version={v}")

    def _tx(self):
        return _Transaction(self.conn, self.lock)

    # ---- commands -------------------------------------------------------------------------
    def append(self, commands: list[tuple[list["Stored"], tuple[str, int | None, int, dict] | None]],
               snapshot: tuple[int, str] | None = None, prune_before: str | None = None) -> None:
        """Commit decided commands in one transaction: their events (numbered by the hub, gap-free
        after the log's last seq), the ticket projection, the requests to remember (each request is
        (request_id, device_id, status, answer, at)), optionally a state snapshot (seq, the state's
        JSON) that replaces the older ones, and optionally forget the requests remembered before
        `prune_before`. Runs on the writer's own connection, so reads on `conn` never wait for its fsync."""
        conn = self._writer_conn()
        seq = self.last_seq
        with _Transaction(conn, self._write_lock):
            for events, request in commands:
                for e in events:
                    seq += 1
                    if e.seq != seq:
                        raise StoreError(f"event seq {e.seq} does not follow {seq - 1}")
                    conn.execute("INSERT INTO events (seq, type, at, data, version, wire) VALUES (?, ?, ?, ?, ?, ?)",
                                 (seq, e.type, e.at, e.data, e.version, e.text))
                    if e.ticket:
                        _project(conn, e)
                if request is not None:
                    request_id, device_id, status, response, at = request
                    conn.execute(
                        "INSERT INTO requests (request_id, device_id, status, response, at) VALUES (?, ?, ?, ?, ?)",
                        (request_id, device_id or 0, status, _json(response), at))
            if prune_before is not None:
                conn.execute("DELETE FROM requests WHERE at < ?", (prune_before,))
            if snapshot is not None:
                conn.execute("INSERT OR REPLACE INTO snapshots (seq, state) VALUES (?, ?)", snapshot)
                # Only the newest is ever read; a busy day would otherwise keep a whole hall every 5,000 events.
                conn.execute("DELETE FROM snapshots WHERE seq < ?", (snapshot[0],))
        self.last_seq = seq

    def _writer_conn(self) -> sqlite3.Connection:
        if self._wconn is None:
            self._wconn = _connect(self.path)
        return self._wconn

    def prune_requests(self, before: str) -> int:
        """Forget the answers to requests made before `before` (ISO time); answers how many went."""
        with self._tx() as conn:
            return conn.execute("DELETE FROM requests WHERE at < ?", (before,)).rowcount

    def request(self, device_id: int | None, request_id: str) -> tuple[int, dict] | None:
        """The first answer to this device's request_id (device None: the citizen's namespaced ids)."""
        row = self.conn.execute("SELECT status, response FROM requests WHERE device_id=? AND request_id=?",
                                (device_id or 0, request_id)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    # ---- reading back ---------------------------------------------------------------------
    def latest_snapshot(self) -> tuple[int, dict | None]:
        row = self.conn.execute("SELECT seq, state FROM snapshots ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], json.loads(row[1])) if row else (0, None)

    def events_since(self, since: int, limit: int | None = None) -> Iterator[dict]:
        """The messages devices receive, in order, after seq `since`."""
        for seq, kind, at, version, data, wire in self._rows_since(since, limit):
            if wire is not None:
                yield json.loads(wire)
            else:
                yield public_event({"seq": seq, "type": kind, "at": at, "v": version, "data": json.loads(data)})

    def messages_since(self, since: int) -> Iterator[tuple[int, str]]:
        """(seq, the message devices receive as JSON) after seq `since`, without decoding the stored text."""
        for seq, kind, at, version, data, wire in self._rows_since(since, None):
            yield seq, wire if wire is not None else _json(
                public_event({"seq": seq, "type": kind, "at": at, "v": version, "data": json.loads(data)}))

    def replay_since(self, since: int) -> Iterator[Event]:
        """The typed events after seq `since`, brought up to today's versions, to rebuild the hall."""
        for _, kind, at, version, data, _ in self._rows_since(since, None):
            yield decode(kind, version, json.loads(data), at)

    def _rows_since(self, since: int, limit: int | None):
        sql = "SELECT seq, type, at, version, data, wire FROM events WHERE seq > ? ORDER BY seq"
        args: tuple = (since,)
        if limit:
            sql += " LIMIT ?"
            args += (limit,)
        return self.conn.execute(sql, args)

    def ticket_by_token(self, token: str) -> dict | None:
        return self._ticket_row("token", token)

    def ticket(self, ticket_id: int) -> dict | None:
        return self._ticket_row("id", ticket_id)

    def _ticket_row(self, column: str, value) -> dict | None:
        rows = list(self.db["tickets"].rows_where(f"{column} = ?", [value], limit=1))
        return _ticket_from_row(rows[0]) if rows else None

    def tickets_between(self, first_day: str, last_day: str) -> list[dict]:
        return [_ticket_from_row(r) for r in
                self.db["tickets"].rows_where("day >= ? AND day <= ?", [first_day, last_day], order_by="id")]

    def visits_between(self, first_day: str, last_day: str) -> list[dict]:
        """Every call of a ticket to a window on the days first..last, in call order."""
        return list(self.db["visits"].rows_where("day >= ? AND day <= ?", [first_day, last_day], order_by="id"))

    # ---- devices --------------------------------------------------------------------------
    def add_device(self, name: str, role: str, window_id: int | None, at: str) -> tuple[dict, str]:
        token = secrets.token_urlsafe(24)
        with self._tx():
            cur = self.conn.execute(
                "INSERT INTO devices (name, role, token_hash, window_id, created_at) VALUES (?, ?, ?, ?, ?)",
                (name, role, _hash_token(token), window_id, at))
        return self.device(cur.lastrowid), token

    def device(self, device_id: int) -> dict | None:
        rows = list(self.db["devices"].rows_where("id = ?", [device_id]))
        return rows[0] if rows else None

    def device_for_token(self, token: str) -> dict | None:
        """The live device holding `token`. Every request asks, so devices found are kept in memory
        (by token hash) until a device is revoked or a session ended through this store. A console
        session's own state (ended, expired, its account disabled, maybe by another process) is read
        anew on every request by the hub (hub/app/accounts.py `session_for`)."""
        key = _hash_token(token)
        device = self._live_devices.get(key)
        if device is None:
            cur = self.conn.execute("SELECT * FROM devices WHERE token_hash = ? AND revoked_at IS NULL", (key,))
            row = cur.fetchone()
            if row is None:
                return None
            device = self._live_devices[key] = dict(zip((c[0] for c in cur.description), row))
        return dict(device)

    def devices(self) -> list[dict]:
        return [{k: v for k, v in d.items() if k != "token_hash"} for d in self.db["devices"].rows_where(order_by="id")]

    def revoke_device(self, device_id: int, at: str) -> bool:
        with self._tx():
            cur = self.conn.execute("UPDATE devices SET revoked_at=? WHERE id=? AND revoked_at IS NULL", (at, device_id))
        self._live_devices.clear()
        return cur.rowcount == 1

    # ---- settings and audit ---------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self._tx():
            self.conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))

    def audit(self, at: str, actor: str, action: str, detail: dict) -> None:
        with self._tx():
            self.conn.execute("INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)",
                              (at, actor, action, json.dumps(detail, ensure_ascii=False)))

    def audit_log(self, limit: int = 200) -> list[dict]:
        return [dict(r, detail=json.loads(r["detail"])) for r in
                self.db["audit"].rows_where(order_by="id desc", limit=limit)]

    # ---- the hall layout edited in the console (it wins over the hall file at start) ------
    def hall_layout(self) -> str | None:
        return self.setting(HALL_LAYOUT_KEY)

    def save_hall_layout(self, layout_json: str) -> None:
        self.set_setting(HALL_LAYOUT_KEY, layout_json)

    # ---- pairing codes --------------------------------------------------------------------
    def add_pairing_code(self, make_code: Callable[[], str], role: str, name: str, window_id: int | None, *,
                         expires_at: str, now: str) -> str:
        """Store a new code (unlike any live one) for one device; expired codes are dropped."""
        with self._tx() as conn:
            conn.execute("DELETE FROM pairing_codes WHERE expires_at <= ?", (now,))
            taken = {row[0] for row in conn.execute("SELECT code FROM pairing_codes")}
            code = make_code()
            while code in taken:
                code = make_code()
            conn.execute("INSERT INTO pairing_codes (code, role, name, window_id, expires_at) VALUES (?, ?, ?, ?, ?)",
                         (code, role, name, window_id, expires_at))
        return code

    def take_pairing_code(self, code: str, now: str) -> dict | None:
        """The live code's device (role, name, window_id), used up in the same transaction."""
        with self._tx() as conn:
            found = conn.execute("SELECT role, name, window_id FROM pairing_codes WHERE code=? AND expires_at > ?",
                                 (code, now)).fetchone()
            if found:
                conn.execute("DELETE FROM pairing_codes WHERE code=?", (code,))
        return dict(zip(("role", "name", "window_id"), found)) if found else None

    def pairing_codes(self, now: str) -> list[dict]:
        rows = self.conn.execute("SELECT code, role, name, window_id, expires_at FROM pairing_codes "
                                 "WHERE expires_at > ? ORDER BY expires_at", (now,)).fetchall()
        return [dict(zip(("code", "role", "name", "window_id", "expires_at"), r)) for r in rows]

    def spoil_pairing_codes(self, now: str, limit: int) -> int:
        """A wrong code counts against every live code; a code wrong-guessed `limit` times dies.
        Answers how many codes died."""
        with self._tx() as conn:
            conn.execute("UPDATE pairing_codes SET wrong_tries = wrong_tries + 1 WHERE expires_at > ?", (now,))
            cur = conn.execute("DELETE FROM pairing_codes WHERE wrong_tries >= ?", (limit,))
        return cur.rowcount

    # ---- console accounts and their sessions ----------------------------------------------
    def user(self, name: str) -> dict | None:
        rows = list(self.db["users"].rows_where("name = ?", [name]))
        return rows[0] if rows else None

    def users(self) -> list[dict]:
        return [{k: v for k, v in u.items() if k != "password"} for u in self.db["users"].rows_where(order_by="name")]

    def save_user(self, name: str, role: str, password: str, at: str) -> bool:
        """Create the account, or give an existing one a new role and password (enabling it again).
        Answers whether it was created."""
        with self._tx() as conn:
            cur = conn.execute("UPDATE users SET role=?, password=?, disabled_at=NULL WHERE name=?", (role, password, name))
            if cur.rowcount == 0:
                conn.execute("INSERT INTO users (name, role, password, created_at) VALUES (?, ?, ?, ?)",
                             (name, role, password, at))
                return True
        return False

    def set_user_password(self, name: str, password: str) -> bool:
        with self._tx() as conn:
            return conn.execute("UPDATE users SET password=? WHERE name=?", (password, name)).rowcount == 1

    def disable_user(self, name: str, at: str) -> bool:
        with self._tx() as conn:
            return conn.execute("UPDATE users SET disabled_at=? WHERE name=? AND disabled_at IS NULL",
                                (at, name)).rowcount == 1

    def open_session(self, user: str, address: str, at: str) -> tuple[dict, str]:
        """A console device named for the person, and its session row, in one transaction."""
        token = secrets.token_urlsafe(24)
        with self._tx() as conn:
            cur = conn.execute("INSERT INTO devices (name, role, token_hash, created_at) VALUES (?, 'console', ?, ?)",
                               (user, _hash_token(token), at))
            conn.execute("INSERT INTO sessions (device_id, user, address, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
                         (cur.lastrowid, user, address, at, at))
        return self.device(cur.lastrowid), token

    def session(self, device_id: int) -> dict | None:
        """The live session of a console device with its account's role and state, if it is one."""
        row = self.conn.execute(
            "SELECT s.device_id, s.user, s.address, s.created_at, s.last_seen, s.ended_at, u.role, u.disabled_at "
            "FROM sessions s LEFT JOIN users u ON u.name = s.user WHERE s.device_id=?", (device_id,)).fetchone()
        return dict(zip(("device_id", "user", "address", "created_at", "last_seen", "ended_at", "role",
                         "disabled_at"), row)) if row else None

    def live_sessions(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT s.device_id, s.user, s.created_at, s.last_seen, u.role, u.disabled_at "
            "FROM sessions s LEFT JOIN users u ON u.name = s.user WHERE s.ended_at IS NULL").fetchall()
        return [dict(zip(("device_id", "user", "created_at", "last_seen", "role", "disabled_at"), r)) for r in rows]

    def session_ids(self) -> set[int]:
        return {r[0] for r in self.conn.execute("SELECT device_id FROM sessions")}

    def touch_session(self, device_id: int, at: str) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE sessions SET last_seen=? WHERE device_id=? AND ended_at IS NULL", (at, device_id))

    def end_session(self, device_id: int, at: str, why: str) -> bool:
        """End the session and revoke its token; answers whether it was still open."""
        with self._tx() as conn:
            cur = conn.execute("UPDATE sessions SET ended_at=?, ended_why=? WHERE device_id=? AND ended_at IS NULL",
                               (at, why, device_id))
            conn.execute("UPDATE devices SET revoked_at=? WHERE id=? AND revoked_at IS NULL", (at, device_id))
        self._live_devices.clear()  # its token must not be found in memory any more
        return cur.rowcount == 1

    # ---- clerks' wrong PINs and locks ------------------------------------------------------
    def clerk_pin_failed(self, clerk_id: str, at: str, since: str) -> int:
        """Record a wrong PIN; answers the clerk's wrong PINs since `since` (old ones are dropped)."""
        with self._tx() as conn:
            conn.execute("DELETE FROM clerk_pin_failures WHERE clerk_id=? AND at < ?", (clerk_id, since))
            conn.execute("INSERT INTO clerk_pin_failures (clerk_id, at) VALUES (?, ?)", (clerk_id, at))
            return conn.execute("SELECT COUNT(*) FROM clerk_pin_failures WHERE clerk_id=?", (clerk_id,)).fetchone()[0]

    def lock_clerk(self, clerk_id: str, at: str) -> None:
        with self._tx() as conn:
            conn.execute("INSERT OR IGNORE INTO clerk_locks (clerk_id, locked_at) VALUES (?, ?)", (clerk_id, at))
            conn.execute("DELETE FROM clerk_pin_failures WHERE clerk_id=?", (clerk_id,))

    def clear_clerk_failures(self, clerk_id: str) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM clerk_pin_failures WHERE clerk_id=?", (clerk_id,))

    def unlock_clerk(self, clerk_id: str) -> bool:
        with self._tx() as conn:
            return conn.execute("DELETE FROM clerk_locks WHERE clerk_id=?", (clerk_id,)).rowcount == 1

    def clerk_locks(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT clerk_id, locked_at FROM clerk_locks ORDER BY locked_at"))

    # ---- the follow-up of poor ratings ----------------------------------------------------
    def followups(self) -> dict[int, dict]:
        return {r["ticket_id"]: r for r in self.db["evaluation_followups"].rows}

    def save_followup(self, record: dict) -> None:
        with self._tx() as conn:
            conn.execute("INSERT OR REPLACE INTO evaluation_followups (ticket_id, state, note, updated_at, updated_by) "
                         "VALUES (:ticket_id, :state, :note, :updated_at, :updated_by)", record)


def _project(conn: sqlite3.Connection, e: "Stored") -> None:
    row = dict(e.ticket)
    row["evaluation"] = _json(row["evaluation"]) if row["evaluation"] else None
    prev = conn.execute("SELECT transfer_count FROM tickets WHERE id=?", (row["id"],)).fetchone()
    row["transfer_count"] = prev[0] + (e.type == "ticket.transferred") if prev else 0
    conn.execute(_UPSERT_TICKET, [row[c] for c in TICKET_COLUMNS])
    if e.type in _VISIT_EVENTS:
        _project_visit(conn, e.type, e.at, json.loads(e.data), e.ticket)


_VISIT_EVENTS = frozenset({"ticket.called", "ticket.recalled", "ticket.serving", "ticket.finished", "ticket.no_show",
                           "ticket.transferred", "ticket.cancelled"})


def _project_visit(conn: sqlite3.Connection, kind: str, at: str, facts: dict, ticket: dict | None) -> None:
    """What a ticket event adds to the ticket's first call, cancel reason and visits. `ticket`: the
    ticket after the event (None when rebuilding from the log: the row has what is needed)."""
    tid = facts["ticket_id"]
    if kind == "ticket.called":
        row = conn.execute("SELECT day, service_id, issued_at FROM tickets WHERE id=?", (tid,)).fetchone()
        if row is None:
            return
        day, service_id, issued_at = row
        if ticket is not None:
            service_id = ticket["service_id"]
        queued = conn.execute("SELECT MAX(ended_at) FROM visits WHERE ticket_id=?", (tid,)).fetchone()[0]
        conn.execute("INSERT INTO visits (ticket_id, day, window_id, clerk_id, service_id, queued_at, called_at, recalls)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                     (tid, day, facts["window_id"], facts.get("clerk_id"), service_id, queued or issued_at, at))
        conn.execute("UPDATE tickets SET first_called_at = COALESCE(first_called_at, ?) WHERE id=?", (at, tid))
        return
    if kind == "ticket.cancelled":
        conn.execute("UPDATE tickets SET cancel_reason=? WHERE id=?", (facts["reason"], tid))
    open_visit = "(SELECT MAX(id) FROM visits WHERE ticket_id=? AND ended_at IS NULL)"
    if kind == "ticket.recalled":
        conn.execute(f"UPDATE visits SET recalls = recalls + 1 WHERE id = {open_visit}", (tid,))
    elif kind == "ticket.serving":
        conn.execute(f"UPDATE visits SET serving_at=? WHERE id = {open_visit}", (at, tid))
    else:
        outcome = {"ticket.finished": "done", "ticket.transferred": "transferred", "ticket.cancelled": "day_end",
                   "ticket.no_show": "no_show" if facts.get("requeued") else "lapsed"}[kind]
        conn.execute(f"UPDATE visits SET ended_at=?, outcome=? WHERE id = {open_visit}", (at, outcome, tid))


@dataclass(frozen=True)
class Stored:
    """An event as stored and sent: numbered, its data and the message devices receive each
    encoded to JSON once (the same text goes to the log and to every subscriber)."""
    seq: int
    type: str
    at: str
    version: int
    data: str
    event: dict  # the message devices receive
    text: str  # ... as JSON
    ticket: dict | None  # the full ticket after the event, for the projection


def number(applied: list[tuple[Event, dict]], after: int) -> list[Stored]:
    """Number decided events after seq `after` and encode each once, as they will be stored.

    Each event comes with the entities it carries as they are after it ({"ticket": full ticket
    dict, "window": ..., "appointment": ...}); the ticket projection is written from that ticket."""
    out = []
    for seq, (event, carried) in enumerate(applied, after + 1):
        kind, version, data = encode(event)
        wire = public_event({"seq": seq, "type": kind, "at": event.at, "v": version,
                             "data": {**event.public_facts(), **carried}})
        out.append(Stored(seq, kind, event.at, version, _json(data), wire, _json(wire), carried.get("ticket")))
    return out


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _ticket_from_row(row: dict) -> dict:
    row = dict(row)
    row.setdefault("first_called_at", None)
    row["priority"] = bool(row["priority"])
    row["transferred"] = bool(row["transferred"])
    row["evaluation"] = json.loads(row["evaluation"]) if row["evaluation"] else None
    return row


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error, so a half-written command never lands."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock):
        self.conn, self.lock = conn, lock

    def __enter__(self):
        self.lock.acquire()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.lock.release()
            raise
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        try:
            self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        finally:
            self.lock.release()
        return False
