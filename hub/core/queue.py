"""Who is called next, and how long a ticket will wait.

Order at a window: tickets transferred to this very window, then tickets transferred to one
of its services, then checked-in appointments whose slot has come, then priority (绿色通道)
and normal tickets interleaved at the configured ratio, each by their place in line.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from .config import HallConfig
from .model import HallState, Ticket, TicketState, WindowState, WindowStatus


def _in_slot(t: Ticket, now: datetime, cfg: HallConfig) -> bool:
    if not t.appointment_id or not t.slot_start:
        return False
    start = datetime.fromisoformat(t.slot_start) - timedelta(minutes=cfg.queue.appointment_early_minutes)
    end = datetime.fromisoformat(t.slot_end) + timedelta(minutes=cfg.queue.appointment_late_minutes)
    return start <= now <= end


def _rank(t: Ticket, window_id: int | None, now: datetime, cfg: HallConfig) -> int:
    if window_id is not None and t.target_window == window_id:
        return 0
    if t.transferred:
        return 1
    if _in_slot(t, now, cfg):
        return 2
    return 3 if t.priority else 4


def candidates(state: HallState, cfg: HallConfig, window_id: int) -> list[Ticket]:
    services = cfg.window_services(window_id)
    return [
        t
        for t in state.tickets.values()
        if t.state == TicketState.WAITING
        and (t.target_window == window_id or (t.target_window is None and t.service_id in services))
    ]


def pick_next(state: HallState, cfg: HallConfig, window: WindowStatus, now: datetime) -> Ticket | None:
    pool = candidates(state, cfg, window.id)
    if not pool:
        return None
    ranked = sorted(pool, key=lambda t: (_rank(t, window.id, now, cfg), t.order))
    first = ranked[0]
    if _rank(first, window.id, now, cfg) < 3:
        return first
    priority = [t for t in ranked if t.priority]
    normal = [t for t in ranked if not t.priority]
    if not priority or not normal:
        return (priority or normal)[0]
    p_share, n_share = cfg.queue.ratio
    take_priority = window.normal_streak >= n_share or 0 < window.priority_streak < p_share
    return priority[0] if take_priority else normal[0]


def streaks_after(window: WindowStatus, ticket: Ticket) -> tuple[int, int]:
    """(priority_streak, normal_streak) once `ticket` has been called at `window`."""
    if ticket.priority:
        return window.priority_streak + 1, 0
    return 0, window.normal_streak + 1 if window.normal_streak < 1_000_000 else 1


def requeue_order(state: HallState, cfg: HallConfig, ticket: Ticket, window_id: int, behind: int) -> float:
    """A place `behind` tickets back in the line of the window that called it (or at its end)."""
    waiting = sorted(t.order for t in candidates(state, cfg, window_id) if t.id != ticket.id)
    if not waiting:
        return ticket.order
    if behind >= len(waiting):
        return waiting[-1] + 0.5
    if behind == 0:
        return waiting[0] - 1
    return (waiting[behind - 1] + waiting[behind]) / 2


def front_order(state: HallState) -> float:
    waiting = [t.order for t in state.tickets.values() if t.state == TicketState.WAITING]
    return min(waiting, default=0.0) - 1


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


def position(state: HallState, cfg: HallConfig, ticket: Ticket, now: datetime) -> tuple[int, int]:
    """(people ahead in this service's line, estimated minutes until called)."""
    if ticket.state != TicketState.WAITING:
        return 0, 0
    key = (_rank(ticket, None, now, cfg), ticket.order)
    ahead = sum(
        1
        for t in state.tickets.values()
        if t.state == TicketState.WAITING
        and t.id != ticket.id
        and t.service_id == ticket.service_id
        and (_rank(t, None, now, cfg), t.order) < key
    )
    per_window = average_service_seconds(state, cfg, ticket.service_id) / serving_windows(state, cfg, ticket.service_id)
    return ahead, math.ceil(ahead * per_window / 60)


def positions(state: HallState, cfg: HallConfig, now: datetime) -> dict[int, tuple[int, int]]:
    """`position` for every waiting ticket at once (one sort per service), for snapshots."""
    lines: dict[str, list[Ticket]] = {}
    for t in state.tickets.values():
        if t.state == TicketState.WAITING:
            lines.setdefault(t.service_id, []).append(t)
    out: dict[int, tuple[int, int]] = {}
    for service_id, line in lines.items():
        line.sort(key=lambda t: (_rank(t, None, now, cfg), t.order))
        per_window = average_service_seconds(state, cfg, service_id) / serving_windows(state, cfg, service_id)
        for ahead, t in enumerate(line):
            out[t.id] = (ahead, math.ceil(ahead * per_window / 60))
    return out
