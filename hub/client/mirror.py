"""One device's copy of the hall, fed by GET /snapshot and the event stream.

Every ticket and window is stamped with the seq it was last seen at, and a newer view never
gives way to an older one. So a command's answer (which carries the seq of its last event) can
be applied at once, its own events arriving later change nothing, and another party's event
with a higher seq is always applied, whichever of the answer and the events arrives first.
After a reconnect or `snapshot_needed` the mirror is rebuilt from a fresh snapshot.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Callable

from .client import HubClient, HubError

log = logging.getLogger("hallq.client")

OPEN_TICKET = ("waiting", "called", "serving")
ACTIVE_TICKET = ("called", "serving")
RECENT_CALLS = 10

Listener = Callable[[dict], None]


class HallMirror:
    def __init__(self, client: HubClient, *, hall_info: bool = False):
        self.client = client
        self.want_hall_info = hall_info
        self.seq: int | None = None  # the last event (or snapshot) taken from the stream
        self.day: str | None = None
        self.hall_name: dict = {}  # {"name", "name_en", "voice"}
        self.hall_info: dict | None = None  # GET /hall (services, windows, zones), if asked for; kept by hall edits' events
        self.notice = ""
        self.zones: list[dict] = []
        self.windows: dict[int, dict] = {}
        self.tickets: dict[int, dict] = {}  # open tickets only
        self.calls: list[dict] = []  # called tickets, newest first
        self.connected = False
        self._stamps: dict[tuple[str, int], int] = {}  # ("ticket"|"window", id) -> seq of the view held
        self._listeners: list[Listener] = []
        self._refresh: asyncio.Task | None = None
        self._refresh_again = False
        self._started = False

    # ---- wiring ---------------------------------------------------------------------------
    def on_change(self, listener: Listener) -> None:
        """Called with each applied event, or {"type": "snapshot" | "answer" | "connection" | "hall"}."""
        self._listeners.append(listener)

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.client.on_event(self._on_stream)
        self.client.on_connection(self._on_connection)
        self.client.start_events()
        if self.want_hall_info:  # the snapshot comes with the stream
            self._refresh = asyncio.ensure_future(self._refetch(snapshot=False))

    def _notify(self, item: dict) -> None:
        for listener in list(self._listeners):
            try:
                listener(item)
            except Exception:
                log.exception("mirror listener failed")

    def _on_connection(self, info: dict) -> None:
        self.connected = bool(info.get("connected"))
        self._notify({"type": "connection", "connected": self.connected})

    # ---- reading --------------------------------------------------------------------------
    def window(self, window_id: int) -> dict | None:
        return self.windows.get(window_id)

    def current_ticket(self, window_id: int) -> dict | None:
        """The ticket called or being served at the window, if any."""
        w = self.windows.get(window_id)
        ticket = self.tickets.get(w["current"]) if w and w.get("current") else None
        return ticket if ticket and ticket["state"] in ACTIVE_TICKET else None

    def waiting_in_zone(self, zone_id: str) -> int:
        return sum(1 for t in self.tickets.values() if t["zone_id"] == zone_id and t["state"] == "waiting")

    # ---- stamps ---------------------------------------------------------------------------
    def _newer(self, kind: str, key: int, seq: int) -> bool:
        """Take the view at `seq` if nothing newer is held; a view at the same seq is the same view."""
        if self._stamps.get((kind, key), -1) >= seq:
            return False
        self._stamps[(kind, key)] = seq
        return True

    def _put_ticket(self, ticket: dict, seq: int) -> None:
        if not self._newer("ticket", ticket["id"], seq):
            return
        if ticket["state"] in OPEN_TICKET:
            self.tickets[ticket["id"]] = ticket
        else:
            self.tickets.pop(ticket["id"], None)

    def _put_window(self, window: dict, seq: int) -> None:
        if not self._newer("window", window["id"], seq):
            return
        old = self.windows.get(window["id"], {})
        merged = {**old, **window}
        if old and old.get("clerk_id") != merged.get("clerk_id"):
            # Events carry the clerk's id; the snapshot has the name and the day's count.
            merged["clerk_name"], merged["served_today"] = None, 0
            if merged.get("clerk_id"):
                self.refresh()
        self.windows[window["id"]] = merged

    # ---- applying -------------------------------------------------------------------------
    def apply_answer(self, answer: dict) -> None:
        """A command's answer: its ticket and window as they are after the command's events."""
        seq = answer.get("seq")
        if seq is None:
            return
        if answer.get("ticket"):
            self._put_ticket(answer["ticket"], seq)
        if answer.get("window"):
            self._put_window(answer["window"], seq)
        self._notify({"type": "answer", "seq": seq})

    def apply_snapshot(self, snap: dict) -> None:
        seq = snap["seq"]
        rebuilt = self.seq is None or seq >= self.seq
        if rebuilt:
            self.seq, self.day = seq, snap.get("day")
            self.notice = snap.get("notice") or ""
            self.calls = list(snap.get("recent_calls", []))
        self.hall_name = snap.get("hall") or {}
        self.zones = list(snap.get("zones", []))
        seen = set()
        for t in snap.get("tickets", []):
            seen.add(t["id"])
            self._put_ticket(t, seq)
        for key in [k for k in self.tickets if k not in seen and self._stamps.get(("ticket", k), -1) <= seq]:
            del self.tickets[key]
        for w in snap.get("windows", []):
            view = {k: v for k, v in w.items() if k != "current_ticket"}
            if self._newer("window", w["id"], seq):
                self.windows[w["id"]] = view
            elif w["id"] in self.windows and w.get("clerk_id") == self.windows[w["id"]].get("clerk_id"):
                # names and counts the events do not carry
                self.windows[w["id"]].update(clerk_name=w.get("clerk_name"), served_today=w.get("served_today", 0),
                                             name=w.get("name"), name_en=w.get("name_en"))
        self._notify({"type": "snapshot", "seq": seq})

    def apply_event(self, event: dict) -> None:
        seq = event["seq"]
        if self.seq is not None and seq <= self.seq:
            return  # seen already (a replay after reconnecting)
        self.seq = seq
        kind, data = event["type"], event.get("data", {})
        if kind == "day.started":
            self.day = data.get("day")
            self.tickets.clear()
            self.calls = []
            self._stamps = {k: v for k, v in self._stamps.items() if k[0] == "window"}
            for w in self.windows.values():
                w["served_today"] = 0
            self.refresh()
        elif kind == "notice.set":
            self.notice = data.get("notice", "")
        elif kind == "hall.changed":
            if data.get("layout"):
                self._apply_layout(data["layout"], seq)
            else:  # written before hubs carried the layout on the event
                self.refresh()
        ticket = data.get("ticket")
        if ticket:
            self._put_ticket(ticket, seq)
            if kind in ("ticket.called", "ticket.recalled"):
                self.calls = [ticket] + [t for t in self.calls if t["id"] != ticket["id"]]
                del self.calls[RECENT_CALLS:]
            elif kind == "ticket.finished" and ticket.get("clerk_id"):
                for w in self.windows.values():
                    if w.get("clerk_id") == ticket["clerk_id"]:
                        w["served_today"] = w.get("served_today", 0) + 1
        if data.get("window"):
            self._put_window(data["window"], seq)
        self._notify(event)

    def _apply_layout(self, layout: dict, seq: int) -> None:
        """A hall edit's new layout, as the hub sent it on the event: what a fresh /hall and snapshot
        would give for the hall's name, notice, zones and windows (tickets are untouched by an edit)."""
        if self.want_hall_info:
            self.hall_info = layout["info"]
        self.hall_name = layout.get("hall") or {}
        self.notice = layout.get("notice") or ""
        self.zones = list(layout.get("zones", []))
        kept = set()
        for w in layout.get("windows", []):
            kept.add(w["id"])
            if self._newer("window", w["id"], seq):
                self.windows[w["id"]] = {**self.windows.get(w["id"], {}), **w}
        for gone in [k for k in self.windows if k not in kept]:
            del self.windows[gone]
            self._stamps.pop(("window", gone), None)
        if self.want_hall_info:
            self._notify({"type": "hall"})

    def _on_stream(self, item: dict) -> None:
        if item["type"] == "snapshot":
            # The stream restarts from this snapshot (perhaps of a hub whose log was replaced):
            # forget every stamp; views taken since are re-sent as events after it.
            self.seq, self._stamps = None, {}
            self.apply_snapshot(item["snapshot"])
        else:
            self.apply_event(item)

    # ---- refreshing -----------------------------------------------------------------------
    def refresh(self) -> asyncio.Task:
        """Fetch a fresh snapshot (and /hall if kept) soon; calls made meanwhile share one fetch."""
        if self._refresh is not None and not self._refresh.done():
            self._refresh_again = True
            return self._refresh
        self._refresh = asyncio.ensure_future(self._refetch())
        return self._refresh

    async def _refetch(self, snapshot: bool = True) -> None:
        while True:
            self._refresh_again = False
            try:
                if self.want_hall_info:
                    self.hall_info = await self.client.hall()
                    self._notify({"type": "hall"})
                if snapshot:
                    self.apply_snapshot(await self.client.snapshot())
            except HubError as e:
                log.info("hall not refreshed: %s", e)
                return
            if not self._refresh_again:
                return
            snapshot = True

    async def aclose(self) -> None:
        if self._refresh is not None:
            self._refresh.cancel()
            await asyncio.gather(self._refresh, return_exceptions=True)
