"""The manager's reports (JSON, CSV, XLSX) and the list of ratings with 差评 follow-up.

Everything here needs a console session (or a console device token): figures and comments are
the hall's internal business. Any role reads them; a supervisor or admin records follow-ups.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ..api.params import SIGNED, SIGNED_LOOKUP, TicketId
from .access import SUPERVISOR, VIEWER
from ..api.web import page
from ..protocol import API_PREFIX
from . import report_export

router = APIRouter()
PREFIX = f"{API_PREFIX}/console"
FROM = Query(None, alias="from", description="first day, YYYY-MM-DD")
TO = Query(None, alias="to", description="last day, YYYY-MM-DD")


@router.get("/console/reports", include_in_schema=False)
async def reports_page():
    # The page is public; its data is not (every fetch carries the console session).
    return page("reports.html", cache="no-store")


@router.get(f"{PREFIX}/reports", tags=["console"], responses=SIGNED)
async def report(request: Request, first: str | None = FROM, last: str | None = TO, device: dict = Depends(VIEWER)):
    """Figures for the days first..last (YYYY-MM-DD, default today)."""
    return request.app.state.hub.report(first, last)


def _download(data: bytes, media: str, name: str) -> Response:
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get(f"{PREFIX}/reports.csv", tags=["console"], responses=SIGNED)
async def report_csv(request: Request, first: str | None = FROM, last: str | None = TO, lang: str = "zh",
                     device: dict = Depends(VIEWER)):
    r = request.app.state.hub.report(first, last)
    return _download(report_export.to_csv(r, lang), "text/csv; charset=utf-8",
                     f"hallq-report-{r['from']}_{r['to']}.csv")


@router.get(f"{PREFIX}/reports.xlsx", tags=["console"], responses=SIGNED)
async def report_xlsx(request: Request, first: str | None = FROM, last: str | None = TO, lang: str = "zh",
                      device: dict = Depends(VIEWER)):
    r = request.app.state.hub.report(first, last)
    return _download(report_export.to_xlsx(r, lang),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"hallq-report-{r['from']}_{r['to']}.xlsx")


# ---- ratings and 差评 follow-up ------------------------------------------------------------
@router.get(f"{PREFIX}/evaluations", tags=["console"], responses=SIGNED)
async def evaluations(request: Request, first: str | None = FROM, last: str | None = TO, bad: bool = False,
                      state: str | None = None, device: dict = Depends(VIEWER)):
    """Rated tickets, newest first; `bad=1` keeps 差评 only, `state` filters by follow-up state."""
    return request.app.state.hub.rated_tickets(first, last, bad_only=bad, state=state)


class FollowUp(BaseModel):
    state: Literal["open", "handled", "rectified"]
    note: str = Field(default="", max_length=500)


@router.put(f"{PREFIX}/evaluations/{{ticket_id}}", tags=["console"], responses=SIGNED_LOOKUP)
async def follow_up(ticket_id: TicketId, body: FollowUp, request: Request, device: dict = Depends(SUPERVISOR)):
    """Record how a rating (usually a 差评) was followed up: handled or rectified, with a note."""
    return request.app.state.hub.follow_up_rating(device["name"], ticket_id, body.state, body.note)
