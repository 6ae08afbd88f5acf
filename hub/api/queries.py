"""Queries: the hall's layout, a snapshot of its state, and a ticket's status."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..core import queue
from ..protocol import API_VERSION, Role
from .auth import ApiError, require

router = APIRouter()
ANY_DEVICE = require(Role.KIOSK, Role.CALLER, Role.DISPLAY, Role.CONSOLE)


@router.get("/health", tags=["hall"])
async def health(request: Request):
    hub = request.app.state.hub
    return {"ok": True, "api": API_VERSION, "hall": hub.config.hall.name, "seq": hub.store.last_seq}


@router.get("/me", tags=["devices"])
async def me(device: dict = Depends(ANY_DEVICE)):
    return {k: device[k] for k in ("id", "name", "role", "window_id")}


@router.get("/hall", tags=["hall"])
async def hall(request: Request, device: dict = Depends(ANY_DEVICE)):
    return request.app.state.hub.hall_info(include_salt=device["role"] in (Role.KIOSK, Role.CONSOLE))


@router.get("/snapshot", tags=["hall"])
async def snapshot(request: Request, device: dict = Depends(ANY_DEVICE)):
    # JSONResponse directly: FastAPI's generic encoder is ~10x slower on a busy hall's snapshot.
    return JSONResponse(request.app.state.hub.snapshot())


@router.get("/zones", tags=["hall"])
async def zones(request: Request, device: dict = Depends(ANY_DEVICE)):
    """A small per-zone summary (waiting, longest wait, open windows): what a kiosk needs per tap."""
    return JSONResponse(request.app.state.hub.zone_summary())


@router.get("/windows/{window_id}/queue", tags=["windows"])
async def window_queue(window_id: int, request: Request, device: dict = Depends(ANY_DEVICE)):
    """The window's waiting tickets in the exact order it would call them."""
    line = request.app.state.hub.window_queue(window_id)
    if line is None:
        raise ApiError(404, "WINDOW_NOT_FOUND", window=window_id)
    return JSONResponse(line)


@router.get("/queues", tags=["hall"])
async def queues(request: Request, zone: str | None = None, device: dict = Depends(ANY_DEVICE)):
    hub = request.app.state.hub
    hub.ensure_day()
    known = queue.positions(hub.hall.state, hub.config, hub.now())
    waiting = [hub.ticket_view(t, known=known) for t in hub.hall.state.tickets.values() if t.state == "waiting"
               and (zone is None or t.zone_id == zone)]
    by_service: dict[str, list] = {}
    for t in sorted(waiting, key=lambda t: (t["ahead"], t["order"])):
        by_service.setdefault(t["service_id"], []).append(t)
    return {"zone": zone, "services": [{"service_id": k, "waiting": len(v), "tickets": v} for k, v in by_service.items()]}


@router.get("/tickets/{ticket_id}", tags=["tickets"])
async def ticket(ticket_id: int, request: Request, device: dict = Depends(ANY_DEVICE)):
    hub = request.app.state.hub
    row = hub.store.ticket(ticket_id)
    if row is None:
        raise ApiError(404, "TICKET_NOT_FOUND")
    return {"ticket": hub.stored_ticket_view(row)}


@router.get("/public/tickets/{token}", tags=["citizen"])
async def public_ticket(token: str, request: Request):
    """The citizen's view through the QR link: the token is the only key, so it is unguessable."""
    hub = request.app.state.hub
    row = hub.ticket_for_token(token)
    if row is None:
        raise ApiError(404, "TOKEN_INVALID")
    return {"ticket": hub.public_ticket_view(row)}
