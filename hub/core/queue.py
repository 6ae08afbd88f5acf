"""Who is called next, and how long a ticket will wait.

Order at a window: tickets transferred to this very window, then tickets transferred to one
of its services, then checked-in appointments whose slot has come, then priority (绿色通道)
and normal tickets interleaved at the configured ratio, each by their place in line.

The waiting tickets are kept sorted in `state.lines` (hub.core.lines), so these read group
heads and bisect instead of scanning the hall.
"""
from __future__ import annotations

import heapq
import math
from datetime import datetime, timedelta
from itertools import islice

from .config import HallConfig
from .lines import Entry, count_before, head
from .model import (
    FRESH_STREAK,
    HallState,
    Ticket,
    TicketState,
    WindowState,
    WindowStatus,
)


def _in_slot(t: Ticket, now: datetime, cfg: HallConfig) -> bool:
    if not t.appointment_id or not t.slot_start:
        return False
    start = datetime.fromisoformat(t.slot_start) - timedelta(minutes=cfg.queue.appointment_early_minutes)
    end = datetime.fromisoformat(t.slot_end) + timedelta(minutes=cfg.queue.appointment_late_minutes)
    return start <= now <= end


def _appointments(state: HallState, services, now: datetime, cfg: HallConfig) -> tuple[list, list, list]:
    """Checked-in appointments of these services split by the time: (in slot, priority, normal), sorted."""
    in_slot, priority, normal = [], [], []
    for s in services:
        for entry in state.lines.appointments.get(s, ()):
            t = state.tickets[entry[1]]
            (in_slot if _in_slot(t, now, cfg) else priority if t.priority else normal).append(entry)
    return sorted(in_slot), sorted(priority), sorted(normal)


def _first(*entries: Entry | None) -> Entry | None:
    return min((e for e in entries if e is not None), default=None)


def streaks_after(window: WindowStatus, ticket: Ticket) -> tuple[int, int]:
    """(priority_streak, normal_streak) once `ticket` has been called at `window`."""
    return _streaks(window.priority_streak, window.normal_streak, ticket.priority)


def _streaks(priority_streak: int, normal_streak: int, priority: bool) -> tuple[int, int]:
    if priority:
        return priority_streak + 1, 0
    return 0, normal_streak + 1 if normal_streak < FRESH_STREAK else 1


def _take_priority(cfg: HallConfig, priority_streak: int, normal_streak: int) -> bool:
    p_share, n_share = cfg.queue.ratio
    return normal_streak >= n_share or 0 < priority_streak < p_share


def pick_next(state: HallState, cfg: HallConfig, window: WindowStatus, now: datetime) -> Ticket | None:
    lines, services = state.lines, cfg.window_services(window.id)
    entry = head(lines.to_window.get(window.id)) or _first(*(head(lines.transfers.get(s)) for s in services))
    if entry is None:
        in_slot, appt_priority, appt_normal = _appointments(state, services, now, cfg)
        entry = head(in_slot)
        if entry is None:
            priority = _first(head(appt_priority), *(head(lines.priority.get(s)) for s in services))
            normal = _first(head(appt_normal), *(head(lines.normal.get(s)) for s in services))
            if priority is None or normal is None:
                entry = priority or normal
            else:
                entry = priority if _take_priority(cfg, window.priority_streak, window.normal_streak) else normal
    return state.tickets[entry[1]] if entry else None


def window_line(state: HallState, cfg: HallConfig, window_id: int, now: datetime) -> list[Ticket]:
    """The tickets waiting for this window in the order it would call them if no one else came."""
    lines, services = state.lines, cfg.window_services(window_id)
    in_slot, appt_priority, appt_normal = _appointments(state, services, now, cfg)
    ahead = [*lines.to_window.get(window_id, ()), *heapq.merge(*(lines.transfers.get(s, ()) for s in services)),
             *in_slot]
    priority = list(heapq.merge(appt_priority, *(lines.priority.get(s, ()) for s in services)))
    normal = list(heapq.merge(appt_normal, *(lines.normal.get(s, ()) for s in services)))
    window = state.windows.get(window_id) or WindowStatus(id=window_id)
    p_streak, n_streak = window.priority_streak, window.normal_streak
    out = []
    for entry in ahead:
        t = state.tickets[entry[1]]
        p_streak, n_streak = _streaks(p_streak, n_streak, t.priority)
        out.append(t)
    p = n = 0
    while p < len(priority) or n < len(normal):
        if n >= len(normal) or (p < len(priority) and _take_priority(cfg, p_streak, n_streak)):
            entry, p = priority[p], p + 1
        else:
            entry, n = normal[n], n + 1
        t = state.tickets[entry[1]]
        p_streak, n_streak = _streaks(p_streak, n_streak, t.priority)
        out.append(t)
    return out


