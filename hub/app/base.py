"""The running hall's machinery under every use case: state, the one execute/commit step,
the live subscribers and the device connections.

Commands run one at a time on the server's event loop (`_execute` never awaits between
deciding and committing), which is what keeps ticket numbers and the event sequence gap-free.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import datetime

from ..core.clock import Clock
from ..core.config import HallConfig
from ..core.engine import Hall, fold_ticket
from ..core.errors import DomainError
from ..core.events import DayStarted, Event
from ..core.model import HallState, Ticket
from ..idkey import PersonalKey, key_path, load_or_create
from ..store import Store

log = logging.getLogger("hallq.hub")

Decide = Callable[[datetime], tuple[dict, list]]
Render = Callable[[dict], dict]


class StorageFailure(Exception):
    pass


class HubCore:
    def __init__(self, config: HallConfig, store: Store, clock: Clock, public_url: str = ""):
        self.config = config
        self.store = store
        self.clock = clock
        self.public_url = public_url.rstrip("/")
        self.subscribers: set[asyncio.Queue] = set()
        # Endpoints are async and so already one at a time; the lock also covers any sync caller.
        self.lock = threading.RLock()
        self.links: dict[int, set[asyncio.Queue]] = {}  # device id -> its open event streams
        self.last_seen: dict[int, str] = {}
        key_file = key_path(store.path)
        if not key_file.exists() and store.last_seq:
            log.warning("no ID key %s beside a database in use: a new one is made; ID cards and phone numbers "
                        "recorded before will not be recognised (restore hall.key from the backup if you have it)",
                        key_file)
        self.personal_key = PersonalKey(load_or_create(key_file))
        self.hall = self._load()

    # ---- state ----------------------------------------------------------------------------
    def _load(self) -> Hall:
        seq, snap = self.store.latest_snapshot()
        state = HallState.from_dict(snap, self.config.queue.wait_sample_size) if snap else HallState()
        hall = Hall(self.config, state)
        for event in self.store.replay_since(seq):
            hall.apply(event)
        return hall

    def _reconfigure(self, config: HallConfig) -> None:
        """Swap in an edited layout; the hall keeps its state (new windows start closed)."""
        self.config = config
        self.hall = Hall(config, self.hall.state)

    def close(self) -> None:
        self.store.close()

    def now(self) -> datetime:
        return self.clock.now()

    def stamp(self) -> str:
        return self.now().isoformat(timespec="seconds")

    @property
    def seq(self) -> int:
        return self.store.last_seq

    def events_since(self, since: int) -> Iterator[dict]:
        return self.store.events_since(since)

    def ensure_day(self) -> None:
        with self.lock:
            events = self.hall.rollover(self.now())
            if events:
                self._commit(self._apply(events))

    # ---- the one execute/commit step -------------------------------------------------------
    async def _execute(self, request_id: str | None, device_id: int | None, decide: Decide,
                       render: Render) -> tuple[int, dict]:
        """Run one command: replay a repeated request_id, else decide, apply, commit, publish.

        Answers (status, body); a domain refusal is an answer too, remembered under its request_id."""
        with self.lock:
            if request_id:
                seen = self.store.request(device_id, request_id)
                if seen is not None:
                    return seen
            self.ensure_day()
            now = self.now()
            try:
                result, events = decide(now)
            except DomainError as e:
                status, body = e.status, {"error": {"code": e.code, "params": e.params}}
                if request_id:
                    self.store.commit([], request=(request_id, device_id, status, body))
                return status, body
            # The answer carries the seq of the command's last event, so a device can tell its own
            # events from others' on the stream without counting them.
            response = {**render(result), "seq": self.store.last_seq + len(events)}
            self._commit(self._apply(events), request=(request_id, device_id, 200, response) if request_id else None)
            return 200, response

    def _apply(self, events: list[Event]) -> list[tuple[Event, dict]]:
        """Fold events into the hall, each with the entities it carries as they are right after it."""
        applied = []
        for e in events:
            carried = self.hall.apply(e)
            if "ticket" in e.CARRIES and "ticket" not in carried:
                carried["ticket"] = self._stored_ticket_after(e)
            applied.append((e, carried))
        return applied

    def _stored_ticket_after(self, e: Event) -> dict:
        """A ticket not in today's hall (e.g. yesterday's, rated today), from the store, as `e` leaves it."""
        row = dict(self.store.ticket(e.ticket_id))
        row.pop("transfer_count", None)
        t = Ticket.from_dict(row)
        fold_ticket(e, t)
        return t.to_dict()

    def _commit(self, applied: list[tuple[Event, dict]], request=None) -> list[dict]:
        snapshot = None
        if any(isinstance(e, DayStarted) for e, _ in applied):
            snapshot = self.hall.state.to_dict()
        try:
            wires = self.store.commit(applied, request=request, snapshot=snapshot)
        except Exception:
            log.exception("commit failed; reloading the hall from the database")
            self.hall = self._load()
            raise StorageFailure() from None
        for wire in wires:
            self._publish(wire)
        return wires

    # ---- subscribers ----------------------------------------------------------------------
    def subscribe(self) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(maxsize=10_000)
        self.subscribers.add(q)
        return q

    def unsubscribe(self, q: asyncio.Queue) -> None:
        self.subscribers.discard(q)

    def _publish(self, public: dict) -> None:
        for q in list(self.subscribers):
            try:
                q.put_nowait(public)
            except asyncio.QueueFull:
                # A stuck subscriber must not hold up the hall: drop its backlog and tell it to resync.
                self.subscribers.discard(q)
                while not q.empty():
                    q.get_nowait()
                q.put_nowait({"type": "snapshot_needed", "seq": self.store.last_seq})

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
            q.put_nowait({"type": "revoked"})

    # ---- personal data --------------------------------------------------------------------
    def hash_personal(self, value: str) -> str:
        """An ID or phone number's keyed hash (the key is in a file beside the database, hub/idkey.py)."""
        return self.personal_key.hash(value)
