"""The running hall's machinery under every use case: state, the one execute/commit step,
the live subscribers and the device connections.

Commands are decided one at a time on the server's event loop (deciding never awaits), which
is what keeps ticket numbers and the event sequence gap-free; the writer (hub/writer.py) then
commits the commands decided together in one transaction, and each is answered after it.
`seq` counts the events decided; `store.last_seq` those committed.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from ..core.clock import Clock
from ..core.config import HallConfig
from ..core.engine import Hall, fold_ticket
from ..core.errors import DomainError
from ..core.events import DayStarted, Event
from ..core.model import HallState, Ticket
from ..fanout import Fanout, control
from ..idkey import PersonalKey, key_path, load_or_create
from ..store import PROJECTED_ONLY, REQUESTS_KEEP_HOURS, Store, number
from ..writer import CommitWriter, Pending
from .forecasts import Forecasts
from .snapshots import Snapshots

log = logging.getLogger("hallq.hub")

Decide = Callable[[datetime], tuple[dict, list]]
Render = Callable[[dict], dict]
Answer = tuple[int, dict]

# A state snapshot is stored at least this often, so a restart replays at most this many events.
SNAPSHOT_EVERY = 5_000
# Events kept encoded for devices that reconnect (the event stream's replay limit).
REPLAY_KEEP = 20_000


class StorageFailure(Exception):
    pass


class HubCore:
    def __init__(self, config: HallConfig, store: Store, clock: Clock, public_url: str = ""):
        self.config = config
        self.store = store
        self.clock = clock
        self.public_url = public_url.rstrip("/")
        self.fanout = Fanout(keep=REPLAY_KEEP)
        self.links: dict[int, set[asyncio.Queue]] = {}  # device id -> its open event streams
        self.last_seen: dict[int, str] = {}
        key_file = key_path(store.path)
        if not key_file.exists() and store.last_seq:
            log.warning("no ID key %s beside a database in use: a new one is made; ID cards and phone numbers "
                        "recorded before will not be recognised (restore hall.key from the backup if you have it)",
                        key_file)
        self.personal_key = PersonalKey(load_or_create(key_file))
        self.snapshots = Snapshots()
        self.forecasts = Forecasts(clock)
        self.hall = self._load()
        store.prune_requests(_requests_cutoff(self.now()))  # a hub that was off over a day start
        # (device id, request_id) -> its answer, while its commit is under way (request_ids are per device)
        self.inflight: dict[tuple[int, str], asyncio.Future] = {}
        self.writer = CommitWriter(self._write, prepare=self._prepare, committed=self._committed, failed=self._failed)

    # ---- state ----------------------------------------------------------------------------
    def _load(self) -> Hall:
        seq, snap = self.store.latest_snapshot()
        state = HallState.from_dict(snap, self.config.queue.wait_sample_size) if snap else HallState()
        hall = Hall(self.config, state)
        for event in self.store.replay_since(seq):
            hall.apply(event)
        self.snapshot_seq = seq
        self.snapshots.clear()
        self.forecasts.reset()
        self.seq = self.store.last_seq  # decided so far; store.last_seq is what has committed
        return hall

    def _reconfigure(self, config: HallConfig) -> None:
        """Swap in an edited layout; the hall keeps its state (new windows start closed)."""
        self.config = config
        self.hall = Hall(config, self.hall.state)

    def close(self) -> None:
        """After the server has stopped: let the last commit finish, then close the database."""
        self.writer.close()
        self.forecasts.close()
        self.store.close()

    def now(self) -> datetime:
        return self.clock.now()

    def stamp(self) -> str:
        return self.now().isoformat(timespec="seconds")

    def ensure_day(self) -> None:
        events = self.hall.rollover(self.now())
        if events:
            self._commit(self._apply(events))

    # ---- the one execute/commit step -------------------------------------------------------
    async def _execute(self, request_id: str | None, device_id: int | None, decide: Decide,
                       render: Render) -> Answer:
        """Run one command: replay a repeated request_id, else decide and apply now, answer after commit.

        Answers (status, body); a domain refusal is an answer too, remembered under its request_id.
        Raises StorageFailure if the commit fails (the hall is then reloaded from the database)."""
        answer = self._decide(request_id, device_id, decide, render)
        if isinstance(answer, asyncio.Future):
            # Shielded: a client hanging up must not cancel a commit other commands share.
            return await asyncio.shield(answer)
        return answer

    def _decide(self, request_id: str | None, device_id: int | None, decide: Decide,
                render: Render) -> Answer | asyncio.Future:
        """Decide a command now (never awaits); its answer, or a future of it resolved after its commit."""
        seen = self._repeated(request_id, device_id)
        if seen is not None:
            return seen
        self.ensure_day()
        try:
            result, events = decide(self.now())
        except DomainError as e:
            if not request_id:
                return e.status, {"error": {"code": e.code, "params": e.params}}
            answer, applied = (e.status, {"error": {"code": e.code, "params": e.params}}), []
        else:
            # The answer carries the seq of the command's last event, so a device can tell its own
            # events from others' on the stream without counting them.
            answer = 200, {**render(result), "seq": self.seq + len(events)}
            applied = self._apply(events)
        return self._commit(applied, request=(request_id, device_id, *answer, self.stamp()) if request_id else None,
                            answer=answer)

    def _repeated(self, request_id: str | None, device_id: int | None) -> Answer | asyncio.Future | None:
        """The first answer to a request_id this device sent before (a future while it is being committed)."""
        if not request_id:
            return None
        first = self.inflight.get(_inflight_key(device_id, request_id))
        if first is not None:  # the first try is still being committed: share its answer
            return first
        return self.store.request(device_id, request_id)

    def _apply(self, events: list[Event]) -> list[tuple[Event, dict]]:
        """Fold events into the hall, each with the entities it carries as they are right after it."""
        applied = []
        for e in events:
            carried = self.hall.apply(e)
            if "ticket" in e.CARRIES and "ticket" not in carried:
                carried["ticket"] = self._stored_ticket_after(e)
            if "layout" in e.CARRIES:
                carried["layout"] = self.device_layout()  # the read model's (views.py), after the edit
            applied.append((e, carried))
        return applied

    def _stored_ticket_after(self, e: Event) -> dict:
        """A ticket not in today's hall (e.g. yesterday's, rated today), from the store, as `e` leaves it."""
        row = dict(self.store.ticket(e.ticket_id))
        for key in PROJECTED_ONLY:
            row.pop(key, None)
        t = Ticket.from_dict(row)
        fold_ticket(e, t)
        return t.to_dict()

    def _commit(self, applied: list[tuple[Event, dict]], request=None, answer=None) -> Answer | asyncio.Future:
        """Hand applied events to the writer; the answer's future, resolved once they are committed.

        With no event loop running (a script, the CLI) they are committed here and now."""
        stored = number(applied, self.seq)
        self.seq += len(stored)
        self.forecasts.follow(self.hall.state, [e for e, _ in applied], self.seq, self.config)
        item = Pending(stored, request, answer)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            if self.writer.busy:
                raise RuntimeError("a command outside the event loop while the writer is busy") from None
            try:
                self._write([item], self._prepare([item]))
            except Exception:
                log.exception("commit failed")
                self._failed([item])
                raise StorageFailure() from None
            self._committed([item])
            return answer
        future = self.writer.submit(item)
        if request is not None:
            self.inflight[_inflight_key(request[1], request[0])] = future
        return future

    # ---- the writer's steps (see hub/writer.py) --------------------------------------------
    def _write(self, batch: list[Pending], snapshot: tuple[int, tuple] | None) -> None:
        if snapshot is not None:
            snapshot = snapshot[0], self.snapshots.encode(snapshot[1])  # in the writer thread, off the loop
        # A new day's first commit also forgets the answers to requests older than the keep time, so
        # the requests table holds about one day, not every command ever made.
        started = next((e.at for p in batch for e in p.events if e.type == DayStarted.TYPE), None)
        self.store.append([(p.events, p.request) for p in batch], snapshot,
                          prune_before=_requests_cutoff(datetime.fromisoformat(started)) if started else None)

    def _prepare(self, batch: list[Pending]) -> tuple[int, tuple] | None:
        # Called with the hall exactly at the batch's last seq: everything decided is in the batch.
        if self.seq - self.snapshot_seq >= SNAPSHOT_EVERY or any(
                e.type == DayStarted.TYPE for p in batch for e in p.events):
            self.snapshot_seq = self.seq
            return self.seq, self.snapshots.capture(self.hall.state)
        return None

    def _committed(self, batch: list[Pending]) -> None:
        self.fanout.publish((e for p in batch for e in p.events), self.store.last_seq)
        for p in batch:
            if p.request is not None:
                self.inflight.pop(_inflight_key(p.request[1], p.request[0]), None)
            if p.future is not None and not p.future.done():
                p.future.set_result(p.answer)

    def _failed(self, batch: list[Pending]) -> None:
        log.error("reloading the hall from the database after a failed commit")
        self.hall = self._load()
        self.fanout.resync_all(self.seq)
        for p in batch:
            if p.request is not None:
                self.inflight.pop(_inflight_key(p.request[1], p.request[0]), None)
            if p.future is not None and not p.future.done():
                p.future.set_exception(StorageFailure())

    # ---- subscribers ----------------------------------------------------------------------
    def subscribe(self) -> asyncio.Queue:
        return self.fanout.subscribe()

    def unsubscribe(self, q: asyncio.Queue) -> None:
        self.fanout.unsubscribe(q)

    # ---- device connections (the console shows who is online; revoking cuts the stream) ----
    def device_connected(self, device_id: int, q: asyncio.Queue) -> None:
        self.links.setdefault(device_id, set()).add(q)
        self.last_seen[device_id] = self.stamp()

    def device_disconnected(self, device_id: int, q: asyncio.Queue) -> None:
        self.links.get(device_id, set()).discard(q)
        self.last_seen[device_id] = self.stamp()

    def device_links(self) -> dict[int, dict]:
        return {d: {"connections": len(self.links.get(d, ())), "last_seen": seen} for d, seen in self.last_seen.items()}

    def _disconnect_device(self, device_id: int) -> None:
        """Close the device's event streams; call on the server's event loop."""
        for q in list(self.links.get(device_id, ())):
            q.put_nowait(control("revoked"))

    # ---- personal data --------------------------------------------------------------------
    def hash_personal(self, value: str) -> str:
        """An ID or phone number's keyed hash (the key is in a file beside the database, hub/idkey.py)."""
        return self.personal_key.hash(value)


def _requests_cutoff(now: datetime) -> str:
    return (now - timedelta(hours=REQUESTS_KEEP_HOURS)).isoformat(timespec="seconds")


def _inflight_key(device_id: int | None, request_id: str) -> tuple[int, str]:
    return device_id or 0, request_id  # as the store keys requests: no device (a citizen's phone) is 0