def requeue_order(state: HallState, cfg: HallConfig, ticket: Ticket, window_id: int, behind: int) -> float:
    """A place `behind` tickets back in the line of the window that called it (or at its end)."""
    lines, services = state.lines, cfg.window_services(window_id)
    groups = [g for g in (lines.to_window.get(window_id), *(
        grp.get(s) for s in services for grp in (lines.transfers, lines.appointments, lines.priority, lines.normal)))
        if g]
    by_order = (order for order, i in heapq.merge(*groups) if i != ticket.id)
    first = list(islice(by_order, behind + 1))
    if not first:
        return ticket.order
    if behind >= len(first):
        return max(next(order for order, i in reversed(g) if i != ticket.id) for g in groups
                   if len(g) > 1 or g[0][1] != ticket.id) + 0.5
    if behind == 0:
        return first[0] - 1
    return (first[behind - 1] + first[behind]) / 2


def front_order(state: HallState) -> float:
    return min((g[0][0] for g in state.lines.all_groups() if g), default=0.0) - 1


def average_service_seconds(state: HallState, cfg: HallConfig, service_id: str) -> float:
    sample = state.service_times.get(service_id)
    if sample:
        return sum(sample) / len(sample)
    service = cfg.service(service_id)
    return (service.minutes if service else 8) * 60


def serving_windows(state: HallState, cfg: HallConfig, service_id: str) -> int:
    configured = cfg.windows_serving(service_id)
    open_now = [i for i in configured if state.windows.get(i) and state.windows[i].state == WindowState.OPEN]
    return len(open_now) or len(configured) or 1


def _seconds_per_place(state: HallState, cfg: HallConfig, service_id: str) -> float:
    return average_service_seconds(state, cfg, service_id) / serving_windows(state, cfg, service_id)


def position(state: HallState, cfg: HallConfig, ticket: Ticket, now: datetime) -> tuple[int, int]:
    """(people ahead in this service's line, estimated minutes until called)."""
    if ticket.state != TicketState.WAITING:
        return 0, 0
    lines, s, order = state.lines, ticket.service_id, ticket.order
    transfers = [lines.targeted.get(s), lines.transfers.get(s)]
    if ticket.transferred:
        ahead = sum(count_before(g, order) for g in transfers)
    else:
        in_slot, appt_priority, appt_normal = _appointments(state, (s,), now, cfg)
        ahead = sum(len(g) for g in transfers if g)
        if _in_slot(ticket, now, cfg):
            ahead += sum(1 for o, i in in_slot if o < order)
        else:
            ahead += len(in_slot)
            own, appts = (lines.priority.get(s), appt_priority) if ticket.priority else (lines.normal.get(s), appt_normal)
            if not ticket.priority:
                ahead += len(lines.priority.get(s) or ()) + len(appt_priority)
            ahead += count_before(own, order) + sum(1 for o, i in appts if o < order)
    return ahead, math.ceil(ahead * _seconds_per_place(state, cfg, s) / 60)


def positions(state: HallState, cfg: HallConfig, now: datetime) -> dict[int, tuple[int, int]]:
    """`position` for every waiting ticket at once, walking each service's sorted groups, for snapshots."""
    lines = state.lines
    out: dict[int, tuple[int, int]] = {}
    for s in lines.services():
        in_slot, appt_priority, appt_normal = _appointments(state, (s,), now, cfg)
        line = [*heapq.merge(lines.targeted.get(s, ()), lines.transfers.get(s, ())), *in_slot,
                *heapq.merge(appt_priority, lines.priority.get(s, ())),
                *heapq.merge(appt_normal, lines.normal.get(s, ()))]
        per_place = _seconds_per_place(state, cfg, s)
        for ahead, (_, ticket_id) in enumerate(line):
            out[ticket_id] = (ahead, math.ceil(ahead * per_place / 60))
    return out
