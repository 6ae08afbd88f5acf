"""The manager's console: its page, sign-in, live overview, devices and pairing, hall edits,
accounts, locked clerks, audit.

Each route parses, authorises (by the person's role: access.py) and calls one use case of the hub
(hub/app/console.py, accounts.py, devices.py, clerks.py)."""
from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ..api.auth import CONSOLE, ApiError, client_address
from ..api.params import COMMAND, SIGNED, DeviceId, errors
from ..api.web import page
from ..app.accounts import AccountRole
from ..protocol import API_PREFIX, Id, Role
from .access import ADMIN, SUPERVISOR, VIEWER

router = APIRouter()
BASE = f"{API_PREFIX}/console"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignIn(_Body):
    user: str = Field(default="admin", max_length=40)
    password: str = Field(max_length=200)


class NewUser(_Body):
    name: str = Field(min_length=1, max_length=40)
    role: AccountRole
    password: str = Field(max_length=200)


class NewPassword(_Body):
    password: str = Field(max_length=200)


class PairingRequest(_Body):
    role: Role
    name: str = Field(min_length=1, max_length=40)
    window_id: Id | None = None


class NoticeText(_Body):
    notice: str = Field(max_length=500)


class MoveTickets(_Body):
    ticket_ids: list[Id] = Field(min_length=1, max_length=500)
    service_id: str | None = Field(default=None, max_length=64)
    to_window: Id | None = None


class ConsoleSettings(_Body):
    alert_wait_minutes: int = Field(ge=5, le=240)


class HallInfoEdit(_Body):
    name: str | None = Field(default=None, min_length=1, max_length=60)
    name_en: str | None = Field(default=None, max_length=80)
    notice: str | None = Field(default=None, max_length=500)


# ---- the page -------------------------------------------------------------------------------
@router.get("/console", include_in_schema=False)
async def console_page():
    return page("console.html")


# ---- sign-in --------------------------------------------------------------------------------
@router.post(f"{BASE}/login", tags=["console"], responses=errors(401, 409, 413, 422, 429))
async def login(body: SignIn, request: Request):
    return await request.app.state.hub.console_login(body.user, body.password, client_address(request))


@router.post(f"{BASE}/logout", tags=["console"], responses=SIGNED)
async def logout(request: Request, device: dict = Depends(CONSOLE)):
    return request.app.state.hub.console_logout(device)


@router.get(f"{BASE}/session", tags=["console"], responses=SIGNED)
async def whoami(device: dict = Depends(VIEWER)):
    """Who is signed in, with which role (the page hides what the role cannot do)."""
    return {"user": device["user"] or device["name"], "role": device["user_role"]}


# ---- the live hall --------------------------------------------------------------------------
@router.get(f"{BASE}/overview", tags=["console"], responses=SIGNED)
async def hall_overview(request: Request, device: dict = Depends(VIEWER)):
    return request.app.state.hub.console_overview()


@router.put(f"{BASE}/settings", tags=["console"], responses=SIGNED)
async def console_settings(body: ConsoleSettings, request: Request, device: dict = Depends(ADMIN)):
    return request.app.state.hub.set_alert_minutes(device["name"], body.alert_wait_minutes)


@router.post(f"{BASE}/notice", tags=["console"], responses=COMMAND)
async def notice(body: NoticeText, request: Request, device: dict = Depends(SUPERVISOR)):
    return await request.app.state.hub.set_console_notice(device, body.notice)


@router.post(f"{BASE}/tickets/move", tags=["console"], responses=COMMAND)
async def move_tickets(body: MoveTickets, request: Request, device: dict = Depends(SUPERVISOR)):
    """Move waiting tickets (e.g. a stranded alert's) to one window or another service, in one action."""
    return await request.app.state.hub.move_tickets(device, body.ticket_ids, service_id=body.service_id,
                                                    to_window=body.to_window)


# ---- devices and pairing --------------------------------------------------------------------
@router.get(f"{BASE}/devices", tags=["console"], responses=SIGNED)
async def device_list(request: Request, device: dict = Depends(ADMIN)):
    return {**request.app.state.hub.device_list(), "me": device["id"]}


