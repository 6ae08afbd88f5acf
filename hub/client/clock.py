"""The one clock of the devices: the wall clock, in the hall's time zone when it is known.

Controllers take any object with `now()`; tests and the demo pass the hub's hand-moved clock."""
from __future__ import annotations

from datetime import datetime, tzinfo


class DeviceClock:
    def __init__(self, tz: tzinfo | None = None):
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz) if self.tz else datetime.now().astimezone()
