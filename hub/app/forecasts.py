"""The wait forecast without a whole play of the hall on every command or lookup.

Playing the hall forward (hub/core/forecast.py) costs about as much as the queue is long (tens
of milliseconds at thousands waiting, more when visits are short), and every command changes
the hall. A play is served while it is recent: behind the hall by at most one event per
TICKETS_PER_EVENT tickets it holds, and younger on the hub's clock than REFRESH_SECONDS, or a
second per TICKETS_PER_SECOND tickets if longer. So a small queue (under TICKETS_PER_EVENT) is
played again after every event, as cheap as that is, and a long one only as often as its
length makes affordable: the cost per event and per second stays flat however long the queue. Before a long queue's play goes out of
date a worker thread plays the next one on its own copy of the hall (fed the events in order),
off the event loop; the loop plays one itself only if the worker has not kept up.

A command's answer needs its own ticket's estimate at once: a ticket just issued is appended to
the play in use (Forecast.append, cheap); a changed one (transfer, no-show, priority,
appointment) is played into a forecast of its own that stops when it is called. Each answer is
kept for its ticket until a play that knows its event is in use (one just issued is appended to
that play again, in order, so the next ticket still queues behind it).
"""
from __future__ import annotations

import logging
import queue as jobs_queue
import threading
from collections import deque
from datetime import datetime, timedelta

from ..core.clock import Clock
from ..core.config import HallConfig
from ..core.engine import Hall
from ..core.events import DayStarted, Event
from ..core.forecast import Estimate, Forecast, forecast
from ..core.model import Appointment, HallState, Ticket, WindowStatus

log = logging.getLogger("hallq.hub")

# A play is served for this long (hub clock) after it began, and a second more per
# TICKETS_PER_SECOND tickets it holds (a long queue's waits are long: a few seconds off is nothing) ...
REFRESH_SECONDS = 10
TICKETS_PER_SECOND = 100
# ... and until the hall is one event per this many tickets in it ahead of it, whichever comes first.
TICKETS_PER_EVENT = 10


