"""Figures for the manager's reports, from the store's projections: ticket rows and visit rows (one per
call of a ticket to a window). What each figure means is written in report_terms.py, beside it.

Pure: rows in, plain dicts out (no store, no clock: `today` is the hall's business day, given), so each
figure is checked on hand-made rows.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from ..core.vocabulary import BAD_SCORE_MAX
from . import report_terms

OPEN_STATES = ("waiting", "called", "serving")
ATTENDED = ("done", "transferred")  # visit outcomes where the clerk served the citizen


def _minutes(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60


def stats(values: list[float]) -> dict:
    """count, mean, median and p90 (nearest rank) in minutes, rounded to 0.1; None when empty."""
    if not values:
        return {"count": 0, "mean": None, "median": None, "p90": None}
    ordered = sorted(values)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return {"count": len(ordered), "mean": round(statistics.fmean(ordered), 1),
            "median": round(statistics.median(ordered), 1), "p90": round(p90, 1)}


def wait_minutes(t: dict) -> float | None:
    """Issue -> first call; None for a ticket never called."""
    return _minutes(t.get("issued_at"), t.get("first_called_at"))


def visit_service_minutes(v: dict) -> float | None:
    """Serving (or the call) -> finished or transferred, for a visit where the citizen was attended."""
    if v.get("outcome") not in ATTENDED:
        return None
    return _minutes(v.get("serving_at") or v.get("called_at"), v.get("ended_at"))


def score_of(t: dict) -> int | None:
    ev = t.get("evaluation")
    return ev.get("score") if isinstance(ev, dict) else None


def ending(t: dict, today: str | None) -> str:
    """How the ticket's day ended for it: its state, or day_end for one cancelled at the rollover or
    still open on a business day that is over (by the clock) though the rollover has not run yet."""
    state = t.get("state")
    if state == "cancelled" and t.get("cancel_reason") == "day_end":
        return "day_end"
    if state in OPEN_STATES and today is not None and t.get("day", today) < today:
        return "day_end"
    return state


@dataclass
class _Group:
    """Ticket figures of a group of tickets (and the service times of their visits)."""
    tickets: int = 0
    calls: int = 0
    done: int = 0
    no_show_presses: int = 0
    no_show: int = 0
    cancelled: int = 0
    day_end: int = 0
    open: int = 0
    transfers: int = 0
    waits: list = field(default_factory=list)
    services: list = field(default_factory=list)
    scores: list = field(default_factory=list)

    def add(self, t: dict, today: str | None, visits: list[dict]) -> None:
        self.tickets += 1
        end = ending(t, today)
        self.done += end == "done"
        self.no_show += end == "no_show"
        self.cancelled += end == "cancelled"
        self.day_end += end == "day_end"
        self.open += end in OPEN_STATES
        self.no_show_presses += t.get("no_show_count") or 0
        self.transfers += t.get("transfer_count") or 0
        self.calls += len(visits)
        if (w := wait_minutes(t)) is not None:
            self.waits.append(w)
        self.services += [s for v in visits if (s := visit_service_minutes(v)) is not None]
        if (score := score_of(t)) is not None:
            self.scores.append(score)

    def figures(self) -> dict:
        wait, service = stats(self.waits), stats(self.services)
        return {
            "tickets": self.tickets, "calls": self.calls, "done": self.done,
            "no_show_presses": self.no_show_presses, "no_show": self.no_show, "cancelled": self.cancelled,
            "day_end": self.day_end, "open": self.open, "transfers": self.transfers,
            "wait_mean": wait["mean"], "wait_median": wait["median"], "wait_p90": wait["p90"],
            "service_mean": service["mean"], "service_median": service["median"], "service_p90": service["p90"],
            "evaluations": len(self.scores), "satisfaction": satisfaction(self.scores),
        }


@dataclass
class _Desk:
    """Visit figures of a window or a clerk: every call made there counts, not only a ticket's last."""
    calls: int = 0
    services: int = 0
    done: int = 0
    transfers: int = 0
    no_show_presses: int = 0
    no_show: int = 0
    recalls: int = 0
    waits: list = field(default_factory=list)
    service_times: list = field(default_factory=list)
    scores: list = field(default_factory=list)

    def add(self, v: dict, ticket: dict | None) -> None:
        outcome = v.get("outcome")
        self.calls += 1
        self.services += outcome in ATTENDED
        self.done += outcome == "done"
        self.transfers += outcome == "transferred"
        self.no_show_presses += outcome in ("no_show", "lapsed")
        self.no_show += outcome == "lapsed"
        self.recalls += v.get("recalls") or 0
        if (w := _minutes(v.get("queued_at"), v.get("called_at"))) is not None:
            self.waits.append(w)
        if (s := visit_service_minutes(v)) is not None:
            self.service_times.append(s)
        if outcome == "done" and ticket is not None and (score := score_of(ticket)) is not None:
            self.scores.append(score)

    def figures(self) -> dict:
        service = stats(self.service_times)
        return {
            "calls": self.calls, "services": self.services, "done": self.done, "transfers": self.transfers,
            "no_show_presses": self.no_show_presses, "no_show": self.no_show, "recalls": self.recalls,
            "visit_wait_mean": stats(self.waits)["mean"],
            "service_mean": service["mean"], "service_median": service["median"], "service_p90": service["p90"],
            "evaluations": len(self.scores), "satisfaction": satisfaction(self.scores),
        }


