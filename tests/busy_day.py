"""A business day played through the core's Hall: citizens arrive, clerks call the next ticket as
soon as they are free, visits last as long as they really do (not what the hall file says), some
citizens do not come, some are transferred. Each ticket's estimated wait is taken when it is
issued, by the old rule and by the forecast, and set against the wait it then had.

Used by tests/test_core_forecast.py (a small hall) and bench/estimate.py (the default hall).
"""
from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hub.core import queue
from hub.core.config import HallConfig
from hub.core.engine import Hall
from hub.core.events import WindowOpened
from hub.core.forecast import forecast


@dataclass
class Citizen:
    number: str
    issued: datetime
    old: int  # minutes, the rule that counted same-service tickets ahead
    new: int  # minutes, the forecast
    low: int
    high: int
    called: datetime | None = None

    @property
    def waited(self) -> float:
        return (self.called - self.issued).total_seconds() / 60


@dataclass
class DayResult:
    citizens: list[Citizen] = field(default_factory=list)
    forecast_seconds: list[float] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)  # tickets waiting at each refresh timed

    @property
    def called(self) -> list[Citizen]:
        return [c for c in self.citizens if c.called is not None]

    def mae(self, which: str) -> float:
        done = self.called
        return sum(abs(getattr(c, which) - c.waited) for c in done) / len(done)

    def within_range(self) -> float:
        done = self.called
        return sum(c.low <= c.waited <= c.high for c in done) / len(done)


def play_day(cfg: HallConfig, start: datetime, hours: float, staffed: list[int], arrivals_per_hour: dict[str, float],
             *, true_minutes: dict[str, float] | None = None, slow_windows: dict[int, float] | None = None,
             transfer_share: float = 0.08, no_show_share: float = 0.05, priority_share: float = 0.1,
             estimate_every: int = 1, seed: int = 7, timer=None) -> DayResult:
    """`true_minutes`: how long each service really takes (the hall file's minutes where not given);
    `slow_windows`: a factor on the visits at those windows; `estimate_every`: take the estimates of
    every n-th ticket only (a long day); `timer`: a clock to measure the forecast's cost with."""
    rnd = random.Random(seed)
    hall = Hall(cfg)
    for e in hall.rollover(start):
        hall.apply(e)
    true_minutes = {s.id: (true_minutes or {}).get(s.id, s.minutes) for s in cfg.services}
    slow_windows = slow_windows or {}
    services = [s for s in arrivals_per_hour if arrivals_per_hour[s] > 0]
    result, citizens = DayResult(), {}
    todo: list[tuple[datetime, int, str, object]] = []
    n = 0

    def later(when: datetime, kind: str, what) -> None:
        nonlocal n
        n += 1
        heapq.heappush(todo, (when, n, kind, what))

    def do(decide, now, *args, **kwargs):
        answer, events = decide(now, *args, **kwargs)
        for e in events:
            hall.apply(e)
        return answer

    end = start + timedelta(hours=hours)
    for s in services:
        when = start
        while True:
            when += timedelta(hours=rnd.expovariate(arrivals_per_hour[s]))
            if when >= end:
                break
            later(when, "arrive", s)
    for w in staffed:  # a clerk each (the hall file may list fewer clerks than windows)
        hall.apply(WindowOpened(start.isoformat(timespec="seconds"), window_id=w, clerk_id=f"clerk{w}"))
        later(start, "free", w)
    idle: set[int] = set()
    issued = 0
    while todo:
        now, _, kind, what = heapq.heappop(todo)
        if kind == "arrive":
            priority = "elderly" if rnd.random() < priority_share else None
            answer, events = hall.issue(now, what, f"tok{n}", priority_reason=priority, ignore_hours=True)
            t = answer["ticket"]
            issued += 1
            if issued % estimate_every == 0:
                old = queue.position(hall.state, cfg, t, now)[1]
                # As the hub answers: a normal ticket is added behind the hall's play, others played in.
                if t.priority:
                    est = forecast(hall.state, cfg, now, changed=t).get(t.id)
                else:
                    est = forecast(hall.state, cfg, now).append(t, cfg)
                if timer:  # what one refresh of the whole hall costs, at this point of the day
                    began = timer()
                    forecast(hall.state, cfg, now)
                    result.forecast_seconds.append(timer() - began)
                    result.waiting.append(sum(1 for w in hall.state.tickets.values() if w.state == "waiting"))
                if est is not None:
                    citizens[t.id] = Citizen(t.number, now, old, est.minutes, est.low, est.high)
            for e in events:
                hall.apply(e)
            wake(idle, later, now)
        elif kind == "free":
            t = do(hall.call_next, now, what)["ticket"]
            if t is None:
                idle.add(what)
                continue
            c = citizens.get(t.id)
            if c is not None and c.called is None:
                c.called = now
            if rnd.random() < no_show_share:
                later(now + timedelta(minutes=1), "no_show", what)
                continue
            do(hall.serve, now, what)
            minutes = true_minutes[t.service_id] * slow_windows.get(what, 1.0) * rnd.lognormvariate(0, 0.45) / 1.106
            later(now + timedelta(minutes=max(minutes, 0.5)), "end", what)
        elif kind == "no_show":
            do(hall.no_show, now, what)
            later(now, "free", what)
            wake(idle, later, now)
        else:
            current = hall.state.tickets[hall.state.windows[what].current]
            targets = [s for s in services if s != current.service_id]
            if targets and not current.no_show_count and rnd.random() < transfer_share:
                do(hall.transfer, now, what, service_id=rnd.choice(targets))
                wake(idle, later, now)
            else:
                do(hall.finish, now, what)
            later(now, "free", what)
    result.citizens = list(citizens.values())
    return result


def wake(idle: set[int], later, now: datetime) -> None:
    for w in sorted(idle):
        later(now, "free", w)
    idle.clear()
