"""The region console's named accounts, sign-in sessions and the brakes on guessing a password.

Everything lives in PostgreSQL, so any region process answers for a session another one started, and
every process counts the same failed attempts. A session is a random cookie token of which the region
keeps only the sha256; it ends on sign-out, after SESSION_IDLE without a request, or SESSION_MAX after it
began (the region's clock). An attempt counts as it starts (before the slow hash), per address and per
account, so many at once cannot slip past the limit; a success clears both."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from hub.passwords import hash_password, verify_password

ROLES = ("admin", "viewer")  # admin: also the region's accounts; viewer: every hall and report
SESSION_IDLE = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=12)
LIMIT_WINDOW = timedelta(minutes=10)
LIMITS = {"address": 5, "account": 10}  # attempts per LIMIT_WINDOW; then refused until the window has passed
MIN_PASSWORD = 8


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str


class AccountError(Exception):
    """A refusal with a code from region/messages.py."""

    def __init__(self, status: int, code: str, **params):
        super().__init__(code)
        self.status, self.code, self.params = status, code, params


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 40 or any(not c.isprintable() for c in name):
        raise AccountError(400, "ACCOUNT_NAME")
    return name


def add_account(conn: psycopg.Connection, name: str, role: str, password: str, now: datetime) -> Account:
    name = check_name(name)
    if role not in ROLES:
        raise AccountError(400, "ACCOUNT_ROLE", role=role)
    if not MIN_PASSWORD <= len(password) <= 200:
        raise AccountError(400, "PASSWORD_SHORT", min=MIN_PASSWORD)
    try:
        with conn.transaction():
            row = conn.execute("INSERT INTO accounts (name, role, password, created_at) VALUES (%s, %s, %s, %s)"
                               " RETURNING id", (name, role, hash_password(password), now)).fetchone()
    except psycopg.errors.UniqueViolation:
        raise AccountError(409, "ACCOUNT_EXISTS", name=name) from None
    return Account(row[0], name, role)


def accounts(conn: psycopg.Connection) -> list[dict]:
    return [{"name": n, "role": r, "disabled": d is not None} for n, r, d in
            conn.execute("SELECT name, role, disabled_at FROM accounts ORDER BY name")]


def disable_account(conn: psycopg.Connection, name: str, now: datetime) -> None:
    with conn.transaction():
        row = conn.execute("UPDATE accounts SET disabled_at = %s WHERE name = %s RETURNING id", (now, name)).fetchone()
        if row is None:
            raise AccountError(404, "NO_ACCOUNT", name=name)
        conn.execute("DELETE FROM sessions WHERE account_id = %s", (row[0],))


def _locked(conn: psycopg.Connection, keys: dict[str, str], now: datetime) -> None:
    for kind, key in keys.items():
        recent = conn.execute("SELECT count(*), min(at) FROM sign_in_attempts WHERE key = %s AND at > %s",
                              (key, now - LIMIT_WINDOW)).fetchone()
        if recent[0] >= LIMITS[kind]:
            minutes = max(1, int((recent[1] + LIMIT_WINDOW - now).total_seconds() + 59) // 60)
            raise AccountError(429, "SIGN_IN_LOCKED", minutes=minutes)


def sign_in(conn: psycopg.Connection, name: str, password: str, address: str, now: datetime) -> tuple[str, Account]:
    """A new session's token (for the cookie) and its account; refuses a wrong pair or too many attempts."""
    keys = {"address": f"address:{address}", "account": f"account:{name.strip()[:40]}"}
    with conn.transaction():
        conn.execute("DELETE FROM sign_in_attempts WHERE at <= %s", (now - LIMIT_WINDOW,))
        _locked(conn, keys, now)
        conn.execute("INSERT INTO sign_in_attempts (key, at) VALUES (%s, %s), (%s, %s)",
                     (keys["address"], now, keys["account"], now))
    row = conn.execute("SELECT id, name, role, password FROM accounts WHERE name = %s AND disabled_at IS NULL",
                       (name.strip(),)).fetchone()
    if not verify_password(row[3] if row else None, password):
        raise AccountError(401, "SIGN_IN_WRONG")
    token = secrets.token_urlsafe(32)
    with conn.transaction():
        conn.execute("DELETE FROM sign_in_attempts WHERE key = ANY(%s)", (list(keys.values()),))
        conn.execute("INSERT INTO sessions (token_hash, account_id, started_at, seen_at) VALUES (%s, %s, %s, %s)",
                     (_token_hash(token), row[0], now, now))
    return token, Account(row[0], row[1], row[2])


def session_account(conn: psycopg.Connection, token: str, now: datetime) -> Account | None:
    """The signed-in account, its session kept alive by this request; None when there is none or it ended."""
    if not token:
        return None
    digest = _token_hash(token)
    row = conn.execute("SELECT a.id, a.name, a.role, s.started_at, s.seen_at FROM sessions s"
                       " JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = %s AND a.disabled_at IS NULL",
                       (digest,)).fetchone()
    if row is None:
        return None
    if now - row[4] >= SESSION_IDLE or now - row[3] >= SESSION_MAX:
        conn.execute("DELETE FROM sessions WHERE token_hash = %s", (digest,))
        return None
    conn.execute("UPDATE sessions SET seen_at = %s WHERE token_hash = %s", (now, digest))
    return Account(row[0], row[1], row[2])


def sign_out(conn: psycopg.Connection, token: str) -> None:
    conn.execute("DELETE FROM sessions WHERE token_hash = %s", (_token_hash(token),))
