"""Commands: POSTs that change the hall. Each carries a request_id; a repeat gets the first answer."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..core.model import Appointment
from ..core.vocabulary import mask_name, mask_phone
from ..messages import error_body
from ..protocol import (Book, CheckIn, DeviceStatus, IssueTicket, Login, Notice, Pause, Plain, Role, Transfer)
from .auth import check_window, require

router = APIRouter()

KIOSKS = require(Role.KIOSK, Role.CONSOLE)
CALLERS = require(Role.CALLER, Role.CONSOLE)
CONSOLE = require(Role.CONSOLE)
ANY_DEVICE = require(Role.KIOSK, Role.CALLER, Role.DISPLAY, Role.CONSOLE)


def respond(status: int, body: dict) -> JSONResponse:
    if status == 200:
        return JSONResponse(body)
    err = body["error"]
    return JSONResponse(error_body(err["code"], err.get("params")), status_code=status)


def _run(request: Request, body, device: dict, decide, render) -> JSONResponse:
    hub = request.app.state.hub
    return respond(*hub.run(body.request_id, device["id"], decide, render))


def _ticket_result(hub, private: bool = False):
    return lambda r: {"ticket": hub.ticket_view(r["ticket"], private=private) if r.get("ticket") else None,
                      **({"requeued": r["requeued"]} if "requeued" in r else {})}


@router.post("/tickets", tags=["tickets"])
async def issue_ticket(body: IssueTicket, request: Request, device: dict = Depends(KIOSKS)):
    hub = request.app.state.hub
    holder = body.holder.model_dump(mode="json") if body.holder else None
    token = hub.new_token()

    def decide(now):
        return hub.hall.issue(now, body.service_id, token, priority_reason=body.priority_reason,
                              holder=holder, device=device["name"])

    return _run(request, body, device, decide, _ticket_result(hub, private=True))


@router.post("/tickets/{ticket_id}/cancel", tags=["tickets"])
async def cancel_ticket(ticket_id: int, body: Plain, request: Request, device: dict = Depends(KIOSKS)):
    hub = request.app.state.hub
    return _run(request, body, device, lambda now: hub.hall.cancel(now, ticket_id), _ticket_result(hub))


def _window_command(name: str, body_type, call):
    async def endpoint(window_id: int, body: body_type, request: Request, device: dict = Depends(CALLERS)):  # type: ignore[valid-type]
        check_window(device, window_id)
        hub = request.app.state.hub

        def render(result):
            out = _ticket_result(hub)(result) if "ticket" in result else {}
            if "window" in result:
                out["window"] = result["window"].to_dict()
            return out

        return _run(request, body, device, lambda now: call(hub.hall, now, window_id, body), render)

    # Annotations are strings under `from __future__ import annotations`; FastAPI needs the real body type.
    endpoint.__annotations__.update(window_id=int, body=body_type, request=Request, device=dict)
    endpoint.__name__ = name.replace("-", "_")
    router.post(f"/windows/{{window_id}}/{name}", tags=["windows"], name=name)(endpoint)


_window_command("login", Login, lambda hall, now, w, b: hall.login(now, w, b.clerk_id, b.pin))
_window_command("logout", Plain, lambda hall, now, w, b: hall.logout(now, w))
_window_command("call-next", Plain, lambda hall, now, w, b: hall.call_next(now, w))
_window_command("recall", Plain, lambda hall, now, w, b: hall.recall(now, w))
_window_command("serve", Plain, lambda hall, now, w, b: hall.serve(now, w))
_window_command("finish", Plain, lambda hall, now, w, b: hall.finish(now, w))
_window_command("no-show", Plain, lambda hall, now, w, b: hall.no_show(now, w))
_window_command("transfer", Transfer,
                lambda hall, now, w, b: hall.transfer(now, w, service_id=b.service_id, to_window=b.to_window))
_window_command("pause", Pause, lambda hall, now, w, b: hall.pause(now, w, b.reason))
_window_command("resume", Plain, lambda hall, now, w, b: hall.resume(now, w))


def _appointment_view(a: Appointment) -> dict:
    return {k: v for k, v in a.to_dict().items() if k not in ("phone_hash", "id_hash")}


@router.post("/appointments", tags=["appointments"])
async def book(body: Book, request: Request, device: dict = Depends(KIOSKS)):
    hub = request.app.state.hub
    appointment_id, code = hub.new_appointment_ids()
    tz = hub.config.tz
    start = body.slot_start if body.slot_start.tzinfo else body.slot_start.replace(tzinfo=tz)
    end = body.slot_end if body.slot_end.tzinfo else body.slot_end.replace(tzinfo=tz)
    phone_masked = mask_phone(body.phone) if body.phone else None
    name_masked = mask_name(body.name)

    def decide(now):
        return hub.hall.book(now, appointment_id, code, body.service_id, start.astimezone(tz), end.astimezone(tz),
                             name_masked=name_masked, phone_hash=hub.hash_personal(body.phone) if body.phone else None,
                             phone_masked=phone_masked, id_hash=body.id_hash)

    return _run(request, body, device, decide, lambda r: {"appointment": _appointment_view(r["appointment"])})


@router.post("/appointments/check-in", tags=["appointments"])
async def check_in(body: CheckIn, request: Request, device: dict = Depends(KIOSKS)):
    hub = request.app.state.hub
    token = hub.new_token()
    match = {"code": body.code, "phone_hash": hub.hash_personal(body.phone) if body.phone else None,
             "id_hash": body.id_hash}
    if not any(match.values()):
        return JSONResponse(error_body("APPOINTMENT_CONTACT"), status_code=422)

    def decide(now):
        return hub.hall.check_in(now, token, device=device["name"], **match)

    def render(r):
        return {**_ticket_result(hub, private=True)(r), "appointment": _appointment_view(r["appointment"])}

    return _run(request, body, device, decide, render)


@router.post("/notice", tags=["hall"])
async def set_notice(body: Notice, request: Request, device: dict = Depends(CONSOLE)):
    hub = request.app.state.hub
    return _run(request, body, device, lambda now: hub.hall.set_notice(now, body.notice), lambda r: r)


@router.post("/devices/me/status", tags=["devices"])
async def device_status(body: DeviceStatus, request: Request, device: dict = Depends(ANY_DEVICE)):
    hub = request.app.state.hub
    label = f"{device['id']}:{device['name']}"
    return _run(request, body, device, lambda now: hub.hall.device_status(now, label, body.fault), lambda r: r)
