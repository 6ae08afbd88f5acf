"""Devices: pairing (a 6-digit code from the console, or a token printed by `hallq hub pair`),
revoking, and the list the console shows with who is online.

A code is good once and for ten minutes, so a code read over an installer's shoulder is
worthless soon after; wrong codes are rate-limited per address, and every wrong code from any
address counts against each live code: a code dies after five, so forty addresses cannot share
the guessing of a million codes.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from ..core.errors import DomainError, invalid, not_found
from ..protocol import Role
from .accounts import Throttle

CODE_LIFETIME = timedelta(minutes=10)
CODE_WRONG_TRIES = 5


class DeviceUseCases:
    pair_throttle: Throttle

    def device_for_token(self, token: str | None) -> dict | None:
        """The device behind a token; a console sign-in also carries its person and role, and is
        None once its session has ended or expired."""
        device = self.store.device_for_token(token) if token else None
        if device is not None and device["role"] == Role.CONSOLE:
            return self.session_for(device)
        return device

    def _check_pairing_window(self, role: str, window_id: int | None) -> int | None:
        if role != Role.CALLER:
            return None
        if window_id is None or self.config.window(window_id) is None:
            raise invalid("PAIRING_WINDOW")
        return window_id

    def pair_device_directly(self, role: Role, name: str, window_id: int | None = None) -> tuple[dict, str]:
        """Pair a device on the hub's own machine (`hallq hub pair`, tests, the demo): its token at once."""
        window_id = self._check_pairing_window(role, window_id)
        return self.store.add_device(name, str(role), window_id, self.stamp())

    def create_pairing_code(self, actor: str, role: Role, name: str, window_id: int | None) -> dict:
        window_id = self._check_pairing_window(role, window_id)
        now = self.now()
        expires = (now + CODE_LIFETIME).isoformat(timespec="seconds")
        code = self.store.add_pairing_code(lambda: f"{secrets.randbelow(1_000_000):06d}", str(role), name, window_id,
                                           expires_at=expires, now=self.stamp())
        self.store.audit(self.stamp(), actor, "pairing.created", {"role": str(role), "name": name, "window": window_id})
        return {"code": code, "role": str(role), "name": name, "window_id": window_id, "expires_at": expires}

    def pair_device(self, code: str, address: str) -> tuple[dict, str]:
        """Trade a code for a new device and its token; the code is used up as it is read."""
        now = self.now()
        self.pair_throttle.check(address, now, "PAIRING_LOCKED")
        found = self.store.take_pairing_code(code, self.stamp()) if code.isdigit() and len(code) == 6 else None
        if not found:
            died = self.store.spoil_pairing_codes(self.stamp(), CODE_WRONG_TRIES)
            if died:
                self.store.audit(self.stamp(), address, "pairing.codes_spoiled", {"count": died, "address": address})
            self.pair_throttle.fail(address, now, "PAIRING_LOCKED")
            raise DomainError("PAIRING_CODE_INVALID", status=400)
        self.pair_throttle.succeed(address)
        device, token = self.store.add_device(found["name"], found["role"], found["window_id"], self.stamp())
        self.store.audit(self.stamp(), found["name"], "device.paired",
                         {"device": device["id"], "role": found["role"], "name": found["name"],
                          "window": found["window_id"], "address": address})
        return device, token

    def revoke_device(self, actor: str, device_id: int) -> dict:
        target = self.store.device(device_id)
        if target is None:
            raise not_found("DEVICE_NOT_FOUND")
        if self.store.revoke_device(device_id, self.stamp()):
            self.store.audit(self.stamp(), actor, "device.revoked",
                             {"device": device_id, "name": target["name"], "role": target["role"]})
        self._disconnect_device(device_id)
        return {k: v for k, v in self.store.device(device_id).items() if k != "token_hash"}

    def device_list(self) -> dict:
        """Paired devices with their live connection state (signed-out console sessions left out),
        and the pairing codes not yet used."""
        links = self.device_links()
        faults = self.hall.state.device_faults
        sessions = self.store.session_ids()
        out = []
        for d in self.store.devices():
            is_session = d["id"] in sessions
            if is_session and d["revoked_at"]:
                continue
            link = links.get(d["id"], {})
            fault = faults.get(f"{d['id']}:{d['name']}")
            out.append({**d, "online": link.get("connections", 0) > 0, "connections": link.get("connections", 0),
                        "last_seen": link.get("last_seen") or d.get("last_seen"),
                        "ever_connected": bool(link.get("last_seen")), "session": is_session,
                        "fault": fault["fault"] if fault else None})
        return {"devices": out, "pairing_codes": self.store.pairing_codes(self.stamp())}
