"""The hall's ID key: the HMAC key that hashes ID and phone numbers, in a file beside the database.

It is kept out of the SQLite file and never sent to a device, so the database, its WAL, a device or
a log are not enough to turn a masked number plus its hash back into the number (3 hidden digits
times every birth date is only a few million guesses). Backups copy it deliberately: without it, a
restored hall no longer recognises a person booked or seen before.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("hallq.hub")

KEY_BYTES = 32


def key_path(db_path: str | Path) -> Path:
    """hall.db -> hall.key, beside it."""
    return Path(db_path).with_suffix(".key")


def load_or_create(path: Path) -> bytes:
    """The key in `path`; on the hall's first start, 32 fresh random bytes written there, mode 0600."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return load_or_create(path)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
            f.flush()
            os.fsync(f.fileno())
        log.info("created the hall's ID key %s (keep it with the database's backups)", path)
        return key
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path} is not a HallQ ID key ({len(key)} bytes, expected {KEY_BYTES})")
    return key


class PersonalKey:
    """Hashes personal numbers with the hall's key; the same person hashes alike all over the hall."""

    def __init__(self, key: bytes):
        self._key = key

    def __repr__(self) -> str:
        return "PersonalKey(…)"

    def hash(self, value: str) -> str:
        return hmac.new(self._key, value.upper().encode("ascii"), hashlib.sha256).hexdigest()
