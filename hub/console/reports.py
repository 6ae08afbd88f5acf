"""The manager's reports (JSON, CSV, XLSX) and the list of ratings with 差评 follow-up.

Everything here needs a console session (or a console device token): figures and comments are
the hall's internal business.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from ..api.auth import ApiError, require
from ..core.errors import DomainError
from ..protocol import API_PREFIX, Role
from . import evaluation, report_data, report_export
from ..core.vocabulary import BAD_SCORE_MAX, RATING_SCORES
from .citizen_texts import FOLLOWUP_STATES, reason_label
from .routes import STATIC

router = APIRouter()
CONSOLE = require(Role.CONSOLE)
MAX_RANGE_DAYS = 366
PREFIX = f"{API_PREFIX}/console"
FROM = Query(None, alias="from", description="first day, YYYY-MM-DD")
TO = Query(None, alias="to", description="last day, YYYY-MM-DD")


@router.get("/console/reports", include_in_schema=False)
async def reports_page():
    # The page is public; its data is not (every fetch carries the console session).
    return FileResponse(STATIC / "reports.html", headers={"Cache-Control": "no-store"})


def _range(hub, first: str | None, last: str | None, default_days: int = 0) -> tuple[str, str]:
    today = hub.config.business_day(hub.now())
    try:
        end = date.fromisoformat(last) if last else today
        start = date.fromisoformat(first) if first else end - timedelta(days=default_days)
    except ValueError:
        raise ApiError(422, "REPORT_DATE") from None
    if start > end:
        raise ApiError(422, "REPORT_RANGE_ORDER")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ApiError(422, "REPORT_RANGE_LONG", days=MAX_RANGE_DAYS)
    return start.isoformat(), end.isoformat()


def _names(hub) -> dict:
    cfg = hub.config
    return {
        "zone": {z.id: z.name for z in cfg.zones},
        "service": {s.id: s.name for s in cfg.services},
        "window": {w.id: w.name or f"{w.id}号窗口" for w in cfg.windows},
        "clerk": {c.id: c.name for c in cfg.clerks},
    }


def _report(request: Request, first: str | None, last: str | None) -> dict:
    hub = request.app.state.hub
    start, end = _range(hub, first, last)
    return report_data.build(hub.store.tickets_between(start, end), start, end, names=_names(hub),
                             tz=hub.config.tz)


@router.get(f"{PREFIX}/reports", tags=["console"])
async def report(request: Request, first: str | None = FROM, last: str | None = TO, device: dict = Depends(CONSOLE)):
    """Figures for the days first..last (YYYY-MM-DD, default today)."""
    return _report(request, first, last)


def _download(data: bytes, media: str, name: str) -> Response:
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get(f"{PREFIX}/reports.csv", tags=["console"])
async def report_csv(request: Request, first: str | None = FROM, last: str | None = TO, lang: str = "zh",
               device: dict = Depends(CONSOLE)):
    r = _report(request, first, last)
    return _download(report_export.to_csv(r, lang), "text/csv; charset=utf-8",
                     f"hallq-report-{r['from']}_{r['to']}.csv")


@router.get(f"{PREFIX}/reports.xlsx", tags=["console"])
async def report_xlsx(request: Request, first: str | None = FROM, last: str | None = TO, lang: str = "zh",
                device: dict = Depends(CONSOLE)):
    r = _report(request, first, last)
    return _download(report_export.to_xlsx(r, lang),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"hallq-report-{r['from']}_{r['to']}.xlsx")


# ---- ratings and 差评 follow-up ------------------------------------------------------------
@router.get(f"{PREFIX}/evaluations", tags=["console"])
async def evaluations(request: Request, first: str | None = FROM, last: str | None = TO, bad: bool = False,
                state: str | None = None, device: dict = Depends(CONSOLE)):
    """Rated tickets, newest first; `bad=1` keeps 差评 only, `state` filters by follow-up state."""
    hub = request.app.state.hub
    start, end = _range(hub, first, last, default_days=30)
    names = _names(hub)
    follow = evaluation.followups(hub.store)
    items = []
    for t in hub.store.tickets_between(start, end):
        ev = t.get("evaluation")
        if not ev or (bad and ev["score"] > BAD_SCORE_MAX):
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
            "score": ev["score"], "score_label": RATING_SCORES[ev["score"]][0], "score_label_en": RATING_SCORES[ev["score"]][1],
            "bad": ev["score"] <= BAD_SCORE_MAX,
            "reasons": ev.get("reasons", []),
            "reason_labels": [reason_label(r) for r in ev.get("reasons", [])],
            "reason_labels_en": [reason_label(r, "en") for r in ev.get("reasons", [])],
            "comment": ev.get("comment", ""), "at": ev.get("at"),
            "followup": {k: f[k] for k in ("state", "note", "updated_at", "updated_by")},
        })
    items.sort(key=lambda i: i["at"] or "", reverse=True)
    return {"from": start, "to": end, "evaluations": items}


class FollowUp(BaseModel):
    state: Literal["open", "handled", "rectified"]
    note: str = Field(default="", max_length=500)


@router.put(f"{PREFIX}/evaluations/{{ticket_id}}", tags=["console"])
async def follow_up(ticket_id: int, body: FollowUp, request: Request, device: dict = Depends(CONSOLE)):
    """Record how a rating (usually a 差评) was followed up: handled or rectified, with a note."""
    hub = request.app.state.hub
    try:
        record = evaluation.set_followup(hub, ticket_id, body.state, body.note, device["name"])
    except DomainError as e:
        raise ApiError(e.status, e.code, **e.params) from None
    return {"followup": record, "state_label": FOLLOWUP_STATES[record["state"]][0]}
