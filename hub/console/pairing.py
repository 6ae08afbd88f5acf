"""Pairing: the console makes a 6-digit code for one device; the device trades it for a token.

A code is good once and for ten minutes, so a code read over an installer's shoulder is
worthless soon after; wrong codes are rate-limited per address like the password.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from ..api.auth import ApiError
from .auth import throttle

CODE_LIFETIME = timedelta(minutes=10)
ROLES = ("kiosk", "caller", "display", "console")


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def create_code(hub, role: str, name: str, window_id: int | None) -> dict:
    if role == "caller" and (window_id is None or hub.config.window(window_id) is None):
        raise ApiError(422, "PAIRING_WINDOW")
    if role != "caller":
        window_id = None
    now = hub.now()
    store = hub.store
    with store._tx() as conn:
        conn.execute("DELETE FROM pairing_codes WHERE expires_at <= ?", (_iso(now),))
        taken = {row[0] for row in conn.execute("SELECT code FROM pairing_codes")}
        code = f"{secrets.randbelow(1_000_000):06d}"
        while code in taken:
            code = f"{secrets.randbelow(1_000_000):06d}"
        expires = now + CODE_LIFETIME
        conn.execute("INSERT INTO pairing_codes (code, role, name, window_id, expires_at) VALUES (?, ?, ?, ?, ?)",
                     (code, role, name, window_id, _iso(expires)))
    return {"code": code, "role": role, "name": name, "window_id": window_id, "expires_at": _iso(expires)}


def pending_codes(hub) -> list[dict]:
    now = _iso(hub.now())
    rows = hub.store.conn.execute(
        "SELECT code, role, name, window_id, expires_at FROM pairing_codes WHERE expires_at > ? ORDER BY expires_at",
        (now,)).fetchall()
    return [dict(zip(("code", "role", "name", "window_id", "expires_at"), r)) for r in rows]


def redeem(hub, code: str, address: str) -> tuple[dict, str]:
    """Trade a code for a new device and its token; the code is used up in the same transaction."""
    limiter = throttle(hub, "pair")
    now = hub.now()
    limiter.check(address, now, "PAIRING_LOCKED")
    store = hub.store
    found = None
    if code.isdigit() and len(code) == 6:
        with store._tx() as conn:
            found = conn.execute("SELECT role, name, window_id FROM pairing_codes WHERE code=? AND expires_at > ?",
                                 (code, _iso(now))).fetchone()
            if found:
                conn.execute("DELETE FROM pairing_codes WHERE code=?", (code,))
    if not found:
        if limiter.fail(address, now) == 0:
            raise ApiError(429, "PAIRING_LOCKED", minutes=int(limiter.lock.total_seconds() // 60))
        raise ApiError(400, "PAIRING_CODE_INVALID")
    limiter.succeed(address)
    role, name, window_id = found
    device, token = store.add_device(name, role, window_id, _iso(now))
    store.audit(_iso(now), name, "device.paired", {"device": device["id"], "role": role, "name": name,
                                                    "window": window_id, "address": address})
    return device, token
