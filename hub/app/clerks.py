"""Clerks' PINs: five wrong PINs within ten minutes lock that clerk until a supervisor unlocks
them in the console. The lock lives in the database, so it outlives a restart of the hub."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from ..core.errors import DomainError, not_found

PIN_TRIES = 5
PIN_WINDOW = timedelta(minutes=10)

Answer = tuple[int, dict]


class ClerkLockouts:
    async def login(self, request_id: str, device: dict, window_id: int, clerk_id: str, pin: str) -> Answer:
        # A repeat gets the first answer, even if the clerk has been locked since.
        seen = self._repeated(request_id, device["id"])
        if seen is not None:
            return await asyncio.shield(seen) if isinstance(seen, asyncio.Future) else seen
        if clerk_id in self.store.clerk_locks():
            return _refusal("CLERK_LOCKED", clerk=clerk_id)
        status, body = await super().login(request_id, device, window_id, clerk_id, pin)
        if status == 401 and body["error"]["code"] == "BAD_LOGIN" and self.config.clerk(clerk_id) is not None:
            now = self.now()
            failures = self.store.clerk_pin_failed(clerk_id, self.stamp(), (now - PIN_WINDOW).isoformat(timespec="seconds"))
            if failures >= PIN_TRIES:
                self.store.lock_clerk(clerk_id, self.stamp())
                self.store.audit(self.stamp(), device["name"], "clerk.locked", {"clerk": clerk_id, "window": window_id})
                return _refusal("CLERK_LOCKED", clerk=clerk_id)
        if status == 200:
            self.store.clear_clerk_failures(clerk_id)
        return status, body

    def locked_clerks(self) -> list[dict]:
        names = {c.id: c.name for c in self.config.clerks}
        return [{"clerk_id": cid, "name": names.get(cid, cid), "locked_at": at}
                for cid, at in self.store.clerk_locks().items()]

    def unlock_clerk(self, actor: str, clerk_id: str) -> dict:
        if not self.store.unlock_clerk(clerk_id):
            raise not_found("CLERK_NOT_LOCKED", clerk=clerk_id)
        self.store.audit(self.stamp(), actor, "clerk.unlocked", {"clerk": clerk_id})
        return {"locked_clerks": self.locked_clerks()}


def _refusal(code: str, **params) -> Answer:
    e = DomainError(code, status=423, **params)
    return e.status, {"error": {"code": e.code, "params": e.params}}
