"""When each waiting ticket will be called: the hall as it is, played forward in simulated time.

Every staffed window calls with the core's own rule (queue.pick_next) as soon as it is free, so a
综合窗口 that takes other services' tickets, the priority interleave, transfers that go first and
appointments whose slot comes later all count as they will in the hall. A window is free when
its current visit is expected to end; a paused one is assumed back after a short break; a closed
one calls nobody. A visit takes the time learned for its service today (the hall file's minutes
as a prior), scaled by how fast that window has been. Priority tickets still to come are played
in at the day's rate, since each goes ahead of the normal ones.

What cannot be known (who comes next, who is transferred, how long each visit really takes)
widens the estimate into a range rather than a false precision.

The play is the hub's read model's to cache (once per event seq and minute); it looks a business
day ahead at most, and a ticket just issued is appended to it, so its cost stays small.
"""
from __future__ import annotations

import heapq
import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import queue
from .config import HallConfig
from .model import ACTIVE, HallState, Ticket, TicketState, WindowState, WindowStatus

# The hall file's minutes count as one visit already seen: the day's visits soon outweigh it.
PRIOR_VISITS = 1
# A window is taken to be as fast as the hall until this many of its visits say otherwise.
PACE_PRIOR_VISITS = 5
# A visit longer than this many times the service's median is a forgotten "finish", not a visit.
OUTLIER_FACTOR = 3.0
# How much visits of one service vary (coefficient of variation) before the day shows it.
PRIOR_SPREAD = 0.6
# A paused window is assumed to be back this long after its pause began.
PAUSE_MINUTES = 10
# A visit that has run past its expected end still takes at least this share of it.
OVERRUN_SHARE = 0.25
# A called citizen who does not come costs the window about this long.
NO_SHOW_SECONDS = 90
# Tickets not yet issued (priority, transfers) only push a wait later: the upper end allows for them.
ARRIVALS_SHARE = 0.15
# Even a well-known hall is not known better than this.
MIN_SPREAD = 0.15
# The play looks this far ahead at most (a business day).
HORIZON = timedelta(hours=8)
# Priority tickets still to come are expected at the day's rate so far, the day taken as at least
# this long, so its first few tickets do not promise a flood.
RATE_MIN_SPAN = timedelta(hours=1)


@dataclass(frozen=True)
class Estimate:
    """Whole minutes until called: the central estimate and the range it is honestly within."""
    minutes: int
    low: int
    high: int


class ServiceTimes:
    """Seconds a visit takes, learned from the day's finished visits per service and per window."""

    def __init__(self, state: HallState, cfg: HallConfig):
        self.mean: dict[str, float] = {}
        self.spread: dict[str, float] = {}
        seen: dict[str, float] = {}
        for service in cfg.services:
            prior = service.minutes * 60
            sample = list(state.service_times.get(service.id, ()))
            if sample:
                cap = OUTLIER_FACTOR * statistics.median(sample)
                sample = [min(x, cap) for x in sample]
            self.mean[service.id] = (PRIOR_VISITS * prior + sum(sample)) / (PRIOR_VISITS + len(sample))
            # A window's pace is set against what the day's visits took (the hall file's minutes
            # would count the service's own error as the window's).
            seen[service.id] = sum(sample) / len(sample) if sample else prior
            if len(sample) >= 3:
                mean = sum(sample) / len(sample)  # by hand: statistics.pstdev works in fractions, slowly
                known = math.sqrt(sum((x - mean) ** 2 for x in sample) / len(sample)) / mean
                self.spread[service.id] = (PRIOR_VISITS * PRIOR_SPREAD + len(sample) * known) / (
                    PRIOR_VISITS + len(sample))
        # A window's pace counts from the call, so the walk to the window is in it.
        ratios: dict[int, list[float]] = {}
        called = no_shows = 0
        for t in state.tickets.values():
            if t.called_at is None:
                continue
            called += 1
            no_shows += t.no_show_count > 0
            if t.state == TicketState.DONE and t.window_id is not None and t.service_id in seen:
                seconds = (datetime.fromisoformat(t.finished_at)
                           - datetime.fromisoformat(t.called_at)).total_seconds()
                ratios.setdefault(t.window_id, []).append(min(max(seconds / seen[t.service_id], 0.25), 4.0))
        self.pace = {w: (PACE_PRIOR_VISITS + sum(r)) / (PACE_PRIOR_VISITS + len(r)) for w, r in ratios.items()}
        self.no_show_share = no_shows / called if called else 0.0

    def seconds(self, service_id: str, window_id: int) -> float:
        visit = self.mean.get(service_id, 8 * 60) * self.pace.get(window_id, 1.0)
        return (1 - self.no_show_share) * visit + self.no_show_share * min(NO_SHOW_SECONDS, visit)

    def spread_of(self, service_id: str) -> float:
        return self.spread.get(service_id, PRIOR_SPREAD)


