"""The console password (a salted scrypt hash, never the password) and the brakes on guessing
it or a pairing code."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections import deque
from datetime import datetime, timedelta

from ..core.errors import DomainError

PASSWORD_KEY = "console_password"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _derive(password: str, salt: bytes, params: dict) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=params["n"], r=params["r"], p=params["p"],
                          maxmem=64 * 1024 * 1024, dklen=32)


def set_password(store, password: str) -> None:
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
            raise DomainError(code, status=429, minutes=minutes)
        if until:
            self.locked_until.pop(key, None)
            self.failures.pop(key, None)

    def fail(self, key: str, now: datetime, code: str) -> None:
        """Record a failure; once the limit is reached, refuse with `code` for the lock's length."""
        recent = self.failures.setdefault(key, deque())
        recent.append(now)
        while recent and now - recent[0] > self.window:
            recent.popleft()
        if len(recent) >= self.limit:
            self.locked_until[key] = now + self.lock
            raise DomainError(code, status=429, minutes=int(self.lock.total_seconds() // 60))

    def left(self, key: str) -> int:
        return self.limit - len(self.failures.get(key, ()))

    def succeed(self, key: str) -> None:
        self.failures.pop(key, None)
