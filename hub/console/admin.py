"""The manager's console: its page, sign-in, live overview, devices and pairing, hall edits, audit."""
from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from ..api.auth import ApiError, require
from ..protocol import API_PREFIX, Role
from . import auth, hallconfig, overview, pairing
from .routes import STATIC

router = APIRouter()
CONSOLE = require(Role.CONSOLE)
BASE = f"{API_PREFIX}/console"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignIn(_Body):
    password: str = Field(max_length=200)


class PairingRequest(_Body):
    role: str = Field(pattern=r"^(kiosk|caller|display|console)$")
    name: str = Field(min_length=1, max_length=40)
    window_id: int | None = None


class PairCode(_Body):
    code: str = Field(max_length=12)


class NoticeText(_Body):
    notice: str = Field(max_length=500)


class ConsoleSettings(_Body):
    alert_wait_minutes: int = Field(ge=5, le=240)


class HallInfoEdit(_Body):
    name: str | None = Field(default=None, min_length=1, max_length=60)
    name_en: str | None = Field(default=None, max_length=80)
    notice: str | None = Field(default=None, max_length=500)


def _now(hub) -> str:
    return hub.now().isoformat(timespec="seconds")


# ---- the page -------------------------------------------------------------------------------
@router.get("/console", include_in_schema=False)
async def console_page():
    return FileResponse(STATIC / "console.html", headers={"Cache-Control": "no-cache"})


# ---- sign-in --------------------------------------------------------------------------------
@router.post(f"{BASE}/login", tags=["console"])
async def login(body: SignIn, request: Request):
    return auth.sign_in(request.app.state.hub, body.password, auth.client_address(request))


@router.post(f"{BASE}/logout", tags=["console"])
async def logout(request: Request, device: dict = Depends(CONSOLE)):
    hub = request.app.state.hub
    hub.store.revoke_device(device["id"], _now(hub))
    hub.store.audit(_now(hub), device["name"], "console.logout", {"device": device["id"]})
    return {"ok": True}


# ---- the live hall --------------------------------------------------------------------------
@router.get(f"{BASE}/overview", tags=["console"])
async def hall_overview(request: Request, device: dict = Depends(CONSOLE)):
    return overview.overview(request.app.state.hub)


@router.put(f"{BASE}/settings", tags=["console"])
async def console_settings(body: ConsoleSettings, request: Request, device: dict = Depends(CONSOLE)):
    hub = request.app.state.hub
    hub.store.set_setting(overview.ALERT_KEY, str(body.alert_wait_minutes))
    hub.store.audit(_now(hub), device["name"], "console.settings", body.model_dump())
    return {"alert_minutes": body.alert_wait_minutes}


@router.post(f"{BASE}/notice", tags=["console"])
async def notice(body: NoticeText, request: Request, device: dict = Depends(CONSOLE)):
    hub = request.app.state.hub
    status, result = hub.run(None, device["id"], lambda now: hub.hall.set_notice(now, body.notice), lambda r: r)
    if status != 200:
        raise ApiError(status, result["error"]["code"], **(result["error"].get("params") or {}))
    hub.store.audit(_now(hub), device["name"], "notice.set", {"notice": body.notice})
    return result


# ---- devices and pairing --------------------------------------------------------------------
@router.get(f"{BASE}/devices", tags=["console"])
async def device_list(request: Request, device: dict = Depends(CONSOLE)):
    hub = request.app.state.hub
    return {"devices": overview.devices(hub), "pairing_codes": pairing.pending_codes(hub), "me": device["id"]}


@router.post(f"{BASE}/devices/{{device_id}}/revoke", tags=["console"])
async def revoke(device_id: int, request: Request, device: dict = Depends(CONSOLE)):
    hub = request.app.state.hub
    target = hub.store.device(device_id)
    if target is None:
        raise ApiError(404, "DEVICE_NOT_FOUND")
    if hub.store.revoke_device(device_id, _now(hub)):
        hub.store.audit(_now(hub), device["name"], "device.revoked",
                        {"device": device_id, "name": target["name"], "role": target["role"]})
    hub.disconnect_device(device_id)
    return {"device": {k: v for k, v in hub.store.device(device_id).items() if k != "token_hash"}}


@router.post(f"{BASE}/pairing-codes", tags=["console"])
async def new_pairing_code(body: PairingRequest, request: Request, device: dict = Depends(CONSOLE)):
    hub = request.app.state.hub
    made = pairing.create_code(hub, body.role, body.name.strip(), body.window_id)
    hub.store.audit(_now(hub), device["name"], "pairing.created",
                    {"role": made["role"], "name": made["name"], "window": made["window_id"]})
    return made


@router.post(f"{API_PREFIX}/pair", tags=["devices"])
async def pair(body: PairCode, request: Request):
    """A new device trades the console's 6-digit code for its token (no token needed to ask)."""
    device, token = pairing.redeem(request.app.state.hub, body.code.strip(), auth.client_address(request))
    return {"token": token, "device": {k: device[k] for k in ("id", "name", "role", "window_id")}}


# ---- the hall's layout ----------------------------------------------------------------------
@router.get(f"{BASE}/config", tags=["console"])
async def get_config(request: Request, device: dict = Depends(CONSOLE)):
    return hallconfig.public_config(request.app.state.hub.config)


@router.put(f"{BASE}/config/hall", tags=["console"])
async def put_hall(body: HallInfoEdit, request: Request, device: dict = Depends(CONSOLE)):
    return hallconfig.set_hall_info(request.app.state.hub, body.model_dump(exclude_none=True), device["name"])


@router.put(f"{BASE}/config/{{section}}/{{key}}", tags=["console"])
async def put_item(section: str, key: str, request: Request, item: dict = Body(...),
                   device: dict = Depends(CONSOLE)):
    return hallconfig.save_item(request.app.state.hub, section, key, item, device["name"])


@router.delete(f"{BASE}/config/{{section}}/{{key}}", tags=["console"])
async def delete_item(section: str, key: str, request: Request, device: dict = Depends(CONSOLE)):
    return hallconfig.delete_item(request.app.state.hub, section, key, device["name"])


# ---- audit ----------------------------------------------------------------------------------
@router.get(f"{BASE}/audit", tags=["console"])
async def audit(request: Request, limit: int = 200, device: dict = Depends(CONSOLE)):
    return {"entries": request.app.state.hub.store.audit_log(limit=max(1, min(limit, 1000)))}
