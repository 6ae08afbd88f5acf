"""Commands: POSTs that change the hall. Each carries a request_id; a repeat gets the first answer.

Each endpoint parses, authorises and calls one use case of the hub (hub/app)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..messages import error_body
from ..protocol import (Book, CallTicket, CheckIn, DeviceStatus, Evaluate, IssueTicket, Login, Logout, Notice, Pause,
                        Plain, Transfer)
from .auth import ANY_DEVICE, ApiError, CALLERS, CONSOLE, EVALUATORS, KIOSKS, check_window, client_address
from .params import COMMAND, TicketId, WindowId, errors

router = APIRouter()


def respond(answer: tuple[int, dict]) -> JSONResponse:
    status, body = answer
    if status == 200:
        return JSONResponse(body)
    err = body["error"]
    return JSONResponse(error_body(err["code"], err.get("params")), status_code=status)


@router.post("/tickets", tags=["tickets"], responses=COMMAND)
async def issue_ticket(body: IssueTicket, request: Request, device: dict = Depends(KIOSKS)):
    holder = body.holder.model_dump(mode="json") if body.holder else None
    return respond(await request.app.state.hub.issue_ticket(
        body.request_id, device, body.service_id, priority_reason=body.priority_reason, holder=holder))


@router.post("/tickets/{ticket_id}/cancel", tags=["tickets"], responses=COMMAND)
async def cancel_ticket(ticket_id: TicketId, body: Plain, request: Request, device: dict = Depends(KIOSKS)):
    return respond(await request.app.state.hub.cancel_ticket(body.request_id, device, ticket_id))


@router.post("/tickets/{ticket_id}/evaluation", tags=["tickets"], responses=COMMAND)
async def evaluate(ticket_id: TicketId, body: Evaluate, request: Request, device: dict = Depends(EVALUATORS)):
    """The window's evaluator (a caller device: its own window only) or the console rates a ticket."""
    return respond(await request.app.state.hub.evaluate(body.request_id, device, ticket_id, body.score,
                                                        body.reasons, body.comment))


# ---- a window's clerk -------------------------------------------------------------------------
@router.post("/windows/{window_id}/login", tags=["windows"], responses=errors(401, 403, 404, 409, 413, 422, 429, 503))
async def login(window_id: WindowId, body: Login, request: Request, device: dict = Depends(CALLERS)):
    check_window(device, window_id)
    return respond(await request.app.state.hub.login(body.request_id, device, window_id, body.clerk_id, body.pin))


@router.post("/windows/{window_id}/logout", tags=["windows"], responses=COMMAND)
async def logout(window_id: WindowId, body: Logout, request: Request, device: dict = Depends(CALLERS)):
    """Refused with WOULD_STRAND (naming the tickets) if only this window could call some waiting
    tickets, unless `strand` says the clerk confirmed; the console then shows them at once."""
    check_window(device, window_id)
    return respond(await request.app.state.hub.logout(body.request_id, device, window_id, strand=body.strand))


@router.post("/windows/{window_id}/call-next", tags=["windows"], responses=COMMAND)
async def call_next(window_id: WindowId, body: Plain, request: Request, device: dict = Depends(CALLERS)):
    check_window(device, window_id)
    return respond(await request.app.state.hub.call_next(body.request_id, device, window_id))


@router.post("/windows/{window_id}/call-ticket", tags=["windows"], responses=COMMAND)
async def call_ticket(window_id: WindowId, body: CallTicket, request: Request, device: dict = Depends(CALLERS)):
    """Call a chosen waiting ticket of this window out of turn, with a reason (hub.protocol.CALL_REASONS)."""
    check_window(device, window_id)
    return respond(await request.app.state.hub.call_ticket(body.request_id, device, window_id, body.ticket_id,
                                                           body.reason))


@router.post("/windows/{window_id}/recall", tags=["windows"], responses=COMMAND)
async def recall(window_id: WindowId, body: Plain, request: Request, device: dict = Depends(CALLERS)):
    check_window(device, window_id)
    return respond(await request.app.state.hub.recall(body.request_id, device, window_id))


