"""Who is called next, and how long a ticket will wait.

Order at a window: first the longest-waiting ticket past the hall's age limit (不让一人久等),
then tickets transferred to this very window, then tickets transferred to one of its services,
then checked-in appointments whose slot has come, then priority (绿色通道) and normal tickets
interleaved at the configured ratio, each by their place in line. A 过号 ticket in its grace
time is passed over where it stands.

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


AGE_LIMIT = "age_limit"  # the call's reason when a ticket waited past the hall's age limit


def in_grace(t: Ticket, now: datetime) -> bool:
    """A 过号 ticket back in line but not callable yet (the hall's no_show_grace_minutes)."""
    return t.grace_until is not None and datetime.fromisoformat(t.grace_until) > now


def _callable_head(state: HallState, line, now: datetime) -> Entry | None:
    # Tickets in grace are skipped in place: there are only ever a few.
    for entry in line or ():
        if not in_grace(state.tickets[entry[1]], now):
            return entry
    return None


def _overdue(state: HallState, cfg: HallConfig, services, now: datetime) -> Entry | None:
    """The longest-waiting ticket this window can serve that has waited past the age limit, if any.

    Waiting counts from issue; each line's callable head is its oldest but for a requeued 过号,
    which the no-show rule placed on purpose. Transfers are not candidates: they were served once
    already, and their issue time says nothing of their wait in the new line."""
    limit = cfg.queue.age_limit_minutes
    if not limit:
        return None
    lines, cutoff = state.lines, now - timedelta(minutes=limit)
    best = None
    for line in (grp.get(s) for s in services for grp in (lines.appointments, lines.priority, lines.normal)):
        entry = _callable_head(state, line, now)
        if entry is None:
            continue
        issued = datetime.fromisoformat(state.tickets[entry[1]].issued_at)
        if issued <= cutoff and (best is None or (issued, entry) < best):
            best = (issued, entry)
    return best[1] if best else None


def pick_next(state: HallState, cfg: HallConfig, window: WindowStatus, now: datetime) -> Ticket | None:
    return pick_next_why(state, cfg, window, now)[0]


def pick_next_why(state: HallState, cfg: HallConfig, window: WindowStatus,
                  now: datetime) -> tuple[Ticket | None, str | None]:
    """The ticket `window` calls now, and why if out of the usual order (AGE_LIMIT)."""
    lines, services = state.lines, cfg.window_services(window.id)
    entry = _overdue(state, cfg, services, now)
    if entry is not None:
        return state.tickets[entry[1]], AGE_LIMIT
    entry = _callable_head(state, lines.to_window.get(window.id), now) or _first(
        *(_callable_head(state, lines.transfers.get(s), now) for s in services))
    if entry is None:
        in_slot, appt_priority, appt_normal = _appointments(state, services, now, cfg)
        entry = _callable_head(state, in_slot, now)
        if entry is None:
            priority = _first(_callable_head(state, appt_priority, now),
                              *(_callable_head(state, lines.priority.get(s), now) for s in services))
            normal = _first(_callable_head(state, appt_normal, now),
                            *(_callable_head(state, lines.normal.get(s), now) for s in services))
            if priority is None or normal is None:
                entry = priority or normal
            else:
                entry = priority if _take_priority(cfg, window.priority_streak, window.normal_streak) else normal
    return (state.tickets[entry[1]] if entry else None), None


def window_line(state: HallState, cfg: HallConfig, window_id: int, now: datetime) -> list[Ticket]:
    """The tickets waiting for this window in the order it would call them if no one else came
    and the clock stood still; tickets in their 过号 grace are not in it (see `in_grace_at`)."""
    lines, services = state.lines, cfg.window_services(window_id)
    callable_ = lambda entries: [e for e in entries if not in_grace(state.tickets[e[1]], now)]  # noqa: E731
    overdue = _all_overdue(state, cfg, services, now)
    in_slot, appt_priority, appt_normal = _appointments(state, services, now, cfg)
    ahead = callable_([*lines.to_window.get(window_id, ()),
                       *heapq.merge(*(lines.transfers.get(s, ()) for s in services)), *in_slot])
    priority = callable_(heapq.merge(appt_priority, *(lines.priority.get(s, ()) for s in services)))
    normal = callable_(heapq.merge(appt_normal, *(lines.normal.get(s, ()) for s in services)))
    if overdue:
        first = set(overdue)
        ahead = [*overdue, *(e for e in ahead if e not in first)]
        priority = [e for e in priority if e not in first]
        normal = [e for e in normal if e not in first]
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


def _all_overdue(state: HallState, cfg: HallConfig, services, now: datetime) -> list[Entry]:
    """Every callable ticket past the age limit at these services, longest waiting first (as `_overdue`
    picks them one by one)."""
    limit = cfg.queue.age_limit_minutes
    if not limit:
        return []
    lines, cutoff = state.lines, now - timedelta(minutes=limit)
    found = []
    for line in (grp.get(s) for s in services for grp in (lines.appointments, lines.priority, lines.normal)):
        for entry in line or ():
            t = state.tickets[entry[1]]
            if in_grace(t, now):
                continue
            issued = datetime.fromisoformat(t.issued_at)
            if issued > cutoff:
                break  # but for requeued 过号, later entries were issued later
            found.append((issued, entry))
    return [entry for _, entry in sorted(found)]


def in_grace_at(state: HallState, cfg: HallConfig, window_id: int, now: datetime) -> list[Ticket]:
    """The 过号 tickets this window could call once their grace is over, soonest back first."""
    lines, services = state.lines, cfg.window_services(window_id)
    groups = [lines.to_window.get(window_id), *(grp.get(s) for s in services for grp in (
        lines.transfers, lines.appointments, lines.priority, lines.normal))]
    found = [state.tickets[i] for g in groups if g for _, i in g if in_grace(state.tickets[i], now)]
    return sorted(found, key=lambda t: (t.grace_until, t.order))


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


def open_windows_for(state: HallState, cfg: HallConfig, service_id: str) -> list[int]:
    """The open (logged-in, not paused) windows that serve this service."""
    return [i for i in cfg.windows_serving(service_id)
            if (w := state.windows.get(i)) is not None and w.state == WindowState.OPEN]


def _callable_by(cfg: HallConfig, t: Ticket, window_id: int) -> bool:
    if t.target_window is not None:
        return t.target_window == window_id
    return t.service_id in cfg.window_services(window_id)


def stranded(state: HallState, cfg: HallConfig, closing: int | None = None) -> list[Ticket]:
    """Waiting tickets no open window can call (once window `closing` closes, if given: then only
    those it could call), in line order."""
    open_ids = [w.id for w in state.windows.values() if w.state == WindowState.OPEN and w.id != closing]
    left: dict[tuple, bool] = {}  # (service, target window) -> no open window can call it
    out = []
    for t in state.tickets.values():
        if t.state != TicketState.WAITING:
            continue
        key = (t.service_id, t.target_window)
        if key not in left:
            left[key] = (closing is None or _callable_by(cfg, t, closing)) and not any(
                _callable_by(cfg, t, i) for i in open_ids)
        if left[key]:
            out.append(t)
    return sorted(out, key=lambda t: (t.order, t.id))


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