class _Played:
    """What pick_next reads of a hall (its tickets and waiting lines), on copies the play changes:
    tickets are called out of it, and priority tickets not yet issued come in at the day's rate."""

    def __init__(self, state: HallState, now: datetime, changed: Ticket | None):
        self.now = now
        self.tickets = dict(state.tickets)
        waiting = [t for t in state.tickets.values() if t.state == TicketState.WAITING]
        self.lines = state.lines.copy()
        if changed is not None:
            live = self.tickets.get(changed.id)
            if live is not None:
                self.lines.discard(live)
            self.tickets[changed.id] = changed
            self.lines.add(changed)
            waiting = [t for t in waiting if t.id != changed.id] + [changed]
        self.waiting = waiting
        self._last = max((t.order for t in waiting), default=0.0)
        # (seconds from now of the next one, seconds between them, service)
        self._coming = [(gap / 2, gap, s) for s, gap in _priority_gaps(state, now)]
        heapq.heapify(self._coming)

    def come(self, until: float) -> None:
        """Add the priority tickets expected to be issued by `until` (they go ahead of normal ones)."""
        while self._coming and self._coming[0][0] <= until:
            when, gap, service_id = self._coming[0]
            self._last += 1
            t = Ticket(id=-len(self.tickets) - 1, number="", day="", zone_id="", service_id=service_id,
                       issued_at=(self.now + timedelta(seconds=when)).isoformat(), token="", order=self._last,
                       priority=True)
            self.tickets[t.id] = t
            self.lines.add(t)
            heapq.heapreplace(self._coming, (when + gap, gap, service_id))


def _priority_gaps(state: HallState, now: datetime) -> list[tuple[str, float]]:
    """Per service with priority tickets today: the seconds between them so far."""
    counts: dict[str, int] = {}
    for t in state.tickets.values():
        if t.priority and not t.appointment_id:
            counts[t.service_id] = counts.get(t.service_id, 0) + 1
    first = next(iter(state.tickets.values()), None)
    if first is None:
        return []
    span = max(-_seconds(first.issued_at, now), RATE_MIN_SPAN.total_seconds())
    return [(s, span / n) for s, n in counts.items()]


class Forecast(dict):
    """Ticket id -> Estimate, as played at `now`; `ready` keeps, per playing window, when it is free
    for a ticket behind every one played and how many visits it has had by then, so a ticket just
    issued is added without playing the hall again."""

    def __init__(self, now: datetime, times: ServiceTimes):
        super().__init__()
        self.now, self.times = now, times
        self.ready: dict[int, tuple[float, int]] = {}

    def append(self, t: Ticket, cfg: HallConfig) -> Estimate | None:
        """The estimate of `t`, issued behind every ticket played (a normal ticket just issued):
        the first playing window that serves it takes it when free. Kept, and the window's time moved on."""
        chosen = self._first_free(t.service_id, t.target_window, cfg)
        if chosen is None:
            return None
        (when, before), window_id = chosen
        self.ready[window_id] = when + self.times.seconds(t.service_id, window_id), before + 1
        self[t.id] = estimate = _estimate(when, before, self.times.spread_of(t.service_id))
        return estimate

    def next_ticket(self, service_id: str, cfg: HallConfig) -> Estimate | None:
        """The estimate a normal ticket of the service taken now would get (the citizens' hall page);
        the play is left as it was."""
        chosen = self._first_free(service_id, None, cfg)
        if chosen is None:
            return None
        (when, before), _ = chosen
        return _estimate(when, before, self.times.spread_of(service_id))

    def _first_free(self, service_id: str, target_window: int | None, cfg: HallConfig):
        windows = [target_window] if target_window is not None else cfg.windows_serving(service_id)
        options = [(self.ready[w], w) for w in windows if w in self.ready]
        return min(options) if options else None


