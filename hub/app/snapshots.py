"""The periodic state snapshot (a restart reads it instead of replaying the whole day), made cheap.

A busy hall's snapshot is mostly tickets, and most of them have not changed since the last one
(20,000 waiting, 5,000 events between snapshots). Each ticket's JSON is kept with the fields it
was made from: the loop compares a ticket's fields with the kept ones (no copy when equal) and the
writer thread encodes only the tickets that changed, then joins the texts. The snapshot is the same
JSON `HallState.to_dict` would give; only its key order differs, which no reader depends on.
"""
from __future__ import annotations

import json

from ..core.model import HallState


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


class Snapshots:
    def __init__(self) -> None:
        # ticket id -> (its fields as last encoded, their JSON); written by the writer thread only,
        # read by the loop only between two commits (the writer takes one snapshot at a time).
        self._kept: dict[int, tuple[dict, str]] = {}

    def clear(self) -> None:
        """After the hall was reloaded: nothing kept is known to match it."""
        self._kept = {}

    def capture(self, state: HallState) -> tuple[dict, list]:
        """On the loop, with the hall exactly at the snapshot's seq: everything but the ticket texts."""
        rest = state.to_dict(tickets=False)
        del rest["tickets"]
        # The state's own containers are copied here, as the writer thread encodes them while the loop goes on.
        for key in ("counters", "clerk_done", "calls"):
            rest[key] = type(rest[key])(rest[key])
        rest["device_faults"] = {k: dict(v) for k, v in rest["device_faults"].items()}
        kept = self._kept
        tickets = []
        for t in state.tickets.values():
            old = kept.get(t.id)
            tickets.append(old if old is not None and old[0] == t.__dict__ else t.to_dict())
        return rest, tickets

    def encode(self, captured: tuple[dict, list]) -> str:
        """In the writer thread: the snapshot's JSON, encoding only the tickets that changed."""
        rest, tickets = captured
        kept: dict[int, tuple[dict, str]] = {}
        texts = []
        for t in tickets:
            if isinstance(t, tuple):
                kept[t[0]["id"]] = t
                texts.append(t[1])
            else:
                text = _json(t)
                kept[t["id"]] = (t, text)
                texts.append(text)
        self._kept = kept  # today's tickets only: yesterday's go at the day's first snapshot
        return _json(rest)[:-1] + ', "tickets": [' + ", ".join(texts) + "]}"


__all__ = ["Snapshots"]
