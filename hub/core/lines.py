"""Today's waiting tickets, kept sorted by (order, id) in small groups as events are applied,
so the next ticket is read from group heads and a place in line is a bisect, whatever the
queue's length.

Groups follow the calling rank (hub.core.queue): transfers to one window; transfers to a
service's line; checked-in appointments (whether a slot has come depends on the time, so they
are a group of their own, read at the time asked: there are few); priority; normal.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sortedcontainers import SortedList

Entry = tuple[float, int]  # (order, ticket id)


class Lines:
    def __init__(self, tickets=()):
        self.to_window: defaultdict[int, SortedList] = defaultdict(SortedList)    # target window -> entries
        self.targeted: defaultdict[str, SortedList] = defaultdict(SortedList)     # the same, by their service
        self.transfers: defaultdict[str, SortedList] = defaultdict(SortedList)    # to a service's line
        self.appointments: defaultdict[str, SortedList] = defaultdict(SortedList)
        self.priority: defaultdict[str, SortedList] = defaultdict(SortedList)
        self.normal: defaultdict[str, SortedList] = defaultdict(SortedList)
        for t in tickets:
            self.add(t)

    def copy(self) -> "Lines":
        """An independent copy (a sorted list copies in linear time; adding each entry again does not)."""
        out = Lines()
        for name in ("to_window", "targeted", "transfers", "appointments", "priority", "normal"):
            getattr(out, name).update((k, line.copy()) for k, line in getattr(self, name).items() if line)
        return out

    def _homes(self, t) -> Iterator[SortedList]:
        if t.transferred:
            if t.target_window is not None:
                yield self.to_window[t.target_window]
                yield self.targeted[t.service_id]
            else:
                yield self.transfers[t.service_id]
        elif t.appointment_id and t.slot_start:
            yield self.appointments[t.service_id]
        elif t.priority:
            yield self.priority[t.service_id]
        else:
            yield self.normal[t.service_id]

    def add(self, t) -> None:
        if t.state == "waiting":
            for home in self._homes(t):
                home.add((t.order, t.id))

    def discard(self, t) -> None:
        """Call before the ticket changes: its groups are found from its current fields."""
        if t.state == "waiting":
            for home in self._homes(t):
                home.discard((t.order, t.id))

    def all_groups(self) -> Iterator[SortedList]:
        yield from self.to_window.values()
        for g in (self.transfers, self.appointments, self.priority, self.normal):
            yield from g.values()

    def services(self) -> set[str]:
        return {s for g in (self.targeted, self.transfers, self.appointments, self.priority, self.normal)
                for s, line in g.items() if line}


def head(line: SortedList | None) -> Entry | None:
    return line[0] if line else None


def count_before(line: SortedList | None, order: float) -> int:
    """How many entries have a smaller order (a 1-tuple sorts before every (order, id))."""
    return line.bisect_left((order,)) if line else 0
