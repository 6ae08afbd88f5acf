"""The citizen's pages: the hall page (/hall: zones, services, waits, hours); the ticket page behind
the QR code (/t/{token}), its live feed, and 好差评 rating.

The link carries the ticket's unguessable token, never its id; an unknown, malformed or
expired token gets the same "二维码无效或已过期" answer, so tokens cannot be probed.
"""
from __future__ import annotations

import asyncio
import html
import json
from datetime import date

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse

from ..app.views import evaluation_options as options
from ..protocol import BookOnline, CancelBooking, Evaluate, Reschedule
from .auth import ApiError
from .commands import respond
from .params import PUBLIC, errors
from .web import page

router = APIRouter()  # under the API prefix
pages = APIRouter()   # the page the QR code opens

REFRESH_SECONDS = 30  # estimated waits drift with time even when nothing happens in the zone

_INVALID_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>二维码无效或已过期</title><link rel="stylesheet" href="/static/ticket.css"></head>
<body><main class="page invalid" id="invalid">
<div class="invalid-mark" aria-hidden="true">!</div>
<h1>二维码无效或已过期</h1>
<p>请核对小票上的二维码，或重新取号。如有疑问，请咨询大厅工作人员。</p>
<p class="en" lang="en">This link is invalid or has expired. Please check the QR code on your ticket,
take a new ticket, or ask the hall staff.</p>
<p class="hall">{hall}</p>
</main></body></html>"""


@pages.get("/hall", include_in_schema=False)
async def hall_page():
    return page("hall.html")


@router.get("/public/hall", tags=["citizen"], responses=PUBLIC)
async def public_hall(request: Request):
    """The hall as a citizen sees it before coming: zones and services with people waiting, the wait
    for a number taken now, today's opening hours and whether the hall works today."""
    return request.app.state.hub.public_hall()


@pages.get("/book", include_in_schema=False)
async def book_page():
    return page("book.html")


@pages.get("/b/{token}", include_in_schema=False)
async def booking_page(token: str):
    return page("book.html", cache="no-store")  # the same page, showing the booking behind the link


@router.get("/public/booking", tags=["citizen"], responses=PUBLIC)
async def booking_offer(request: Request):
    """The bookable services, the days open for booking (holidays marked) and the hall's booking rules."""
    return request.app.state.hub.booking_offer()


@router.get("/public/booking/slots", tags=["citizen"], responses=errors(404, 413, 422))
async def booking_slots(service: str, day: date, request: Request):
    """A day's slots of a service, each with its capacity, places left, and why it cannot be booked."""
    return request.app.state.hub.booking_slots(service, day)


@router.post("/public/bookings", tags=["citizen"], responses=errors(403, 404, 409, 413, 422, 429, 503))
async def book_online(body: BookOnline, request: Request):
    """Book a slot with a phone number; the answer has the booking's code, its link and a QR of the link."""
    address = request.client.host if request.client else "?"
    return respond(await request.app.state.hub.book_online(body.request_id, address, body.service_id, body.day,
                                                           body.start, body.phone))


@router.get("/public/bookings/{token}", tags=["citizen"], responses=errors(404, 413, 422))
async def booking(token: str, request: Request):
    return request.app.state.hub.booking_for_token(token)


@router.post("/public/bookings/{token}/cancel", tags=["citizen"], responses=errors(404, 409, 413, 422, 503))
async def cancel_booking(token: str, body: CancelBooking, request: Request):
    return respond(await request.app.state.hub.cancel_online(token, body.request_id))


@router.post("/public/bookings/{token}/reschedule", tags=["citizen"], responses=errors(403, 404, 409, 413, 422, 503))
async def reschedule_booking(token: str, body: Reschedule, request: Request):
    return respond(await request.app.state.hub.reschedule_online(token, body.request_id, body.day, body.start))


@pages.get("/t/{token}", include_in_schema=False)
async def ticket_page(token: str, request: Request):
    hub = request.app.state.hub
    if hub.ticket_for_token(token) is None:
        return HTMLResponse(_INVALID_PAGE.format(hall=html.escape(hub.hall_name)), status_code=404)
    return page("ticket.html", cache="no-store")


@router.get("/public/tickets/{token}", tags=["citizen"], responses=errors(404, 413, 422))
async def public_ticket(token: str, request: Request):
    """The citizen's view through the QR link: the token is the only key, so it is unguessable."""
    hub = request.app.state.hub
    row = hub.ticket_for_token(token)
    if row is None:
        raise ApiError(404, "TOKEN_INVALID")
    return {"ticket": hub.public_ticket_view(row)}


@router.get("/public/evaluation-options", tags=["citizen"], responses=PUBLIC)
async def evaluation_options():
    """Scores and reason chips for any rating screen (the phone page, the window's evaluator)."""
    return options()


@router.post("/public/tickets/{token}/evaluation", tags=["citizen"], responses=errors(404, 409, 413, 422, 503))
async def rate_by_link(token: str, body: Evaluate, request: Request):
    """The citizen rates a finished ticket from the phone page; a repeated submit is one rating."""
    return respond(await request.app.state.hub.evaluate_by_link(token, body.request_id, body.score, body.reasons,
                                                                body.comment))


def _touches(event: dict, zone_id: str, ticket_id: int) -> bool:
    kind = event.get("type", "")
    ticket = event.get("data", {}).get("ticket") or {}
    return (ticket.get("id") == ticket_id or ticket.get("zone_id") == zone_id or kind.startswith("window.")
            or kind in ("day.started", "snapshot_needed"))


@router.websocket("/public/tickets/{token}/live")
async def ticket_live(ws: WebSocket, token: str):
    """Pushes the page's ticket view at once, then whenever an event may change it."""
    hub = ws.app.state.hub
    row = hub.ticket_for_token(token)
    if row is None:
        await ws.close(code=4404, reason="token invalid")
        return
    await ws.accept()
    ticket_id, zone_id = row["id"], row["zone_id"]
    queue = hub.subscribe()
    reader = asyncio.ensure_future(_drain(ws))
    last = None
    try:
        while True:
            view = hub.citizen_view(ticket_id)
            if view != last:
                await ws.send_json(view)
                last = view
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, reader}, timeout=REFRESH_SECONDS,
                                             return_when=asyncio.FIRST_COMPLETED)
                if reader in done:
                    getter.cancel()
                    return
                if getter not in done:
                    getter.cancel()
                    break  # periodic refresh
                out = getter.result()  # the fan-out's Outgoing: its message, parsed only if not kept
                event = out.event if out.event is not None else json.loads(out.text)
                if event.get("type") == "snapshot_needed":
                    hub.unsubscribe(queue)  # we were dropped as too slow: start afresh
                    queue = hub.subscribe()
                if _touches(event, zone_id, ticket_id):
                    break
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        reader.cancel()
        hub.unsubscribe(queue)


async def _drain(ws: WebSocket) -> None:
    try:
        while True:
            await ws.receive_text()
    except (WebSocketDisconnect, RuntimeError):
        return