def satisfaction(scores: list[int]) -> float | None:
    """Share of ratings that are 基本满意 or better, in percent (one decimal)."""
    if not scores:
        return None
    return round(100 * sum(1 for s in scores if s > BAD_SCORE_MAX) / len(scores), 1)


def _ordered(groups: dict, names: dict) -> list[tuple]:
    order = {k: i for i, k in enumerate(names)}  # the hall file's order, as the manager knows it

    def rank(k):
        return (order.get(k, len(order)), f"{k:08d}" if isinstance(k, int) else str(k))

    return sorted(groups.items(), key=lambda kv: rank(kv[0]))


def _breakdown(tickets: list[dict], visits_of: dict, key: str, names: dict, today: str | None) -> list[dict]:
    groups: dict = {}
    for t in tickets:
        k = t.get(key)
        if k is not None:
            groups.setdefault(k, _Group()).add(t, today, visits_of.get(t["id"], []))
    return [{"key": k, "name": names.get(k, str(k)), **g.figures()} for k, g in _ordered(groups, names)]


def _desks(visits: list[dict], tickets_by_id: dict, key: str, names: dict) -> list[dict]:
    groups: dict = {}
    for v in visits:
        k = v.get(key)
        if k is not None:
            groups.setdefault(k, _Desk()).add(v, tickets_by_id.get(v["ticket_id"]))
    return [{"key": k, "name": names.get(k, str(k)), **g.figures()} for k, g in _ordered(groups, names)]


def _local_hour(iso: str, tz: tzinfo | None) -> int:
    when = datetime.fromisoformat(iso)
    return (when.astimezone(tz) if tz else when).hour


def by_hour(tickets: list[dict], tz: tzinfo | None = None) -> list[dict]:
    """Tickets issued per hour of the day and their mean wait, from the first to the last busy hour."""
    groups: dict[int, list] = {}
    for t in tickets:
        groups.setdefault(_local_hour(t["issued_at"], tz), []).append(t)
    if not groups:
        return []
    out = []
    for h in range(min(groups), max(groups) + 1):
        issued = groups.get(h, [])
        waits = [w for t in issued if (w := wait_minutes(t)) is not None]
        out.append({"hour": h, "tickets": len(issued), "wait_mean": stats(waits)["mean"]})
    return out


def punctuality(tickets: list[dict], early_minutes: int, late_minutes: int) -> dict:
    """Appointment check-ins against the hall's own check-in window: from `early_minutes` before the slot
    to `late_minutes` after it (what the kiosk accepts); after_slot counts the on-time ones in the grace."""
    out = {"appointments": 0, "early": 0, "on_time": 0, "after_slot": 0, "late": 0}
    for t in tickets:
        if not t.get("appointment_id") or not t.get("slot_start") or not t.get("slot_end"):
            continue
        out["appointments"] += 1
        checked_in = datetime.fromisoformat(t["issued_at"])
        start, end = datetime.fromisoformat(t["slot_start"]), datetime.fromisoformat(t["slot_end"])
        if checked_in < start - timedelta(minutes=early_minutes):
            out["early"] += 1
        elif checked_in > end + timedelta(minutes=late_minutes):
            out["late"] += 1
        else:
            out["on_time"] += 1
            out["after_slot"] += checked_in > end
    n = out["appointments"]
    out["on_time_rate"] = round(100 * out["on_time"] / n, 1) if n else None
    return out


def evaluations(tickets: list[dict]) -> dict:
    scores = [s for t in tickets if (s := score_of(t)) is not None]
    return {"count": len(scores), "per_score": {str(s): scores.count(s) for s in (5, 4, 3, 2, 1)},
            "satisfaction": satisfaction(scores), "bad": sum(1 for s in scores if s <= BAD_SCORE_MAX)}


def build(tickets: list[dict], visits: list[dict], first_day: str, last_day: str, *, names: dict | None = None,
          tz: tzinfo | None = None, today: str | None = None, early_minutes: int = 30,
          late_minutes: int = 15) -> dict:
    """The whole report. `names` maps zone/service/window/clerk keys to display names; `today` is the
    hall's business day now (earlier days are over); early/late minutes are the hall's check-in window."""
    names = names or {}
    visits_of: dict[int, list] = {}
    for v in visits:
        visits_of.setdefault(v["ticket_id"], []).append(v)
    tickets_by_id = {t["id"]: t for t in tickets}
    overall = _Group()
    for t in tickets:
        overall.add(t, today, visits_of.get(t["id"], []))
    return {
        "from": first_day, "to": last_day,
        "summary": overall.figures(),
        "wait": stats(overall.waits),
        "service": stats(overall.services),
        "by_zone": _breakdown(tickets, visits_of, "zone_id", names.get("zone", {}), today),
        "by_service": _breakdown(tickets, visits_of, "service_id", names.get("service", {}), today),
        "by_window": _desks(visits, tickets_by_id, "window_id", names.get("window", {})),
        "by_clerk": _desks(visits, tickets_by_id, "clerk_id", names.get("clerk", {})),
        "by_day": _breakdown(tickets, visits_of, "day", {}, today),
        "by_hour": by_hour(tickets, tz),
        "punctuality": punctuality(tickets, early_minutes, late_minutes),
        "evaluations": evaluations(tickets),
        "definitions": report_terms.definitions({"early": early_minutes, "late": late_minutes}),
    }
