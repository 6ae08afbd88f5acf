"""The read model: every view of tickets and of the hall the hub hands out (a ticket with its
place in line, a stored ticket of any day, the citizen's page, the snapshot, the zone summary,
the hall's layout, the rating options)."""
from __future__ import annotations

import zlib
from datetime import date, datetime

from ..core import queue
from ..core.engine import window_names
from ..core.forecast import Estimate, forecast
from ..core.model import Appointment, Ticket, TicketState, WindowState
from ..core.rating import BAD_REASONS, GOOD_REASONS
from ..core.vocabulary import BAD_SCORE_MAX, RATING_SCORES
from ..fanout import encode
from ..protocol import API_VERSION, display_snapshot, public_ticket
from ..store import PROJECTED_ONLY

# A ticket's QR link works this many days after its business day (to rate the service later), then expires.
TICKET_LINK_DAYS = 7
# The kiosk's home offers this many of the services most taken today (it may show fewer).
TOP_SERVICES = 9


class Views:
    @property
    def hall_name(self) -> str:
        return self.config.hall.name

    def ticket_url(self, token: str) -> str:
        return f"{self.public_url}/t/{token}"

    def ticket_view(self, ticket, *, private: bool = False, known: dict | None = None) -> dict:
        now = self.now()
        view = self.hall.view(ticket, now, known)
        view.update(wait_fields(self._estimate(ticket, now)) if ticket.state == TicketState.WAITING
                    else wait_fields(None, waiting=False))
        view["zone_name"], view["service_name"] = self._names(view)
        if private:
            view["url"] = self.ticket_url(view["token"])
            return view
        return public_ticket(view)

    def _estimate(self, ticket: Ticket, now: datetime) -> Estimate | None:
        """The forecast's estimate for a waiting ticket, from the latest play of the hall (hub/app/forecasts.py).
        A ticket a command is about to change is not in the hall yet as the answer shows it: one
        just issued goes behind every ticket played (the play is extended); a priority one, an
        appointment, a transfer or a no-show sent back is played into a forecast of its own,
        which stops when it is called."""
        state = self.hall.state
        if state.tickets.get(ticket.id) is ticket:
            return self.forecasts.estimate(state, self.seq, self.config, ticket.id)
        if ticket.id in state.tickets or ticket.priority or ticket.appointment_id:
            estimate = forecast(state, self.config, now, changed=ticket).get(ticket.id)
            self.forecasts.answered(self.seq, ticket.id, estimate)
            return estimate
        return self.forecasts.append(state, self.seq, self.config, ticket)

    def _ticket_answer(self, result: dict, private: bool = False) -> dict:
        """A command's answer about a ticket (and its window, if the command moved one)."""
        out: dict = {}
        if "ticket" in result:
            out["ticket"] = self.ticket_view(result["ticket"], private=private) if result["ticket"] else None
        if "requeued" in result:
            out["requeued"] = result["requeued"]
        if "window" in result:
            out["window"] = result["window"].to_dict()
        if "stranded" in result:  # a logout or pause the clerk confirmed: the tickets left
            out["stranded"] = [t.number for t in result["stranded"]]
        return out

    @staticmethod
    def appointment_view(a: Appointment) -> dict:
        return {k: v for k, v in a.to_dict().items() if k not in ("phone_hash", "id_hash", "token")}

    def stored_ticket_view(self, row: dict) -> dict:
        """A ticket from any day: today's live one if it is today's, else the stored record."""
        live = self.hall.state.tickets.get(row["id"])
        if live is not None:
            return self.ticket_view(live)
        view = public_ticket(dict(row))
        for key in PROJECTED_ONLY:
            view.pop(key, None)
        view.update(ahead=0, **wait_fields(None, waiting=False))
        view["zone_name"], view["service_name"] = self._names(view)
        return view

    def ticket_by_id(self, ticket_id: int) -> dict | None:
        live = self.hall.state.tickets.get(ticket_id)
        if live is not None:  # today's: no need to read the store
            return self.ticket_view(live)
        row = self.store.ticket(ticket_id)
        return self.stored_ticket_view(row) if row else None

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
        view["hall_name"] = self.hall_name
        # "下一位就是您" is true only if some window can call it: the page says so when none is open
        windows = self.hall.state.windows
        view["open_windows"] = sum(1 for w in self.config.windows_serving(view["service_id"])
                                   if w in windows and windows[w].state == WindowState.OPEN)
        return view

    def citizen_view(self, ticket_id: int) -> dict | None:
        row = self.store.ticket(ticket_id)
        return {"ticket": self.public_ticket_view(row)} if row else None

    def _names(self, view: dict) -> tuple[str, str]:
        zone, service = self.config.zone(view["zone_id"]), self.config.service(view["service_id"])
        return (zone.name if zone else view["zone_id"]), (service.name if service else view["service_id"])

    def health(self) -> dict:
        return {"ok": True, "api": API_VERSION, "hall": self.config.hall.name, "seq": self.seq}

    def zone_summary(self) -> dict:
        """Per zone: open now, waiting, longest wait, open windows; and the services most taken
        today: what a kiosk shows on each tap."""
        self.ensure_day()
        return {"seq": self.seq, "zones": self._zones(self.now()), "top_services": self.top_services(),
                "no_window": self.no_window_services()}

    def no_window_services(self) -> dict[str, dict]:
        """Services the hub would refuse now for want of an open window (NO_WINDOW_OPEN), each with
        the windows the refusal names, so a kiosk can say so before asking for the ID card. Worked
        out once per seq, like top_services."""
        key = (self.seq, self.config)
        cached = getattr(self, "_no_window_cache", None)
        if cached is None or cached[0] != key:
            cfg, state = self.config, self.hall.state
            cached = self._no_window_cache = key, {
                s.id: window_names(cfg, s.id) for s in cfg.services
                if cfg.windows_serving(s.id) and not cfg.issues_when_closed(s.id)
                and not queue.open_windows_for(state, cfg, s.id)}
        return cached[1]

    def top_services(self) -> list[dict]:
        """The services people took most today, most first, as [{"id", "taken"}]; ties (and a quiet
        morning) keep the hall file's order. Only services a window serves: a kiosk offers them
        as one-tap tickets. Counted once per seq, since kiosks ask on every tap."""
        key = (self.seq, self.hall.state.day, self.config)
        cached = getattr(self, "_top_services_cache", None)
        if cached is None or cached[0] != key:
            taken: dict[str, int] = {}
            for t in self.hall.state.tickets.values():
                taken[t.service_id] = taken.get(t.service_id, 0) + 1
            issuable = [s.id for s in self.config.services if self.config.windows_serving(s.id)]
            ranked = sorted(issuable, key=lambda sid: -taken.get(sid, 0))  # stable: hall order on ties
            cached = self._top_services_cache = key, [{"id": sid, "taken": taken.get(sid, 0)}
                                                      for sid in ranked[:TOP_SERVICES]]
        return cached[1]

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
                "id": z.id, "prefix": z.prefix, "name": z.name, "name_en": z.name_en, "open": self.config.zone_open(z, local),
                "waiting": len(waiting), "longest_wait_minutes": int(longest // 60),
                "open_windows": sum(1 for w in self.config.windows if s.windows[w.id].state == WindowState.OPEN
                                    and zone_services[z.id] & self.config.window_services(w.id)),
            })
        return zones

    def window_queue(self, window_id: int) -> dict | None:
        """The window's waiting tickets in the order it would call them; None for no such window."""
        self.ensure_day()
        window = self.hall.state.windows.get(window_id)
        if window is None:
            return None
        now = self.now()
        line = queue.window_line(self.hall.state, self.config, window_id, now)
        grace = queue.in_grace_at(self.hall.state, self.config, window_id, now)
        known = queue.positions(self.hall.state, self.config, now) if line or grace else {}
        return {"seq": self.seq, "window_id": window_id,
                "tickets": [self.ticket_view(t, known=known) for t in line],
                # 过号 tickets back in line once their grace is over (ticket["grace_until"])
                "in_grace": [self.ticket_view(t, known=known) for t in grace],
                "today": self._window_today(window_id)}

    def _window_today(self, window_id: int) -> dict:
        """Tickets finished at this window today and their mean service time (served or called to finished)."""
        return self._windows_today().get(window_id, {"served": 0, "average_service_seconds": None})

    def _windows_today(self) -> dict[int, dict]:
        # One pass over the day's tickets per seq for every window: each caller asks for its line on
        # every event, and the day's tickets only grow.
        cached = getattr(self, "_windows_today_cache", None)
        if cached is None or cached[0] != self.seq:
            seconds: dict[int, list[float]] = {}
            for t in self.hall.state.tickets.values():
                if t.state == TicketState.DONE and t.finished_at:
                    seconds.setdefault(t.window_id, []).append(
                        (datetime.fromisoformat(t.finished_at)
                         - datetime.fromisoformat(t.serving_at or t.called_at)).total_seconds())
            cached = self._windows_today_cache = self.seq, {
                w: {"served": len(s), "average_service_seconds": round(sum(s) / len(s))} for w, s in seconds.items()}
        return cached[1]

    def snapshot(self) -> dict:
        """The hall as devices rebuild it; built once per seq and minute (see snapshot_json)."""
        now = self.now()
        return {"now": now.isoformat(timespec="seconds"), **self._cached_snapshot(now)[0]}

    def snapshot_json(self, *, display: bool = False) -> bytes:
        """The snapshot as JSON, encoded once per seq and minute: an unchanged busy hall is not
        rebuilt and re-encoded for every device that asks. A display's has no masked names or IDs."""
        stamp, body = self._snapshot_parts(display)
        return b'{"now":"' + stamp + b'",' + body[1:]

    def snapshot_gzip(self, *, display: bool = False) -> bytes:
        """`snapshot_json` gzipped, for devices that read gzip: a busy hall's snapshot is megabytes, and
        compressed it costs the hub a tenth of the encryption and the LAN a tenth of the bytes. The hall
        is compressed once per seq and minute; each answer only finishes a copy of that compressor with
        its own "now" (put last here: the readers look keys up, never at their order)."""
        stamp, body = self._snapshot_parts(display)
        cached = getattr(self, "_gzip_snapshot_cache", {})
        kept = cached.get(display)
        if kept is None or kept[0] is not body:
            packer = zlib.compressobj(1, zlib.DEFLATED, 31)  # wbits 31: the gzip format
            kept = body, packer.compress(body[:-1]), packer
            self._gzip_snapshot_cache = {**cached, display: kept}
        packer = kept[2].copy()
        return kept[1] + packer.compress(b',"now":"' + stamp + b'"}') + packer.flush()

    def _snapshot_parts(self, display: bool) -> tuple[bytes, bytes]:
        now = self.now()
        snap, body = self._cached_snapshot(now)
        if display:
            cached = getattr(self, "_display_snapshot_cache", None)
            if cached is None or cached[0] is not body:
                cached = self._display_snapshot_cache = body, encode(display_snapshot(snap)).encode()
            body = cached[1]
        return now.isoformat(timespec="seconds").encode(), body

    def _cached_snapshot(self, now: datetime) -> tuple[dict, bytes]:
        self.ensure_day()
        # Waits and opening hours are in whole minutes, so within a minute only the seq changes it,
        # and a new play of the hall's waits (which lands a little after the events it follows).
        key = (self.seq, now.replace(second=0, microsecond=0), self.config, self.forecasts.seq)
        cached = getattr(self, "_snapshot_cache", None)
        if cached is None or cached[0] != key:
            snap = self._build_snapshot(now)
            cached = self._snapshot_cache = key, snap, encode(snap).encode()
        return cached[1], cached[2]

    def _build_snapshot(self, now: datetime) -> dict:
        s = self.hall.state
        tickets = list(s.tickets.values())
        known = queue.positions(s, self.config, now)
        zones = self._zones(now)
        windows = []
        for entry in self._window_entries():
            current = s.tickets.get(entry["current"]) if entry["current"] else None
            windows.append({**entry, "current_ticket": self.ticket_view(current, known=known) if current else None})
        # The call order as it happened (a recall counts as the latest call), not by timestamp:
        # two windows often call within the same second.
        called = [s.tickets[i] for i in reversed(s.calls) if i in s.tickets and s.tickets[i].called_at]
        return {
            "seq": self.seq,
            "day": s.day,
            "hall": self._hall_heading(),
            "notice": s.notice or self.config.hall.notice,
            "zones": zones,
            "windows": windows,
            "tickets": [self.ticket_view(t, known=known) for t in tickets
                        if t.state in (TicketState.WAITING, TicketState.CALLED, TicketState.SERVING)],
            "recent_calls": [self.ticket_view(t, known=known) for t in called[:10]],
            "device_faults": s.device_faults,
        }

    def _hall_heading(self) -> dict:
        """The hall's name and the voice's call template, as displays show and say them."""
        return {"name": self.config.hall.name, "name_en": self.config.hall.name_en,
                "voice": self.config.voice.model_dump(exclude_none=True)}

    def _window_entries(self) -> list[dict]:
        """Each window of the layout as the snapshot shows it (without its current ticket's view)."""
        s, entries = self.hall.state, []
        for w in self.config.windows:
            ws = s.windows[w.id]
            clerk = self.config.clerk(ws.clerk_id) if ws.clerk_id else None
            entries.append({
                **ws.to_dict(), "name": w.name or f"{w.id}号窗口", "name_en": w.name_en or f"Window {w.id}",
                "clerk_name": clerk.name if clerk else None,
                "served_today": s.clerk_done.get(ws.clerk_id, 0) if ws.clerk_id else 0,
            })
        return entries

    def device_layout(self) -> dict:
        """What a hall edit changes for devices, carried on its hall.changed event so each device applies
        it (hub.client.HallMirror) instead of all of them fetching /hall and /snapshot at once: the layout
        as GET /hall gives it, and the snapshot's hall name, notice, zones and windows."""
        return {"info": self.hall_info(), "hall": self._hall_heading(),
                "notice": self.hall.state.notice or self.config.hall.notice, "zones": self._zones(self.now()),
                "windows": self._window_entries()}

    def hall_info(self) -> dict:
        cfg = self.config
        local = self.now().astimezone(cfg.tz)
        info = {
            "hall": cfg.hall.model_dump(),
            "queue": {"senior_age": cfg.queue.senior_age, "number_width": cfg.queue.number_width},
            "zones": [{**z.model_dump(), "open_now": cfg.zone_open(z, local)} for z in cfg.zones],
            "services": [{**s.model_dump(), "windows": cfg.windows_serving(s.id)}
                         for s in cfg.services],
            "windows": [{"id": w.id, "name": w.name or f"{w.id}号窗口", "name_en": w.name_en or f"Window {w.id}",
                         "services": sorted(cfg.window_services(w.id))} for w in cfg.windows],
            "public_url": self.public_url,
        }
        return info

    def display_names(self) -> dict:
        """Display names of zones, services, windows and clerks, for reports and rating lists."""
        cfg = self.config
        return {
            "zone": {z.id: z.name for z in cfg.zones},
            "service": {s.id: s.name for s in cfg.services},
            "window": {w.id: w.name or f"{w.id}号窗口" for w in cfg.windows},
            "clerk": {c.id: c.name for c in cfg.clerks},
        }


def wait_fields(estimate: Estimate | None, *, waiting: bool = True) -> dict:
    """A ticket's wait on the wire: the central estimate in minutes and the range [low, high] it is
    honestly within. A waiting ticket no staffed window serves has neither (None): no number is
    better than a false one. A ticket no longer waiting waits 0."""
    if not waiting:
        return {"estimated_wait_minutes": 0, "estimated_wait_range": None}
    if estimate is None:
        return {"estimated_wait_minutes": None, "estimated_wait_range": None}
    return {"estimated_wait_minutes": estimate.minutes, "estimated_wait_range": [estimate.low, estimate.high]}


def evaluation_options() -> dict:
    """What a rating screen offers, for the phone page and the window's evaluator."""
    def listed(d: dict) -> list[dict]:
        return [{"code": k, "zh": zh, "en": en} for k, (zh, en) in d.items()]

    return {
        "scores": [{"score": s, "zh": zh, "en": en, "bad": s <= BAD_SCORE_MAX} for s, (zh, en) in RATING_SCORES.items()],
        "reasons": {"good": listed(GOOD_REASONS), "bad": listed(BAD_REASONS)},
        "bad_score_max": BAD_SCORE_MAX,
    }
