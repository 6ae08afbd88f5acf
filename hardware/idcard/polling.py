"""The kiosk's polling loop over an IdCardReader: only changes come out of it."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

from .codec import ReaderError
from .driver import IdCardReader
from .holder import CardHolder

__all__ = ["ReaderEvent", "poll"]


@dataclass(frozen=True)
class ReaderEvent:
    """kind: "card" (a newly placed card), "removed", "error", or "ready" (working again)."""

    kind: str
    holder: CardHolder | None = None
    error: ReaderError | None = None


def poll(reader: IdCardReader, stop: threading.Event, *, interval: float = 0.3,
         retry_after: float = 2.0) -> Iterator[ReaderEvent]:
    """Loop for a kiosk worker thread: yields only changes, until `stop` is set.

    A card lying on the reader is reported once, not on every poll; a failing reader
    is reported once per error code, not on every retry: an unplugged reader says
    "disconnected" and then "not connected at PORT" while it stays unplugged, one problem.
    """
    current: str | None = None   # the ID number of the card on the reader
    last_error: str | None = None  # ReaderError.code
    while not stop.is_set():
        try:
            holder = reader.read_card()
        except ReaderError as e:
            if e.code != last_error:
                last_error = e.code
                yield ReaderEvent("error", error=e)
            stop.wait(retry_after if e.code == "unplugged" else interval)
            continue
        if last_error is not None:
            last_error = None
            yield ReaderEvent("ready")
        if holder is None and current is not None:
            current = None
            yield ReaderEvent("removed")
        elif holder is not None and holder.id_number != current:
            current = holder.id_number
            yield ReaderEvent("card", holder=holder)
        stop.wait(interval)
