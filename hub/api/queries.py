"""Queries: the hall's layout, a snapshot of its state, a zone summary and a ticket's status."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from ..protocol import Role, display_ticket
from .auth import ANY_DEVICE, ApiError
from .params import PUBLIC, SIGNED, SIGNED_LOOKUP, TicketId, WindowId

router = APIRouter()


@router.get("/health", tags=["hall"], responses=PUBLIC)
async def health(request: Request):
    return request.app.state.hub.health()


@router.get("/me", tags=["devices"], responses=SIGNED)
async def me(device: dict = Depends(ANY_DEVICE)):
    return {k: device[k] for k in ("id", "name", "role", "window_id")}


@router.get("/hall", tags=["hall"], responses=SIGNED)
async def hall(request: Request, device: dict = Depends(ANY_DEVICE)):
    return request.app.state.hub.hall_info()


@router.get("/snapshot", tags=["hall"], responses=SIGNED)
async def snapshot(request: Request, device: dict = Depends(ANY_DEVICE)):
    # Encoded once per seq and minute by the hub; FastAPI's generic encoder is ~10x slower on a busy hall.
    display = device["role"] == Role.DISPLAY
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(request.app.state.hub.snapshot_gzip(display=display), media_type="application/json",
                        headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    return Response(request.app.state.hub.snapshot_json(display=display), media_type="application/json")


@router.get("/zones", tags=["hall"], responses=SIGNED)
async def zones(request: Request, device: dict = Depends(ANY_DEVICE)):
    """A small per-zone summary (waiting, longest wait, open windows): what a kiosk needs per tap."""
    return JSONResponse(request.app.state.hub.zone_summary())


@router.get("/windows/{window_id}/queue", tags=["windows"], responses=SIGNED_LOOKUP)
async def window_queue(window_id: WindowId, request: Request, device: dict = Depends(ANY_DEVICE)):
    """The window's waiting tickets in the exact order it would call them."""
    line = request.app.state.hub.window_queue(window_id)
    if line is None:
        raise ApiError(404, "WINDOW_NOT_FOUND", window=window_id)
    if device["role"] == Role.DISPLAY:
        line = {**line, "tickets": [display_ticket(t) for t in line["tickets"]]}
    return JSONResponse(line)



@router.get("/tickets/{ticket_id}", tags=["tickets"], responses=SIGNED_LOOKUP)
async def ticket(ticket_id: TicketId, request: Request, device: dict = Depends(ANY_DEVICE)):
    view = request.app.state.hub.ticket_by_id(ticket_id)
    if view is None:
        raise ApiError(404, "TICKET_NOT_FOUND")
    return {"ticket": display_ticket(view) if device["role"] == Role.DISPLAY else view}
