"""Figures for the manager's reports, computed from ticket rows of the store's projection.

Pure: rows in, plain dicts out (no store, no clock), so each figure is checked on hand-made rows.
Definitions: wait = issued -> (last) call, for tickets that reached a window (not no-shows);
service = serving (or call) -> finished, for done tickets; 满意率 = ratings of 基本满意 or
better / all ratings; 差评 = scores 1-2.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from ..core.vocabulary import BAD_SCORE_MAX


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
    """Issued -> (last) call, for citizens who came to the window: a no-show's wait says nothing
    about how long people waited to be served."""
    if t.get("state") not in ("called", "serving", "done"):
        return None
    return _minutes(t.get("issued_at"), t.get("called_at"))


def service_minutes(t: dict) -> float | None:
    if t.get("state") != "done":
        return None
    return _minutes(t.get("serving_at") or t.get("called_at"), t.get("finished_at"))


def score_of(t: dict) -> int | None:
    ev = t.get("evaluation")
    return ev.get("score") if isinstance(ev, dict) else None


@dataclass
class _Group:
    tickets: int = 0
    done: int = 0
    no_show: int = 0
    cancelled: int = 0
    transfers: int = 0
    waits: list = field(default_factory=list)
    services: list = field(default_factory=list)
    scores: list = field(default_factory=list)

    def add(self, t: dict) -> None:
        self.tickets += 1
        state = t.get("state")
        self.done += state == "done"
        self.no_show += state == "no_show"
        self.cancelled += state == "cancelled"
        self.transfers += t.get("transfer_count") or 0
        if (w := wait_minutes(t)) is not None:
            self.waits.append(w)
        if (s := service_minutes(t)) is not None:
            self.services.append(s)
        if (score := score_of(t)) is not None:
            self.scores.append(score)

    def figures(self) -> dict:
        wait, service = stats(self.waits), stats(self.services)
        return {
            "tickets": self.tickets, "done": self.done, "no_show": self.no_show, "cancelled": self.cancelled,
            "transfers": self.transfers,
            "wait_mean": wait["mean"], "wait_median": wait["median"], "wait_p90": wait["p90"],
            "service_mean": service["mean"], "service_median": service["median"], "service_p90": service["p90"],
            "evaluations": len(self.scores), "satisfaction": satisfaction(self.scores),
        }


def satisfaction(scores: list[int]) -> float | None:
    """Share of ratings that are 基本满意 or better, in percent (one decimal)."""
    if not scores:
        return None
    return round(100 * sum(1 for s in scores if s > BAD_SCORE_MAX) / len(scores), 1)


def _breakdown(tickets: list[dict], key: str, names: dict) -> list[dict]:
    groups: dict = {}
    for t in tickets:
        k = t.get(key)
        if k is None:
            continue  # e.g. never called: no window or clerk to count it for
        groups.setdefault(k, _Group()).add(t)
    order = {k: i for i, k in enumerate(names)}  # the hall file's order, as the manager knows it

    def rank(k):
        return (order.get(k, len(order)), f"{k:08d}" if isinstance(k, int) else str(k))

    ordered = sorted(groups.items(), key=lambda kv: rank(kv[0]))
    return [{"key": k, "name": names.get(k, str(k)), **g.figures()} for k, g in ordered]


def _local_hour(iso: str, tz: tzinfo | None) -> int:
    when = datetime.fromisoformat(iso)
    return (when.astimezone(tz) if tz else when).hour


def by_hour(tickets: list[dict], tz: tzinfo | None = None) -> list[dict]:
    """Tickets issued per hour of the day and their mean wait, from the first to the last busy hour."""
    groups: dict[int, _Group] = {}
    for t in tickets:
        groups.setdefault(_local_hour(t["issued_at"], tz), _Group()).add(t)
    if not groups:
        return []
    return [{"hour": h, "tickets": groups[h].tickets if h in groups else 0,
             "wait_mean": stats(groups[h].waits)["mean"] if h in groups else None}
            for h in range(min(groups), max(groups) + 1)]


def punctuality(tickets: list[dict]) -> dict:
    """Appointment check-ins relative to the booked slot: early, on time (within it) or late."""
    out = {"appointments": 0, "early": 0, "on_time": 0, "late": 0}
    for t in tickets:
        if not t.get("appointment_id") or not t.get("slot_start") or not t.get("slot_end"):
            continue
        out["appointments"] += 1
        checked_in = datetime.fromisoformat(t["issued_at"])
        if checked_in < datetime.fromisoformat(t["slot_start"]):
            out["early"] += 1
        elif checked_in > datetime.fromisoformat(t["slot_end"]):
            out["late"] += 1
        else:
            out["on_time"] += 1
    n = out["appointments"]
    out["on_time_rate"] = round(100 * out["on_time"] / n, 1) if n else None
    return out


def evaluations(tickets: list[dict]) -> dict:
    scores = [s for t in tickets if (s := score_of(t)) is not None]
    return {"count": len(scores), "per_score": {str(s): scores.count(s) for s in (5, 4, 3, 2, 1)},
            "satisfaction": satisfaction(scores), "bad": sum(1 for s in scores if s <= BAD_SCORE_MAX)}


def build(tickets: list[dict], first_day: str, last_day: str, *, names: dict | None = None,
          tz: tzinfo | None = None) -> dict:
    """The whole report. `names` maps zone/service/window/clerk keys to display names."""
    names = names or {}
    overall = _Group()
    for t in tickets:
        overall.add(t)
    return {
        "from": first_day, "to": last_day,
        "summary": overall.figures(),
        "wait": stats(overall.waits),
        "service": stats(overall.services),
        "by_zone": _breakdown(tickets, "zone_id", names.get("zone", {})),
        "by_service": _breakdown(tickets, "service_id", names.get("service", {})),
        "by_window": _breakdown(tickets, "window_id", names.get("window", {})),
        "by_clerk": _breakdown(tickets, "clerk_id", names.get("clerk", {})),
        "by_day": _breakdown(tickets, "day", {}),
        "by_hour": by_hour(tickets, tz),
        "punctuality": punctuality(tickets),
        "evaluations": evaluations(tickets),
    }
