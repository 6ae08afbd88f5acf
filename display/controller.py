"""The wall display's logic without widgets: hub events -> what the hall sees and hears.

Calls are spoken through a hardware.voice Speaker, whose own worker thread does the talking,
so this controller only enqueues and the screen never waits for the voice.
"""
from __future__ import annotations

import logging
from datetime import datetime

from hardware.voice import Announcement
from hub.client import DeviceClock, HallMirror, HubClient, ViewModel

from .text import tr

log = logging.getLogger("hallq.display")

# A call heard about long after it happened (replayed after a reconnect) is shown, not spoken:
# the citizen has been waiting at the desk or gone, and old numbers would confuse the hall.
SPEAK_WITHIN_SECONDS = 60


class DisplayController(ViewModel):
    translate = staticmethod(tr)

    def __init__(self, client: HubClient, speaker=None, *, clock=None, zones: list[str] | None = None,
                 lang: str = "zh_CN", recent: int = 6, repeat: int = 2, window: int | None = None,
                 zone: str | None = None):
        """Which screen: the hall's (optionally for some `zones`), one window's (`window`, the small
        screen above it) or one zone's (`zone`: its windows and their numbers)."""
        self.client, self.speaker, self.clock, self.lang = client, speaker, clock or DeviceClock(), lang
        self.repeat = repeat  # how many times this display says each call (its installer's setting)
        self.window_id = window
        self.mode = "window" if window is not None else "zone" if zone else "hall"
        # a zone's screen needs the hall's layout (which windows serve the zone's services)
        self.mirror = HallMirror(client, hall_info=self.mode == "zone")
        self.zone_filter = [zone] if zone else [z.strip() for z in (zones or []) if z.strip()]
        self.recent_size = recent
        self.zones: list[dict] = []  # the zones shown, as in the snapshot
        self.flashes = 0  # goes up on every call and recall: the view flashes the latest call
        self.spoken: list[Announcement] = []
        self._zone_source: list[dict] | None = None

    async def start(self) -> None:
        self.mirror.on_change(self._on_mirror)
        self.mirror.start()

    async def aclose(self) -> None:
        await self.mirror.aclose()
        await self.client.aclose()

    @property
    def connected(self) -> bool:
        return self.mirror.connected

    @property
    def notice(self) -> str:
        return self.mirror.notice

    @property
    def hall_name(self) -> str:
        hall = self.mirror.hall_name
        return (hall.get("name_en") if self.lang == "en" else None) or hall.get("name", "")

    @property
    def calls(self) -> list[dict]:
        """Called tickets this screen shows, newest first."""
        return [t for t in self.mirror.calls if self.shows_call(t)][: self.recent_size + 1]

    # ---- what is shown --------------------------------------------------------------------
    def shows_zone(self, zone_id: str) -> bool:
        return any(z["id"] == zone_id for z in self.zones)

    def shows_call(self, ticket: dict) -> bool:
        if self.mode == "window":
            return ticket.get("window_id") == self.window_id
        return self.shows_zone(ticket["zone_id"])

    def window_view(self, window_id: int | None = None) -> dict:
        """One window as its screen shows it: name, state ("called", "serving", "open" = free,
        "paused", "closed"), the number at it and the pause reason."""
        window_id = self.window_id if window_id is None else window_id
        w = self.mirror.window(window_id) or {"id": window_id, "state": "closed"}
        ticket = self.mirror.current_ticket(window_id)
        state = ticket["state"] if ticket else w.get("state", "closed")
        name = (w.get("name_en") if self.lang == "en" else w.get("name")) or ""
        return {"id": window_id, "label": self.window_label(window_id),
                "name": "" if name in (self.window_label(window_id), f"{window_id}号窗口") else name,
                "state": state, "number": ticket["number"] if ticket else None,
                "reason": w.get("pause_reason") or "", "clerk": w.get("clerk_name") or ""}

    @property
    def zone(self) -> dict | None:
        """The zone a zone screen is for (None until the hall is known, or for other screens)."""
        return self.zones[0] if self.mode == "zone" and self.zones else None

    def zone_windows(self) -> list[dict]:
        """The windows serving any of the shown zone's services, as `window_view`s."""
        zone, info = self.zone, self.mirror.hall_info
        if zone is None or info is None:
            return []
        services = {s["id"] for s in info["services"] if s["zone"] == zone["id"]}
        return [self.window_view(w["id"]) for w in info["windows"] if services & set(w["services"])]

    @property
    def latest(self) -> dict | None:
        return self.calls[0] if self.calls else None

    def window_label(self, window_id) -> str:
        return self.t("window_label", n=window_id)

    def call_line(self, ticket: dict) -> str:
        return self.t("call_line", number=ticket["number"], window=self.window_label(ticket["window_id"]))

    def zone_counts(self) -> list[tuple[dict, int]]:
        return [(z, self.mirror.waiting_in_zone(z["id"])) for z in self.zones]

    def zone_name(self, zone: dict) -> str:
        return zone.get("name_en") or zone["name"] if self.lang == "en" else zone["name"]

    # ---- the hall -------------------------------------------------------------------------
    def _pick_zones(self, zones: list[dict]) -> list[dict]:
        if not self.zone_filter:
            return zones
        wanted = {w.lower() for w in self.zone_filter}
        picked = [z for z in zones if z["id"].lower() in wanted or z["prefix"].lower() in wanted]
        unknown = wanted - {z["id"].lower() for z in picked} - {z["prefix"].lower() for z in picked}
        if unknown:
            log.warning("no zone with id or prefix %s in this hall", ", ".join(sorted(unknown)))
        return picked

    def _on_mirror(self, item: dict) -> None:
        if self.mirror.zones and self.mirror.zones is not self._zone_source:  # the manager may have renamed zones
            self._zone_source = self.mirror.zones
            self.zones = self._pick_zones(self.mirror.zones)
        if item["type"] in ("ticket.called", "ticket.recalled"):
            ticket = item["data"]["ticket"]
            if self.shows_call(ticket):
                self.flashes += 1
                self._speak(ticket, item.get("at"))
        self._changed()

    def _speak(self, ticket: dict, at: str | None) -> None:
        if self.speaker is None:
            return
        if at:
            age = (self.clock.now() - datetime.fromisoformat(at)).total_seconds()
            if age > SPEAK_WITHIN_SECONDS:
                log.info("not speaking %s: called %.0f s ago", ticket["number"], age)
                return
        voice = self.mirror.hall_name.get("voice") or {}  # the hall file's [voice]: sentence, letters
        announcement = Announcement(ticket["number"], str(ticket["window_id"]), self.repeat, self.lang,
                                    voice.get("call_en" if self.lang == "en" else "call"), voice.get("letters"))
        try:
            self.speaker.say(announcement)  # returns at once; the speaker's thread talks
            self.spoken.append(announcement)
        except (ValueError, RuntimeError) as e:
            log.error("cannot speak the call %s: %s", ticket["number"], e)