@router.post("/windows/{window_id}/serve", tags=["windows"], responses=COMMAND)
async def serve(window_id: WindowId, body: Plain, request: Request, device: dict = Depends(CALLERS)):
    check_window(device, window_id)
    return respond(await request.app.state.hub.serve(body.request_id, device, window_id))


@router.post("/windows/{window_id}/finish", tags=["windows"], responses=COMMAND)
async def finish(window_id: WindowId, body: Plain, request: Request, device: dict = Depends(CALLERS)):
    check_window(device, window_id)
    return respond(await request.app.state.hub.finish(body.request_id, device, window_id))


@router.post("/windows/{window_id}/no-show", tags=["windows"], responses=COMMAND)
async def no_show(window_id: WindowId, body: Plain, request: Request, device: dict = Depends(CALLERS)):
    check_window(device, window_id)
    return respond(await request.app.state.hub.no_show(body.request_id, device, window_id))


@router.post("/windows/{window_id}/transfer", tags=["windows"], responses=COMMAND)
async def transfer(window_id: WindowId, body: Transfer, request: Request, device: dict = Depends(CALLERS)):
    check_window(device, window_id)
    return respond(await request.app.state.hub.transfer(body.request_id, device, window_id,
                                                        service_id=body.service_id, to_window=body.to_window))


@router.post("/windows/{window_id}/pause", tags=["windows"], responses=COMMAND)
async def pause(window_id: WindowId, body: Pause, request: Request, device: dict = Depends(CALLERS)):
    check_window(device, window_id)
    return respond(await request.app.state.hub.pause(body.request_id, device, window_id, body.reason,
                                                     strand=body.strand))


@router.post("/windows/{window_id}/resume", tags=["windows"], responses=COMMAND)
async def resume(window_id: WindowId, body: Plain, request: Request, device: dict = Depends(CALLERS)):
    check_window(device, window_id)
    return respond(await request.app.state.hub.resume(body.request_id, device, window_id))


# ---- appointments -----------------------------------------------------------------------------
@router.post("/appointments", tags=["appointments"], responses=COMMAND)
async def book(body: Book, request: Request, device: dict = Depends(KIOSKS)):
    return respond(await request.app.state.hub.book(body.request_id, device, body.service_id, body.slot_start,
                                                    body.slot_end, name=body.name, phone=body.phone,
                                                    id_number=body.id_number))


@router.post("/appointments/check-in", tags=["appointments"], responses=COMMAND)
async def check_in(body: CheckIn, request: Request, device: dict = Depends(KIOSKS)):
    return respond(await request.app.state.hub.check_in(body.request_id, device, code=body.code, phone=body.phone,
                                                        id_number=body.id_number))


# ---- the hall ---------------------------------------------------------------------------------
@router.post("/notice", tags=["hall"], responses=COMMAND)
async def set_notice(body: Notice, request: Request, device: dict = Depends(CONSOLE)):
    return respond(await request.app.state.hub.set_notice(body.request_id, device, body.notice))


@router.post("/devices/me/status", tags=["devices"], responses=COMMAND)
async def device_status(body: DeviceStatus, request: Request, device: dict = Depends(ANY_DEVICE)):
    return respond(await request.app.state.hub.report_device_status(body.request_id, device, body.fault))


class PairCode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=12)


@router.post("/pair", tags=["devices"], responses=errors(400, 413, 422, 429))
async def pair(body: PairCode, request: Request):
    """A new device trades the console's 6-digit code for its token (no token needed to ask)."""
    device, token = request.app.state.hub.pair_device(body.code.strip(), client_address(request))
    return {"token": token, "device": {k: device[k] for k in ("id", "name", "role", "window_id")},
            **_hall_ca(request)}


def _hall_ca(request: Request) -> dict:
    tls = request.app.state.tls
    return {"ca_pem": tls.ca_pem, "ca_fingerprint": tls.fingerprint} if tls else {}


@router.get("/pair/ca", tags=["devices"], responses=errors(404))
async def hall_ca(request: Request):
    """The hall CA a device pins before it sends a pairing code (public: a CA certificate is no secret)."""
    answer = _hall_ca(request)
    if not answer:
        raise ApiError(404, "NOT_FOUND", detail="this hub serves no TLS")
    return answer
