"""Who may do what in the console: admin > supervisor > viewer, checked on every route."""
from __future__ import annotations

from fastapi import Depends

from ..api.auth import CONSOLE, ApiError
from ..app.accounts import ROLE_LABELS, AccountRole, may


def at_least(needed: AccountRole):
    async def dependency(device: dict = Depends(CONSOLE)) -> dict:
        role = device.get("user_role")
        if not may(role, needed):
            have = ROLE_LABELS.get(role, (role, role))
            raise ApiError(403, "ROLE_FORBIDDEN", role=role, need=needed.value, role_zh=have[0], role_en=have[1],
                           need_zh=ROLE_LABELS[needed.value][0], need_en=ROLE_LABELS[needed.value][1])
        return device

    return dependency


VIEWER = at_least(AccountRole.VIEWER)
SUPERVISOR = at_least(AccountRole.SUPERVISOR)
ADMIN = at_least(AccountRole.ADMIN)
