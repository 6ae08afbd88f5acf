"""Who may do what in the console: admin > supervisor > viewer, checked on every route."""
from __future__ import annotations

from fastapi import Depends

from ..api.auth import CONSOLE, ApiError
from ..app.accounts import AccountRole, may, refusal_params


def at_least(needed: AccountRole):
    async def dependency(device: dict = Depends(CONSOLE)) -> dict:
        if not may(device.get("user_role"), needed):
            raise ApiError(403, "ROLE_FORBIDDEN", **refusal_params(device.get("user_role"), needed))
        return device

    return dependency


VIEWER = at_least(AccountRole.VIEWER)
SUPERVISOR = at_least(AccountRole.SUPERVISOR)
ADMIN = at_least(AccountRole.ADMIN)
