"""Device tokens and roles: a display cannot call; a caller only acts for its own window."""
from __future__ import annotations

from fastapi import Request

from ..app.accounts import AccountRole, refusal_params
from ..protocol import Role


class ApiError(Exception):
    def __init__(self, status: int, code: str, **params):
        self.status, self.code, self.params = status, code, params


def token_of(request_headers, query) -> str | None:
    auth = request_headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return query.get("token")


def device_for(hub, token: str | None) -> dict:
    device = hub.device_for_token(token)
    if device is None:
        raise ApiError(401, "UNAUTHORIZED")
    return device


def require(*roles: Role):
    allowed = {r.value for r in roles}

    async def dependency(request: Request) -> dict:  # async: runs on the loop, never beside a command
        hub = request.app.state.hub
        device = device_for(hub, token_of(request.headers, request.query_params))
        if device["role"] not in allowed:
            raise ApiError(403, "FORBIDDEN", role=device["role"])
        # A viewer's console session only looks: no command through the device routes either
        # (the console's own routes check each role themselves).
        if (device.get("user_role") == AccountRole.VIEWER and request.method != "GET"
                and "/console/" not in request.url.path):
            raise ApiError(403, "ROLE_FORBIDDEN", **refusal_params(AccountRole.VIEWER, AccountRole.SUPERVISOR))
        return device

    return dependency


def check_window(device: dict, window_id: int) -> None:
    if device["role"] == Role.CALLER and device["window_id"] != window_id:
        raise ApiError(403, "WRONG_WINDOW", own=device["window_id"])


def client_address(request) -> str:
    return request.client.host if request.client else "unknown"


KIOSKS = require(Role.KIOSK, Role.CONSOLE)
CALLERS = require(Role.CALLER, Role.CONSOLE)
EVALUATORS = require(Role.CALLER, Role.CONSOLE)
CONSOLE = require(Role.CONSOLE)
ANY_DEVICE = require(Role.KIOSK, Role.CALLER, Role.DISPLAY, Role.CONSOLE)
