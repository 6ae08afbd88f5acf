"""The manager's use cases (signing in is in accounts.py): the live overview and its alerts, settings,
the notice, editing the hall's layout, reports, and the follow-up of 差评."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from ..core import hall_edits, queue
from ..core.config import HallConfig
from ..core.errors import DomainError, invalid, not_found
from ..core.events import HallChanged
from ..core.rating import FOLLOWUP_STATES, reason_label
from ..core.vocabulary import BAD_SCORE_MAX, RATING_SCORES
from . import report_data

ALERT_KEY = "console_alert_wait_minutes"
DEFAULT_ALERT_MINUTES = 30
MAX_RANGE_DAYS = 366


class ConsoleUseCases:
    # ---- the live hall --------------------------------------------------------------------
    def alert_minutes(self) -> int:
        raw = self.store.setting(ALERT_KEY)
        return int(raw) if raw else DEFAULT_ALERT_MINUTES

    def set_alert_minutes(self, actor: str, minutes: int) -> dict:
        self.store.set_setting(ALERT_KEY, str(minutes))
        self.store.audit(self.stamp(), actor, "console.settings", {"alert_wait_minutes": minutes})
        return {"alert_minutes": minutes}

    def console_overview(self) -> dict:
        snap = self.snapshot()
        devices = self.device_list()["devices"]
        threshold = self.alert_minutes()
        stranded = self._stranded_alerts()
        # a zone whose every waiting ticket a stranded alert already names needs no second alert
        named = {t["id"] for a in stranded for t in a["tickets"]}
        covered = {z["id"] for z in snap["zones"]}
        for t in snap["tickets"]:
            if t["state"] == "waiting" and t["id"] not in named:
                covered.discard(t["zone_id"])
        rest = [a for a in alerts(snap, threshold, devices) if not (a["kind"] == "no_window" and a["zone_id"] in covered)]
        return {"snapshot": snap, "devices": devices, "alert_minutes": threshold,
                "alerts": stranded + rest, "locked_clerks": self.locked_clerks()}

    def _stranded_alerts(self) -> list[dict]:
        """Waiting tickets no open window can call, one alert per line, naming them: shown from the
        event that left them so (a logout, a pause), on the console's next refresh."""
        groups: dict[tuple, list] = {}
        for t in queue.stranded(self.hall.state, self.config):
            groups.setdefault((t.service_id, t.target_window), []).append(t)
        out = []
        for (service_id, to_window), tickets in groups.items():
            service = self.config.service(service_id)
            out.append({"kind": "stranded", "zone_id": tickets[0].zone_id, "service_id": service_id,
                        "service_name": service.name if service else service_id,
                        "service_name_en": (service.name_en or service.name) if service else service_id,
                        "to_window": to_window, "count": len(tickets),
                        "tickets": [{"id": t.id, "number": t.number} for t in tickets],
                        "targets": self._move_targets(service_id, to_window)})
        return out

    def _move_targets(self, service_id: str, away_from: int | None) -> list[dict]:
        """The windows that serve the service, open ones first: only there can moved tickets be called."""
        states = self.hall.state.windows
        out = []
        for window_id in self.config.windows_serving(service_id):
            w = self.config.window(window_id)
            if window_id != away_from:
                out.append({"id": window_id, "name": w.name or f"{window_id}号窗口",
                            "name_en": w.name_en or f"Window {window_id}",
                            "open": states[window_id].state.value == "open"})
        return sorted(out, key=lambda w: not w["open"])

    async def move_tickets(self, device: dict, ticket_ids: list[int], *, service_id: str | None = None,
                           to_window: int | None = None) -> dict:
        """Move waiting tickets (stranded ones, typically) to another service's line or window in one go."""
        status, body = await self._execute(
            None, device["id"], lambda now: self.hall.move(now, ticket_ids, service_id=service_id, to_window=to_window),
            lambda r: {"tickets": [t.number for t in r["tickets"]]})
        if status != 200:
            raise DomainError(body["error"]["code"], status=status, **(body["error"].get("params") or {}))
        self.store.audit(self.stamp(), device["name"], "tickets.move",
                         {"tickets": body["tickets"], "service_id": service_id, "to_window": to_window})
        return body

    async def set_console_notice(self, device: dict, notice: str) -> dict:
        status, body = await self.set_notice(None, device, notice)
        if status != 200:
            raise DomainError(body["error"]["code"], status=status, **(body["error"].get("params") or {}))
        self.store.audit(self.stamp(), device["name"], "notice.set", {"notice": notice})
        return body

    def audit_log(self, limit: int) -> list[dict]:
        return self.store.audit_log(limit=max(1, min(limit, 1000)))

    # ---- the hall's layout ----------------------------------------------------------------
    def hall_layout(self) -> dict:
        """The layout for the console's editor; clerks' PINs never leave the hub."""
        data = self.config.model_dump(mode="json")
        data["clerks"] = [{k: v for k, v in c.items() if k != "pin"} for c in data["clerks"]]
        return data

    # Each edit is checked against the hall, installed and its event handed to the writer with no
    # await in between, so no command is decided between the check and the new layout.
    async def edit_hall_item(self, actor: str, section: str, key: str, item: dict) -> dict:
        """Create or replace one zone / service / window / clerk."""
        self.ensure_day()
        new, detail = hall_edits.save_item(self.config, self.hall.state, section, key, item)
        return await self._install(new, actor, f"config.{section}.{'create' if detail['created'] else 'update'}",
                                   detail)

    async def delete_hall_item(self, actor: str, section: str, key: str) -> dict:
        self.ensure_day()
        new = hall_edits.delete_item(self.config, self.hall.state, section, key)
        return await self._install(new, actor, f"config.{section}.delete", {"section": section, "key": str(key)})

    async def edit_hall_info(self, actor: str, fields: dict) -> dict:
        new = hall_edits.set_hall_info(self.config, fields)
        return await self._install(new, actor, "config.hall.update", {"section": "hall", "key": "", "item": fields})

    async def _install(self, new: HallConfig, actor: str, action: str, detail: dict) -> dict:
        """Store the edited layout (it then wins over the hall file at the next start), swap it in,
        and tell the devices on the event stream so they fetch /hall again. `_execute` decides and
        queues the event before its first await."""
        self.store.save_hall_layout(new.model_dump_json())
        self._reconfigure(new)
        self.store.audit(self.stamp(), actor, action, detail)
        await self._execute(None, None, lambda at: ({}, [HallChanged(at.isoformat(timespec="seconds"), what=action,
                                                                     section=detail.get("section"),
                                                                     key=detail.get("key"))]), lambda r: r)
        return self.hall_layout()

    # ---- reports and 差评 follow-up ------------------------------------------------------
    def report_range(self, first: str | None, last: str | None, default_days: int = 0) -> tuple[str, str]:
        today = self.config.business_day(self.now())
        try:
            end = date.fromisoformat(last) if last else today
            start = date.fromisoformat(first) if first else end - timedelta(days=default_days)
        except ValueError:
            raise invalid("REPORT_DATE") from None
        if start > end:
            raise invalid("REPORT_RANGE_ORDER")
        if (end - start).days >= MAX_RANGE_DAYS:
            raise invalid("REPORT_RANGE_LONG", days=MAX_RANGE_DAYS)
        return start.isoformat(), end.isoformat()

    def report(self, first: str | None, last: str | None) -> dict:
        """Figures for the days first..last (YYYY-MM-DD, default today)."""
        start, end = self.report_range(first, last)
        rules = self.config.queue
        return report_data.build(self.store.tickets_between(start, end), self.store.visits_between(start, end),
                                 start, end, names=self.display_names(), tz=self.config.tz,
                                 today=self.config.business_day(self.now()).isoformat(),
                                 early_minutes=rules.appointment_early_minutes,
                                 late_minutes=rules.appointment_late_minutes)

    def rated_tickets(self, first: str | None, last: str | None, *, bad_only: bool = False,
                      state: str | None = None) -> dict:
        """Rated tickets, newest first, with their follow-up; optionally 差评 only or one follow-up state."""
        start, end = self.report_range(first, last, default_days=30)
        names = self.display_names()
        follow = self.store.followups()
        items = []
        for t in self.store.tickets_between(start, end):
            ev = t.get("evaluation")
            if not ev or (bad_only and ev["score"] > BAD_SCORE_MAX):
                continue
            f = follow.get(t["id"]) or {"state": "open", "note": "", "updated_at": None, "updated_by": None}
            if state and f["state"] != state:
                continue
            items.append({
                "ticket_id": t["id"], "number": t["number"], "day": t["day"],
                "zone": names["zone"].get(t["zone_id"], t["zone_id"]),
                "service": names["service"].get(t["service_id"], t["service_id"]),
                "window_id": t["window_id"], "window": names["window"].get(t["window_id"]),
                "clerk_id": t["clerk_id"], "clerk": names["clerk"].get(t["clerk_id"]),
                "score": ev["score"], "score_label": RATING_SCORES[ev["score"]][0],
                "score_label_en": RATING_SCORES[ev["score"]][1],
                "bad": ev["score"] <= BAD_SCORE_MAX,
                "reasons": ev.get("reasons", []),
                "reason_labels": [reason_label(r) for r in ev.get("reasons", [])],
                "reason_labels_en": [reason_label(r, "en") for r in ev.get("reasons", [])],
                "comment": ev.get("comment", ""), "at": ev.get("at"),
                "followup": {k: f[k] for k in ("state", "note", "updated_at", "updated_by")},
            })
        items.sort(key=lambda i: i["at"] or "", reverse=True)
        return {"from": start, "to": end, "evaluations": items}

    def follow_up_rating(self, actor: str, ticket_id: int, state: str, note: str) -> dict:
        """Record how a rating (usually a 差评) was followed up: handled or rectified, with a note."""
        if state not in FOLLOWUP_STATES:
            raise invalid("FOLLOWUP_STATE")
        row = self.store.ticket(ticket_id)
        if row is None:
            raise not_found("TICKET_NOT_FOUND", ticket=ticket_id)
        if not row.get("evaluation"):
            raise not_found("EVALUATION_NOT_FOUND", ticket=row["number"])
        record = {"ticket_id": ticket_id, "state": state, "note": note.strip()[:500], "updated_at": self.stamp(),
                  "updated_by": actor}
        self.store.save_followup(record)
        self.store.audit(self.stamp(), actor, "evaluation.followup", {"ticket": row["number"], "day": row["day"],
                                                                      "state": state})
        return {"followup": record, "state_label": FOLLOWUP_STATES[state][0]}


