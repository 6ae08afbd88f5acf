"""The manager's password, sign-in sessions, and the brakes on guessing.

A session is a store device of role console, so every API the console uses (snapshot,
events, notice) accepts its token as is, and signing out revokes it like any device.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import weakref
from collections import deque
from datetime import datetime, timedelta

from ..api.auth import ApiError
from . import texts  # noqa: F401  (registers the console's error messages)

PASSWORD_KEY = "console_password"
SESSION_PREFIX = "管理台登录"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _derive(password: str, salt: bytes, params: dict) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=params["n"], r=params["r"], p=params["p"],
                          maxmem=64 * 1024 * 1024, dklen=32)


def set_password(store, password: str) -> None:
    """Store a salted scrypt hash of the console password (never the password itself)."""
    salt = secrets.token_bytes(16)
    record = {"algo": "scrypt", **_SCRYPT, "salt": salt.hex(), "hash": _derive(password, salt, _SCRYPT).hex()}
    store.set_setting(PASSWORD_KEY, json.dumps(record))


def has_password(store) -> bool:
    return store.setting(PASSWORD_KEY) is not None


def check_password(store, password: str) -> bool:
    raw = store.setting(PASSWORD_KEY)
    if raw is None:
        return False
    record = json.loads(raw)
    digest = _derive(password, bytes.fromhex(record["salt"]), record)
    return hmac.compare_digest(digest.hex(), record["hash"])


class Throttle:
    """After `limit` failures within `window` from one address, refuse it for `lock`.

    Times come from the hub's clock, so tests can move past the lock."""

    def __init__(self, limit: int = 5, window: timedelta = timedelta(minutes=10),
                 lock: timedelta = timedelta(minutes=10)):
        self.limit, self.window, self.lock = limit, window, lock
        self.failures: dict[str, deque[datetime]] = {}
        self.locked_until: dict[str, datetime] = {}

    def check(self, key: str, now: datetime, code: str) -> None:
        until = self.locked_until.get(key)
        if until and now < until:
            minutes = max(1, int((until - now).total_seconds() + 59) // 60)
            raise ApiError(429, code, minutes=minutes)
        if until:
            self.locked_until.pop(key, None)
            self.failures.pop(key, None)

    def fail(self, key: str, now: datetime) -> int:
        """Record a failure; returns how many tries are left before the lock."""
        recent = self.failures.setdefault(key, deque())
        recent.append(now)
        while recent and now - recent[0] > self.window:
            recent.popleft()
        if len(recent) >= self.limit:
            self.locked_until[key] = now + self.lock
            return 0
        return self.limit - len(recent)

    def succeed(self, key: str) -> None:
        self.failures.pop(key, None)


_throttles: "weakref.WeakKeyDictionary[object, dict[str, Throttle]]" = weakref.WeakKeyDictionary()


def throttle(hub, name: str) -> Throttle:
    per_hub = _throttles.setdefault(hub, {})
    return per_hub.setdefault(name, Throttle())


def client_address(request) -> str:
    return request.client.host if request.client else "unknown"


def sign_in(hub, password: str, address: str) -> dict:
    """Check the password (rate-limited per address) and open a session: a console device."""
    limiter = throttle(hub, "login")
    now = hub.now()
    limiter.check(address, now, "LOGIN_LOCKED")
    if not has_password(hub.store):
        raise ApiError(409, "NO_PASSWORD")
    if not check_password(hub.store, password):
        left = limiter.fail(address, now)
        hub.store.audit(now.isoformat(timespec="seconds"), address, "console.login_failed", {"address": address})
        if left == 0:
            raise ApiError(429, "LOGIN_LOCKED", minutes=int(limiter.lock.total_seconds() // 60))
        raise ApiError(401, "LOGIN_FAILED", left=left)
    limiter.succeed(address)
    device, token = hub.store.add_device(f"{SESSION_PREFIX} {address}", "console", None,
                                         now.isoformat(timespec="seconds"))
    hub.store.audit(now.isoformat(timespec="seconds"), device["name"], "console.login", {"device": device["id"]})
    return {"token": token, "device": {k: device[k] for k in ("id", "name", "role")}}


def is_session(device: dict) -> bool:
    return device["role"] == "console" and str(device["name"]).startswith(SESSION_PREFIX)
