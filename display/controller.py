"""The wall display's logic without widgets: hub events -> what the hall sees and hears.

Calls are spoken through a hardware.voice Speaker, whose own worker thread does the talking,
so this controller only enqueues and the screen never waits for the voice.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from hardware.voice import Announcement
from hub.client import HubClient, HubError, ViewModel

from .text import tr

log = logging.getLogger("hallq.display")

OPEN_TICKET = ("waiting", "called", "serving")
# A call heard about long after it happened (replayed after a reconnect) is shown, not spoken:
# the citizen has been waiting at the desk or gone, and old numbers would confuse the hall.
SPEAK_WITHIN_SECONDS = 60


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc).astimezone()


class DisplayController(ViewModel):
    translate = staticmethod(tr)

    def __init__(self, client: HubClient, speaker=None, *, clock=None, zones: list[str] | None = None,
                 lang: str = "zh_CN", recent: int = 6):
        self.client, self.speaker, self.clock, self.lang = client, speaker, clock or _SystemClock(), lang
        self.zone_filter = [z.strip() for z in (zones or []) if z.strip()]
        self.recent_size = recent
        self.hall_name = ""
        self.notice = ""
        self.zones: list[dict] = []  # the zones shown, as in the snapshot
        self.tickets: dict[int, dict] = {}  # open tickets of the shown zones
        self.calls: list[dict] = []  # called tickets of the shown zones, newest first
        self.flashes = 0  # goes up on every call and recall: the view flashes the latest call
        self.connected = False
        self.spoken: list[Announcement] = []

    async def start(self) -> None:
        self.client.on_event(self._on_event)
        self.client.on_connection(self._on_connection)
        self.client.start_events()

    async def aclose(self) -> None:
        await self.client.aclose()

    # ---- what is shown --------------------------------------------------------------------
    def shows_zone(self, zone_id: str) -> bool:
        return any(z["id"] == zone_id for z in self.zones)

    @property
    def latest(self) -> dict | None:
        return self.calls[0] if self.calls else None

    def window_label(self, window_id) -> str:
        return self.t("window_label", n=window_id)

    def call_line(self, ticket: dict) -> str:
        return self.t("call_line", number=ticket["number"], window=self.window_label(ticket["window_id"]))

    def zone_counts(self) -> list[tuple[dict, int]]:
        return [(z, sum(1 for t in self.tickets.values() if t["zone_id"] == z["id"] and t["state"] == "waiting"))
                for z in self.zones]

    def zone_name(self, zone: dict) -> str:
        return zone.get("name_en") or zone["name"] if self.lang == "en" else zone["name"]

    # ---- events ---------------------------------------------------------------------------
    def _on_connection(self, info: dict) -> None:
        self.connected = bool(info.get("connected"))
        self._changed()

    def _pick_zones(self, zones: list[dict]) -> list[dict]:
        if not self.zone_filter:
            return zones
        wanted = {w.lower() for w in self.zone_filter}
        picked = [z for z in zones if z["id"].lower() in wanted or z["prefix"].lower() in wanted]
        unknown = wanted - {z["id"].lower() for z in picked} - {z["prefix"].lower() for z in picked}
        if unknown:
            log.warning("no zone with id or prefix %s in this hall", ", ".join(sorted(unknown)))
        return picked

    def _apply_snapshot(self, snap: dict) -> None:
        self.hall_name = (snap.get("hall") or {}).get("name_en" if self.lang == "en" else "name") or \
            (snap.get("hall") or {}).get("name", "")
        self.notice = snap.get("notice") or ""
        self.zones = self._pick_zones(snap.get("zones", []))
        self.tickets = {t["id"]: t for t in snap.get("tickets", [])
                        if t["state"] in OPEN_TICKET and self.shows_zone(t["zone_id"])}
        self.calls = [t for t in snap.get("recent_calls", []) if self.shows_zone(t["zone_id"])][: self.recent_size + 1]

    async def _reload_layout(self) -> None:
        """The manager renamed or added zones: take the names from a fresh snapshot, while the
        tickets and calls keep following the event stream."""
        try:
            snap = await self.client.snapshot()
        except HubError as e:
            log.info("hall layout not reloaded: %s", e)
            return
        self.zones = self._pick_zones(snap.get("zones", []))
        self._changed()

    def _on_event(self, event: dict) -> None:
        kind = event["type"]
        data = event.get("data", {})
        if kind == "snapshot":
            self._apply_snapshot(event["snapshot"])
        elif kind == "day.started":
            self.tickets, self.calls = {}, []
        elif kind == "notice.set":
            self.notice = data.get("notice", "")
        elif kind == "hall.changed":
            asyncio.ensure_future(self._reload_layout())
        elif "ticket" in data and self.shows_zone(data["ticket"]["zone_id"]):
            ticket = data["ticket"]
            if ticket["state"] in OPEN_TICKET:
                self.tickets[ticket["id"]] = ticket
            else:
                self.tickets.pop(ticket["id"], None)
            if kind in ("ticket.called", "ticket.recalled"):
                self.calls = [ticket] + [t for t in self.calls if t["id"] != ticket["id"]]
                del self.calls[self.recent_size + 1:]
                self.flashes += 1
                self._speak(ticket, event.get("at"))
        self._changed()

    def _speak(self, ticket: dict, at: str | None) -> None:
        if self.speaker is None:
            return
        if at:
            age = (self.clock.now() - datetime.fromisoformat(at)).total_seconds()
            if age > SPEAK_WITHIN_SECONDS:
                log.info("not speaking %s: called %.0f s ago", ticket["number"], age)
                return
        announcement = Announcement(ticket["number"], str(ticket["window_id"]), lang=self.lang)
        try:
            self.speaker.say(announcement)  # returns at once; the speaker's thread talks
            self.spoken.append(announcement)
        except (ValueError, RuntimeError) as e:
            log.error("cannot speak the call %s: %s", ticket["number"], e)
