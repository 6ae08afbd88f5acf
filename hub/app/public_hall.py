"""The citizens' hall page: zones and services with live waiting counts, the forecast's waits for a
number taken now, and today's opening hours (what a phone shows before its owner comes)."""
from __future__ import annotations

from datetime import date, datetime

from ..core.model import TicketState, WindowState
from .views import wait_fields


class PublicHall:
    def public_hall(self) -> dict:
        """Built once per seq and minute: many phones open the page at once."""
        self.ensure_day()
        now = self.now()
        key = (self.seq, now.replace(second=0, microsecond=0), self.config)
        cached = getattr(self, "_public_hall_cache", None)
        if cached is None or cached[0] != key:
            cached = self._public_hall_cache = key, self._build_public_hall(now)
        return cached[1]

    def _build_public_hall(self, now: datetime) -> dict:
        cfg, state = self.config, self.hall.state
        local = now.astimezone(cfg.tz)
        played = self.forecasts.latest(state, self.seq, cfg)  # hub/app/forecasts.py: the latest recent play
        waiting: dict[str, int] = {}
        for t in state.tickets.values():
            if t.state == TicketState.WAITING:
                waiting[t.service_id] = waiting.get(t.service_id, 0) + 1
        open_windows = {w.id for w in cfg.windows if state.windows[w.id].state == WindowState.OPEN}
        zones = []
        for z in cfg.zones:
            services = []
            for s in (s for s in cfg.services if s.zone == z.id and cfg.windows_serving(s.id)):
                services.append({"id": s.id, "name": s.name, "name_en": s.name_en, "waiting": waiting.get(s.id, 0),
                                 "open_windows": len(open_windows & set(cfg.windows_serving(s.id))),
                                 **wait_fields(played.next_ticket(s.id, cfg))})
            if not services:
                continue
            spans = cfg.hours_on(z, local.date())
            is_open = cfg.zone_open(z, local)
            zone_windows = set().union(*(cfg.windows_serving(sv["id"]) for sv in services))
            zones.append({"id": z.id, "prefix": z.prefix, "name": z.name, "name_en": z.name_en,
                          "description": z.description, "description_en": z.description_en,
                          "always_open": z.always_open, "open": is_open,
                          "open_windows": len(open_windows & zone_windows),
                          **({} if is_open else _reopening(spans, local.strftime("%H:%M"))),
                          "hours_today": [span.model_dump(exclude={"days"}) for span in spans],
                          "waiting": sum(s["waiting"] for s in services), "services": services})
        return {"seq": self.seq, "now": now.isoformat(timespec="seconds"), "today": local.date().isoformat(),
                "hall": {"name": cfg.hall.name, "name_en": cfg.hall.name_en,
                         "notice": state.notice or cfg.hall.notice,
                         # a notice set from the console today has no English
                         "notice_en": "" if state.notice else cfg.hall.notice_en},
                **self.day_status(local.date()), "zones": zones,
                "booking": any(cfg.bookable(s.id) for s in cfg.services)}

    def day_status(self, day: date) -> dict:
        """Whether the hall works that day by its calendar: the holiday closing it, a 调休 working day."""
        calendar = self.config.calendar
        holiday = calendar.holiday(day)
        return {"closed_day": {"name": holiday.name, "name_en": holiday.name_en} if holiday else None,
                "working_day": day in calendar.working}


def _reopening(spans, hhmm: str) -> dict:
    """A zone closed now that opens again later today: when, and whether it is a break (午休) rather
    than not yet open, so the page does not say 已下班 at lunch."""
    later = [span.open for span in spans if span.open > hhmm]
    if not later:
        return {}
    return {"reopens_at": later[0], "on_break": any(span.close <= hhmm for span in spans)}