def alerts(snapshot: dict, threshold: int, devices: list[dict]) -> list[dict]:
    """Problems a manager must act on now, most urgent first."""
    out = []
    now = datetime.fromisoformat(snapshot["now"])
    zones = {z["id"]: z for z in snapshot["zones"]}
    for z in snapshot["zones"]:
        if z["waiting"] and not z["open_windows"]:
            out.append({"kind": "no_window", "zone_id": z["id"], "zone_name": z["name"],
                        "zone_name_en": z["name_en"], "waiting": z["waiting"]})
    long_waits: dict[str, list[dict]] = {}
    for t in snapshot["tickets"]:
        if t["state"] == "waiting":
            minutes = int((now - datetime.fromisoformat(t["issued_at"])).total_seconds() // 60)
            if minutes >= threshold:
                long_waits.setdefault(t["zone_id"], []).append({"number": t["number"], "minutes": minutes})
    for zone_id, tickets in long_waits.items():
        z = zones.get(zone_id, {"name": zone_id, "name_en": zone_id})
        tickets.sort(key=lambda t: -t["minutes"])
        out.append({"kind": "long_wait", "zone_id": zone_id, "zone_name": z["name"], "zone_name_en": z["name_en"],
                    "count": len(tickets), "longest": tickets[0]["minutes"], "number": tickets[0]["number"],
                    "threshold": threshold})
    for label, fault in snapshot["device_faults"].items():
        out.append({"kind": "device_fault", "device": label.split(":", 1)[-1], "fault": fault["fault"],
                    "since": fault["since"]})
    offline = [d for d in devices if not d["online"] and d["role"] != "console" and not d["revoked_at"]
               and d["ever_connected"]]
    for d in offline:
        out.append({"kind": "device_offline", "device": d["name"], "last_seen": d["last_seen"]})
    return out