class Forecasts:
    def __init__(self, clock: Clock):
        self.clock = clock
        self._jobs: jobs_queue.SimpleQueue = jobs_queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._copied = False  # whether the worker has a copy of the hall to follow
        self._seq = 0  # the last seq handed to follow()
        self._config: HallConfig | None = None
        self._finished: tuple[int, datetime, HallConfig, Forecast] | None = None  # set by the worker
        self._latest: tuple[int, datetime, HallConfig, Forecast] | None = None  # in use, on the loop
        self._running = False
        self._read = False  # whether a view read the play since the worker was last asked for one
        self._generation = 0
        self._base = -1  # the seq the play in use was made at (appending a ticket moves its seq on, not this)
        # Answers given since the latest play: ticket id -> (seq before its command, estimate, appended ticket)
        self._answered: dict[int, tuple[int, Estimate | None, Ticket | None]] = {}

    @property
    def seq(self) -> int:
        """The seq of the newest finished play."""
        done = self._finished or self._latest
        return done[0] if done else -1

    # ---- on the loop ----------------------------------------------------------------------
    def follow(self, state: HallState, events: list[Event], seq: int, config: HallConfig) -> None:
        """Events just applied to `state` (now at `seq`), for the worker's copy of the hall."""
        if self._copied and (events or config is not self._config):
            self._jobs.put(("events", events, seq, config))
        self._seq, self._config = seq, config
        if any(isinstance(e, DayStarted) for e in events):
            self._forget()  # yesterday's play knows none of today's tickets
        elif self._latest is not None and self._read:  # kept up as events come while someone reads it
            self._keep_up(state, seq, config, self.clock.now())

    def reset(self) -> None:
        """After the hall was reloaded: the worker's copy is no longer the hall's."""
        self._copied = False
        self._forget()

    def _forget(self) -> None:
        self._generation += 1  # a play under way is of a hall that is gone
        self._latest = self._finished = None
        self._answered = {}

    def latest(self, state: HallState, seq: int, config: HallConfig) -> Forecast:
        """A play of the hall no older than the refresh rule allows: the newest finished, or one played
        here and now (a small queue's play is cheap; a long one's is the worker's, asked for early)."""
        self._install()
        self._read = True
        now = self.clock.now()
        latest = self._latest
        if latest is None or not _current(latest, seq, config, now, 1):
            self._latest = latest = seq, now, config, forecast(state, config, now)
            self._base = seq
            self._answered = {k: a for k, a in self._answered.items() if a[0] >= seq}
        else:
            self._keep_up(state, seq, config, now)
        return latest[3]

    def estimate(self, state: HallState, seq: int, config: HallConfig, ticket_id: int) -> Estimate | None:
        played = self.latest(state, seq, config)
        answered = self._answered.get(ticket_id)
        if answered is not None and answered[0] >= self._latest[0]:  # the play is from before its command
            return answered[1]
        return played.get(ticket_id)

    def append(self, state: HallState, seq: int, config: HallConfig, ticket: Ticket) -> Estimate | None:
        """A normal ticket about to be issued (its event will be seq+1): behind every ticket played.
        A play of the hall as it is stays so with the ticket appended."""
        played = self.latest(state, seq, config)
        estimate = played.append(ticket, config)
        self._answered[ticket.id] = seq, estimate, ticket
        if self._latest[0] == seq:
            self._latest = (seq + 1, *self._latest[1:])
        return estimate

    def answered(self, seq: int, ticket_id: int, estimate: Estimate | None) -> None:
        """A changed ticket's estimate, played for a command's answer before its events (after `seq`)."""
        self._answered[ticket_id] = seq, estimate, None

    def _install(self) -> None:
        done = self._finished
        if done is None:
            return
        self._finished = None
        if self._latest is not None and (done[0] < self._base or done[1] < self._latest[1]):
            return
        self._latest, self._base = done, done[0]
        # Answers the play does not know of yet are kept; tickets issued since are appended to it
        # again, in order, so the next ticket queues behind them as it will in the hall.
        kept = {}
        for ticket_id, (seq, estimate, ticket) in sorted(self._answered.items(), key=lambda a: a[1][0]):
            if seq < done[0]:
                continue
            if ticket is not None:
                estimate = done[3].append(ticket, done[2])
            kept[ticket_id] = seq, estimate, ticket
        self._answered = kept

    def _keep_up(self, state: HallState, seq: int, config: HallConfig, now: datetime) -> None:
        """Ask the worker for the next play of a long queue halfway through the current one's life."""
        latest = self._latest
        if self._running or len(latest[3]) < 2 * TICKETS_PER_EVENT or _current(latest, seq, config, now, 2):
            return
        if not self._copied:
            self._copied = True
            self._start()
            self._jobs.put(("copy", _copy(state), seq, config))
        self._running, self._read = True, False
        self._jobs.put(("play", now, self._generation))

    # ---- the worker -----------------------------------------------------------------------
    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="hallq-forecast", daemon=True)
            self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    def _work(self) -> None:
        hall: Hall | None = None
        seq = 0
        while (job := self._jobs.get()) is not None:
            try:
                if job[0] == "copy":
                    _, parts, seq, config = job
                    hall = Hall(config, HallState(**parts))
                elif job[0] == "events":
                    _, events, seq, config = job
                    if config is not hall.config:
                        hall = Hall(config, hall.state)
                    for e in events:
                        hall.apply(e)
                elif hall is not None:
                    _, now, generation = job
                    played = seq, now, hall.config, forecast(hall.state, hall.config, now)
                    if generation == self._generation:
                        self._finished = played
            except Exception:  # a play that fails must not stop the next one
                log.exception("forecast refresh failed")
            finally:
                if job[0] == "play":
                    self._running = False


def _current(played: tuple[int, datetime, HallConfig, Forecast], seq: int, config: HallConfig, now: datetime,
             share: int) -> bool:
    """Whether a play is recent enough to serve (share 1), or to not yet ask the worker for the next (2)."""
    at, played_at, played_config, estimates = played
    life = timedelta(seconds=max(REFRESH_SECONDS, len(estimates) / TICKETS_PER_SECOND))
    return (played_config is config and (seq - at) * TICKETS_PER_EVENT * share <= len(estimates)
            and timedelta(0) <= (now - played_at) * share < life)


def _copy(state: HallState) -> dict:
    """The hall's state as HallState's fields, none shared with the hall (the loop goes on changing
    it); the waiting lines are built from the tickets by the worker."""
    return dict(
        day=state.day, counters=dict(state.counters), next_ticket_id=state.next_ticket_id,
        tickets={i: _clone(t, Ticket) for i, t in state.tickets.items()},
        windows={i: _clone(w, WindowStatus) for i, w in state.windows.items()},
        appointments={i: _clone(a, Appointment) for i, a in state.appointments.items()},
        service_times={k: deque(v, maxlen=v.maxlen) for k, v in state.service_times.items()},
        clerk_done=dict(state.clerk_done), notice=state.notice,
        device_faults={k: dict(v) for k, v in state.device_faults.items()}, calls=list(state.calls))


def _clone(obj, cls):
    out = object.__new__(cls)  # copy.copy goes through __reduce_ex__, several times slower
    out.__dict__.update(obj.__dict__)
    return out


__all__ = ["Forecasts", "REFRESH_SECONDS", "TICKETS_PER_EVENT", "TICKETS_PER_SECOND"]