@router.post(f"{BASE}/devices/{{device_id}}/revoke", tags=["console"], responses=errors(401, 403, 404, 413, 422))
async def revoke(device_id: DeviceId, request: Request, device: dict = Depends(ADMIN)):
    return {"device": request.app.state.hub.revoke_device(device["name"], device_id)}


@router.post(f"{BASE}/pairing-codes", tags=["console"], responses=SIGNED)
async def new_pairing_code(body: PairingRequest, request: Request, device: dict = Depends(ADMIN)):
    made = request.app.state.hub.create_pairing_code(device["name"], body.role, body.name.strip(), body.window_id)
    tls = request.app.state.tls  # the installer checks it on the device (--fingerprint) before the code is sent
    return {**made, "ca_fingerprint": tls.fingerprint if tls else ""}


# ---- the hall's layout ----------------------------------------------------------------------
@router.get(f"{BASE}/config", tags=["console"], responses=SIGNED)
async def get_config(request: Request, device: dict = Depends(ADMIN)):
    return request.app.state.hub.hall_layout()


@router.put(f"{BASE}/config/hall", tags=["console"], responses=COMMAND)
async def put_hall(body: HallInfoEdit, request: Request, device: dict = Depends(ADMIN)):
    return await request.app.state.hub.edit_hall_info(device["name"], body.model_dump(exclude_none=True))


@router.put(f"{BASE}/config/{{section}}/{{key}}", tags=["console"], responses=COMMAND)
async def put_item(section: str, key: str, request: Request, item: dict = Body(...),
                   device: dict = Depends(ADMIN)):
    return await request.app.state.hub.edit_hall_item(device["name"], section, key, item)


@router.delete(f"{BASE}/config/{{section}}/{{key}}", tags=["console"], responses=COMMAND)
async def delete_item(section: str, key: str, request: Request, device: dict = Depends(ADMIN)):
    return await request.app.state.hub.delete_hall_item(device["name"], section, key)


# ---- audit ----------------------------------------------------------------------------------
@router.get(f"{BASE}/audit", tags=["console"], responses=SIGNED)
async def audit(request: Request, limit: int = Query(200, ge=1, le=1000), device: dict = Depends(SUPERVISOR)):
    return {"entries": request.app.state.hub.audit_log(limit)}


# ---- clerks locked after wrong PINs ---------------------------------------------------------
@router.post(f"{BASE}/clerks/{{clerk_id}}/unlock", tags=["console"], responses=errors(401, 403, 404, 413, 422))
async def unlock_clerk(clerk_id: str, request: Request, device: dict = Depends(SUPERVISOR)):
    return request.app.state.hub.unlock_clerk(device["name"], clerk_id)


# ---- accounts -------------------------------------------------------------------------------
@router.get(f"{BASE}/users", tags=["console"], responses=SIGNED)
async def users(request: Request, device: dict = Depends(ADMIN)):
    return request.app.state.hub.user_list()


@router.post(f"{BASE}/users", tags=["console"], responses=errors(401, 403, 413, 422))
async def add_user(body: NewUser, request: Request, device: dict = Depends(ADMIN)):
    return {"user": request.app.state.hub.add_user(device["name"], body.name, body.role.value, body.password)}


@router.post(f"{BASE}/users/{{name}}/disable", tags=["console"], responses=errors(401, 403, 404, 409, 413, 422))
async def disable_user(name: str, request: Request, device: dict = Depends(ADMIN)):
    if name == device["user"]:
        raise ApiError(409, "USER_SELF")
    return {"user": request.app.state.hub.disable_user(device["name"], name)}


@router.post(f"{BASE}/users/{{name}}/reset", tags=["console"], responses=errors(401, 403, 404, 413, 422))
async def reset_user(name: str, body: NewPassword, request: Request, device: dict = Depends(ADMIN)):
    return {"user": request.app.state.hub.reset_user(device["name"], name, body.password)}
