"""Time is injected so midnight reset and wait statistics are testable.

SystemClock is the only place in HallQ that reads the wall clock.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def __init__(self, tz: tzinfo | None = None):
        self.tz = tz or timezone.utc

    def now(self) -> datetime:
        return datetime.now(self.tz)


class ManualClock:
    """A clock tests and the demo move by hand; thread-safe because the hub reads it from its server thread."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._now = self._now + timedelta(**delta)
            return self._now


class OffsetClock:
    """Real time shifted to start at a chosen moment: the demo runs "at 09:30" whenever it is started."""

    def __init__(self, start: datetime, base: Clock | None = None):
        self.base = base or SystemClock(start.tzinfo)
        self.offset = start - self.base.now()

    def now(self) -> datetime:
        return self.base.now() + self.offset
