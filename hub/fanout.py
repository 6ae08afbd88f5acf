"""Sending committed events to every open event stream, each event encoded to JSON once.

Subscribers' queues hold `Outgoing` items (the JSON text ready to send: the very text the store
keeps, see hub/store.py `number`), so 200 displays cost one encoding per event, not 200. The
latest events are kept encoded for reconnecting devices to replay without reading the store.
"""
from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from dataclasses import dataclass
from typing import Iterable


QUEUE_LIMIT = 10_000  # a subscriber this far behind is dropped and told to resync


def encode(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Outgoing:
    seq: int
    type: str
    text: str
    event: dict | None  # the message the text encodes, for readers that filter by content (None: parse text)


def control(kind: str, seq: int = 0) -> Outgoing:
    message = {"type": kind, "seq": seq}
    return Outgoing(seq, kind, encode(message), message)


class Fanout:
    def __init__(self, keep: int):
        self.subscribers: set[asyncio.Queue] = set()
        self.recent: deque[Outgoing] = deque(maxlen=keep)

    def subscribe(self) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self.subscribers.add(q)
        return q

    def unsubscribe(self, q: asyncio.Queue) -> None:
        self.subscribers.discard(q)

    def publish(self, events: Iterable, head: int) -> None:
        """Committed events (hub/store.py `Stored`), in seq order."""
        for e in events:
            item = Outgoing(e.seq, e.type, e.text, e.event)
            self.recent.append(item)
            for q in list(self.subscribers):
                try:
                    q.put_nowait(item)
                except asyncio.QueueFull:
                    # A stuck subscriber must not hold up the hall: drop its backlog and tell it to resync.
                    self.subscribers.discard(q)
                    while not q.empty():
                        q.get_nowait()
                    q.put_nowait(control("snapshot_needed", head))

    def resync_all(self, head: int) -> None:
        """After a failed commit the hall was reloaded: every stream starts afresh from a snapshot."""
        self.recent.clear()
        for q in list(self.subscribers):
            self.subscribers.discard(q)
            while not q.empty():
                q.get_nowait()
            q.put_nowait(control("snapshot_needed", head))

    def replay(self, since: int) -> list[Outgoing] | None:
        """The kept events after `since`, or None if some of them are no longer kept."""
        if not self.recent or since + 1 < self.recent[0].seq:
            return None
        first = self.recent[0].seq
        return list(itertools.islice(self.recent, max(0, since + 1 - first), None))


__all__ = ["Fanout", "Outgoing", "control", "encode"]