def forecast(state: HallState, cfg: HallConfig, now: datetime, changed: Ticket | None = None) -> Forecast:
    """An estimate for every waiting ticket a staffed window will reach; a ticket no open or
    paused window serves has none. `changed` is a ticket as a command is about to leave it
    (transferred, sent back after a no-show), played as if already in the hall; the play then
    stops once it is called, and the answer holds the tickets called before it.

    The play looks HORIZON ahead at most, so its cost stays bounded however long the queue:
    a ticket beyond it is told the horizon (the hall will not reach it today)."""
    times = ServiceTimes(state, cfg)
    played = _Played(state, now, changed)
    free: list[tuple[float, int]] = []  # (seconds from now when the window is free, window id)
    windows = {}
    for w in cfg.windows:
        ws = state.windows.get(w.id)
        if ws is None or ws.state == WindowState.CLOSED:
            continue
        start = 0.0
        if ws.state == WindowState.PAUSED and ws.since:
            start = max(start, _seconds(ws.since, now) + PAUSE_MINUTES * 60)
        current = played.tickets.get(ws.current) if ws.current is not None else None
        if current is not None and current.state in ACTIVE:
            visit = times.seconds(current.service_id, w.id)
            start = max(start, _seconds(current.serving_at or current.called_at, now) + visit, OVERRUN_SHARE * visit)
        windows[w.id] = played_window = object.__new__(WindowStatus)  # a copy; copy() is slow here
        played_window.__dict__.update(ws.__dict__)
        free.append((start, w.id))
    heapq.heapify(free)
    # The play ends when every ticket a playing window can serve has been called.
    served = {s for w in windows for s in cfg.window_services(w)}
    reachable = [t for t in played.waiting
                 if (t.target_window in windows if t.target_window is not None else t.service_id in served)]
    left = len(reachable)
    out = Forecast(now, times)
    calls_at: dict[int, int] = {}
    while free and left:
        when, window_id = heapq.heappop(free)
        if when > HORIZON.total_seconds():
            heapq.heappush(free, (when, window_id))
            break
        ws = windows[window_id]
        played.come(when)
        t = queue.pick_next(played, cfg, ws, now + timedelta(seconds=when))
        if t is None:  # nothing this window serves is left
            out.ready[window_id] = when, calls_at.get(window_id, 0)
            continue
        played.lines.discard(t)
        ws.priority_streak, ws.normal_streak = queue.streaks_after(ws, t)
        before = calls_at.get(window_id, 0)
        calls_at[window_id] = before + 1
        if t.id > 0:
            left -= 1
            out[t.id] = _estimate(when, before, times.spread_of(t.service_id))
            if changed is not None and t.id == changed.id:
                return out  # a command's answer needs only its own ticket's estimate
        heapq.heappush(free, (when + times.seconds(t.service_id, window_id), window_id))
    for when, window_id in free:
        out.ready[window_id] = when, calls_at.get(window_id, 0)
    if left:
        beyond = int(HORIZON.total_seconds() // 60)
        beyond = Estimate(beyond, beyond, beyond)
        for t in reachable:
            out.setdefault(t.id, beyond)
    return out


def _seconds(iso: str, now: datetime) -> float:
    """Seconds from `now` to a stored time (negative: in the past)."""
    return (datetime.fromisoformat(iso) - now).total_seconds()


def _estimate(seconds: float, visits_before: int, spread: float) -> Estimate:
    """The wait of a ticket called after `visits_before` visits at its window. The visits' lengths
    vary independently, so their sum varies relatively less the more there are."""
    minutes = seconds / 60
    rel = max(MIN_SPREAD, spread / math.sqrt(visits_before + 1))
    low, high = minutes * (1 - rel), minutes * (1 + rel + ARRIVALS_SHARE)
    central = math.ceil(minutes) if minutes < 1 else round(minutes)
    if central >= 15:  # a long wait is told in five-minute steps: "约 20-30 分钟"
        low, high = 5 * math.floor(low / 5), 5 * math.ceil(high / 5)
    else:
        low, high = math.floor(low), math.ceil(high)
    return Estimate(central, min(low, central), max(high, central))
