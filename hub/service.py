"""The running hall: the domain core, its store, the clock and the live subscribers.

Commands run one at a time on the server's event loop (they never await), which is what
keeps ticket numbers and the event sequence gap-free.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import threading
import uuid
from datetime import date, datetime
from typing import Callable

from .core.clock import Clock
from .core.config import HallConfig
from .core import queue
from .core.engine import Hall, fold_ticket
from .core.errors import DomainError
from .core.events import DayStarted, Event
from .core.model import HallState, Ticket, TicketState, WindowState
from .protocol import public_ticket
from .store import Store

log = logging.getLogger("hallq.hub")

# A ticket's QR link works this many days after its business day (to rate the service later), then expires.
TICKET_LINK_DAYS = 7


class StorageFailure(Exception):
    pass


class HubService:
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
        salt = store.setting("id_salt")
        if salt is None:
            salt = secrets.token_hex(16)
            store.set_setting("id_salt", salt)
        self.salt = salt
        self.hall = self._load()

    # ---- state ----------------------------------------------------------------------------
    def _load(self) -> Hall:
        seq, snap = self.store.latest_snapshot()
        state = HallState.from_dict(snap, self.config.queue.wait_sample_size) if snap else HallState()
        hall = Hall(self.config, state)
        for event in self.store.replay_since(seq):
            hall.apply(event)
        return hall

    def now(self) -> datetime:
        return self.clock.now()

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

    def ensure_day(self) -> None:
        with self.lock:
            events = self.hall.rollover(self.now())
            if events:
                self._commit(self._apply(events))

    def run(self, request_id: str | None, device_id: int | None, decide: Callable[[datetime], tuple[dict, list]],
            render: Callable[[dict], dict]) -> tuple[int, dict]:
        """Run one command: replay a repeated request_id, else decide, apply, commit, publish."""
        with self.lock:
            return self._run(request_id, device_id, decide, render)

    def _run(self, request_id, device_id, decide, render) -> tuple[int, dict]:
        if request_id:
            seen = self.store.request(request_id)
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

    # ---- subscribers ----------------------------------------------------------------------
    def subscribe(self) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(maxsize=10_000)
        self.subscribers.add(q)
        return q

    def unsubscribe(self, q: asyncio.Queue) -> None:
        self.subscribers.discard(q)

    # ---- device connections (the console shows who is online; revoking cuts the stream) ----
    def device_connected(self, device_id: int, q: asyncio.Queue) -> None:
        self.links.setdefault(device_id, set()).add(q)
        self.last_seen[device_id] = self.now().isoformat(timespec="seconds")

    def device_disconnected(self, device_id: int, q: asyncio.Queue) -> None:
        self.links.get(device_id, set()).discard(q)
        self.last_seen[device_id] = self.now().isoformat(timespec="seconds")

    def device_links(self) -> dict[int, dict]:
        return {d: {"connections": len(self.links.get(d, ())), "last_seen": seen} for d, seen in self.last_seen.items()}

    def disconnect_device(self, device_id: int) -> None:
        """Close the device's event streams; call on the server's event loop."""
        for q in list(self.links.get(device_id, ())):
            q.put_nowait({"type": "revoked"})

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

    # ---- helpers for the API --------------------------------------------------------------
    def new_token(self) -> str:
        return secrets.token_urlsafe(16)

    def new_appointment_ids(self) -> tuple[str, str]:
        taken = {a.code for a in self.hall.state.appointments.values()}
        while True:
            code = f"{secrets.randbelow(1_000_000):06d}"
            if code not in taken:
                return uuid.uuid4().hex, code

    def hash_personal(self, value: str) -> str:
        return hmac.new(self.salt.encode(), value.encode(), hashlib.sha256).hexdigest()

    def ticket_url(self, token: str) -> str:
        return f"{self.public_url}/t/{token}"

    def ticket_view(self, ticket, *, private: bool = False, known: dict | None = None) -> dict:
        view = self.hall.view(ticket, self.now(), known)
        view["zone_name"], view["service_name"] = self._names(view)
        if private:
            view["url"] = self.ticket_url(view["token"])
            return view
        return public_ticket(view)

    def stored_ticket_view(self, row: dict) -> dict:
        """A ticket from any day: today's live one if it is today's, else the stored record."""
        live = self.hall.state.tickets.get(row["id"])
        if live is not None:
            return self.ticket_view(live)
        view = public_ticket(dict(row))
        view.pop("transfer_count", None)
        view.update(ahead=0, estimated_wait_minutes=0)
        view["zone_name"], view["service_name"] = self._names(view)
        return view

    def ticket_for_token(self, token: str) -> dict | None:
        """The stored ticket behind a QR link, or None if the token is unknown, malformed or expired."""
        row = self.store.ticket_by_token(token) if 16 <= len(token) <= 64 else None
        if row is None:
            return None
        today = self.config.business_day(self.now())
        if (today - date.fromisoformat(row["day"])).days > TICKET_LINK_DAYS:
            return None
        return row

    def public_ticket_view(self, row: dict) -> dict:
        """What the citizen's page shows: the ticket without the masked ID, with hall and window names."""
        view = self.stored_ticket_view(row)
        view.pop("id_masked", None)
        view["window_name"] = f"{view['window_id']}号窗口" if view.get("window_id") else None
        view["hall_name"] = self.config.hall.name
        return view

    def _names(self, view: dict) -> tuple[str, str]:
        zone, service = self.config.zone(view["zone_id"]), self.config.service(view["service_id"])
        return (zone.name if zone else view["zone_id"]), (service.name if service else view["service_id"])

    def zone_summary(self) -> dict:
        """Per zone: open now, waiting, longest wait, open windows; what a kiosk shows on each tap."""
        self.ensure_day()
        return {"seq": self.store.last_seq, "zones": self._zones(self.now())}

    def _zones(self, now: datetime) -> list[dict]:
        local = now.astimezone(self.config.tz)
        s = self.hall.state
        zone_services = {z.id: {sv.id for sv in self.config.services if sv.zone == z.id} for z in self.config.zones}
        waiting_by_zone: dict[str, list] = {}
        for t in s.tickets.values():
            if t.state == TicketState.WAITING:
                waiting_by_zone.setdefault(t.zone_id, []).append(t)
        zones = []
        for z in self.config.zones:
            waiting = waiting_by_zone.get(z.id, [])
            longest = max((now - datetime.fromisoformat(t.issued_at)).total_seconds() for t in waiting) if waiting else 0
            zones.append({
                "id": z.id, "prefix": z.prefix, "name": z.name, "name_en": z.name_en, "open": z.is_open(local),
                "waiting": len(waiting), "longest_wait_minutes": int(longest // 60),
                "open_windows": sum(1 for w in self.config.windows if s.windows[w.id].state == WindowState.OPEN
                                    and zone_services[z.id] & self.config.window_services(w.id)),
            })
        return zones

    def snapshot(self) -> dict:
        self.ensure_day()
        now = self.now()
        s = self.hall.state
        tickets = list(s.tickets.values())
        known = queue.positions(s, self.config, now)
        zones = self._zones(now)
        windows = []
        for w in self.config.windows:
            ws = s.windows[w.id]
            clerk = self.config.clerk(ws.clerk_id) if ws.clerk_id else None
            current = s.tickets.get(ws.current) if ws.current else None
            windows.append({
                **ws.to_dict(), "name": w.name or f"{w.id}号窗口", "name_en": w.name_en or f"Window {w.id}",
                "clerk_name": clerk.name if clerk else None,
                "current_ticket": self.ticket_view(current, known=known) if current else None,
                "served_today": s.clerk_done.get(ws.clerk_id, 0) if ws.clerk_id else 0,
            })
        # The call order as it happened (a recall counts as the latest call), not by timestamp:
        # two windows often call within the same second.
        called = [s.tickets[i] for i in reversed(s.calls) if i in s.tickets and s.tickets[i].called_at]
        return {
            "seq": self.store.last_seq,
            "day": s.day,
            "now": now.isoformat(timespec="seconds"),
            "hall": {"name": self.config.hall.name, "name_en": self.config.hall.name_en},
            "notice": s.notice or self.config.hall.notice,
            "zones": zones,
            "windows": windows,
            "tickets": [self.ticket_view(t, known=known) for t in tickets
                        if t.state in (TicketState.WAITING, TicketState.CALLED, TicketState.SERVING)],
            "recent_calls": [self.ticket_view(t, known=known) for t in called[:10]],
            "device_faults": s.device_faults,
        }

    def hall_info(self, include_salt: bool = False) -> dict:
        cfg = self.config
        local = self.now().astimezone(cfg.tz)
        info = {
            "hall": cfg.hall.model_dump(),
            "queue": {"senior_age": cfg.queue.senior_age, "number_width": cfg.queue.number_width},
            "zones": [{**z.model_dump(), "open_now": z.is_open(local)} for z in cfg.zones],
            "services": [{**s.model_dump(), "windows": cfg.windows_serving(s.id)}
                         for s in cfg.services],
            "windows": [{"id": w.id, "name": w.name or f"{w.id}号窗口", "name_en": w.name_en or f"Window {w.id}",
                         "services": sorted(cfg.window_services(w.id))} for w in cfg.windows],
            "public_url": self.public_url,
        }
        if include_salt:
            info["id_salt"] = self.salt
        return info
