"""Named console accounts (admin, supervisor, viewer), their sign-in sessions, and the brakes on
guessing a password.

Passwords are kept as salted scrypt hashes (hub/passwords.py). Hashing is slow on purpose, so it runs in a small
thread pool of its own: a storm of wrong passwords queues there, never on the event loop where
kiosks' tickets are issued. Every attempt counts against three limits before any hashing (per
address, per account, hall-wide), so a storm is mostly refused at once.

A session is a console device row named for the person (so the device token machinery and
revocation apply, and every audit entry names the person) plus a `sessions` row with its
account, start and last activity. It ends on sign-out, when idle or too old (checked with the
hub's clock on every request and once a second for open event streams), or when the account is
disabled; ending it revokes the token and closes its event stream at once. Sessions are in the
database, so they outlive a restart of the hub, but their expiry still counts from the stored
times.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from ..core.errors import DomainError, invalid, not_found
from ..passwords import hash_password, verify_password

log = logging.getLogger("hallq.accounts")

_HASHING = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="password")
MIN_PASSWORD = 8
SWEEP_SECONDS = 1.0


class AccountRole(str, Enum):
    ADMIN = "admin"            # hall setup, pairing, accounts, and all a supervisor does
    SUPERVISOR = "supervisor"  # live hall, notice, 差评 follow-up, reports, unlocking clerks
    VIEWER = "viewer"          # live hall and reports

    def __str__(self) -> str:
        return self.value


RANK = {AccountRole.VIEWER: 0, AccountRole.SUPERVISOR: 1, AccountRole.ADMIN: 2}
ROLE_LABELS = {"admin": ("管理员", "administrator"), "supervisor": ("值班主任", "supervisor"),
               "viewer": ("只读查看", "viewer")}


def refusal_params(role: str | None, needed: AccountRole) -> dict:
    """The parameters of a ROLE_FORBIDDEN answer: the person's role and the one needed, named."""
    have = ROLE_LABELS.get(role or "", (role, role))
    return {"role": role, "need": needed.value, "role_zh": have[0], "role_en": have[1],
            "need_zh": ROLE_LABELS[needed.value][0], "need_en": ROLE_LABELS[needed.value][1]}


def may(role: str | None, needed: AccountRole) -> bool:
    try:
        return RANK[AccountRole(role)] >= RANK[needed]
    except ValueError:
        return False


# ---- password hashes: hub/passwords.py (shared with the region) --------------------------


async def off_loop(fn, *args):
    return await asyncio.get_running_loop().run_in_executor(_HASHING, fn, *args)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD or len(password) > 200:
        raise invalid("PASSWORD_SHORT", min=MIN_PASSWORD)


def check_user_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 40 or any(not c.isprintable() for c in name):
        raise invalid("USER_NAME")
    return name


# ---- limits on guessing ---------------------------------------------------------------------
class Throttle:
    """After `limit` attempts within `window` under one key (an address, an account, the hall),
    refuse it for `lock`. An attempt counts as it starts, so many at once cannot slip past the
    limit while their hashes are computed; a success clears its key. Times are the hub's clock."""

    def __init__(self, limit: int = 5, window: timedelta = timedelta(minutes=10),
                 lock: timedelta = timedelta(minutes=10)):
        self.limit, self.window, self.lock = limit, window, lock
        self.failures: dict[str, deque[datetime]] = {}
        self.locked_until: dict[str, datetime] = {}

    def check(self, key: str, now: datetime, code: str) -> None:
        until = self.locked_until.get(key)
        if until and now < until:
            raise DomainError(code, status=429, minutes=_minutes(until - now), at=until.strftime("%H:%M"))
        if until:
            self.locked_until.pop(key, None)
            self.failures.pop(key, None)

    def fail(self, key: str, now: datetime, code: str | None = None) -> None:
        """Record a failure (or an attempt); at the limit, lock the key and refuse with `code`."""
        recent = self.failures.setdefault(key, deque())
        recent.append(now)
        while recent and now - recent[0] > self.window:
            recent.popleft()
        if len(recent) >= self.limit:
            self.locked_until[key] = now + self.lock
            if code:
                raise DomainError(code, status=429, minutes=_minutes(self.lock),
                                  at=(now + self.lock).strftime("%H:%M"))

    def left(self, key: str) -> int:
        return max(0, self.limit - len(self.failures.get(key, ())))

    def succeed(self, key: str) -> None:
        self.failures.pop(key, None)


def _minutes(span: timedelta) -> int:
    return max(1, int(span.total_seconds() + 59) // 60)


@dataclass
class LoginLimits:
    """Sign-in attempts allowed in 10 minutes: per address, per account, and for the whole hall."""
    per_address: Throttle
    per_account: Throttle
    hall: Throttle

    @classmethod
    def default(cls) -> LoginLimits:
        return cls(Throttle(5), Throttle(10), Throttle(100))

    def check(self, address: str, account: str, now: datetime) -> None:
        """Refuse, saying when to retry, if any limit is reached."""
        self.per_address.check(address, now, "LOGIN_LOCKED")
        self.per_account.check(account, now, "LOGIN_ACCOUNT_LOCKED")
        self.hall.check("hall", now, "LOGIN_HALL_LOCKED")

    def admit(self, address: str, account: str, now: datetime) -> None:
        """Refuse at once (no hashing) if any limit is reached; else count this attempt."""
        self.check(address, account, now)
        self.per_address.fail(address, now)
        self.per_account.fail(account, now)
        self.hall.fail("hall", now)

    def succeeded(self, address: str, account: str) -> None:
        self.per_address.succeed(address)
        self.per_account.succeed(account)
        # The hall-wide count is not cleared: one right password must not reopen a storm.


# ---- the use cases --------------------------------------------------------------------------
class AccountUseCases:
    login_limits: LoginLimits
    session_idle: timedelta
    session_max: timedelta

    # accounts (from the CLI on the hub's machine, or an admin in the console)
    def add_user(self, actor: str, name: str, role: str, password: str) -> dict:
        name = check_user_name(name)
        role = AccountRole(role).value
        check_new_password(password)
        if self.store.user(name) is not None:
            raise invalid("USER_EXISTS", name=name)
        self.store.save_user(name, role, hash_password(password), self.stamp())
        self.store.audit(self.stamp(), actor, "user.added", {"name": name, "role": role})
        return self.user_view(name)

    def set_console_password(self, password: str, actor: str = "hallq hub set-password") -> None:
        """The old single password, kept for one release: it creates or updates the `admin` account."""
        check_new_password(password)
        created = self.store.save_user("admin", AccountRole.ADMIN.value, hash_password(password), self.stamp())
        self.store.audit(self.stamp(), actor, "user.added" if created else "user.reset", {"name": "admin"})

    def has_console_password(self) -> bool:
        return any(not u["disabled_at"] for u in self.store.users())

    def reset_user(self, actor: str, name: str, password: str) -> dict:
        check_new_password(password)
        if not self.store.set_user_password(name, hash_password(password)):
            raise not_found("USER_NOT_FOUND", name=name)
        self.store.audit(self.stamp(), actor, "user.reset", {"name": name})
        self.end_user_sessions(name, "reset")
        return self.user_view(name)

    def disable_user(self, actor: str, name: str) -> dict:
        if self.store.user(name) is None:
            raise not_found("USER_NOT_FOUND", name=name)
        if self.store.disable_user(name, self.stamp()):
            self.store.audit(self.stamp(), actor, "user.disabled", {"name": name})
        self.end_user_sessions(name, "disabled")
        return self.user_view(name)

    def user_view(self, name: str) -> dict:
        u = self.store.user(name)
        return {k: u[k] for k in ("name", "role", "created_at", "disabled_at")}

    def user_list(self) -> dict:
        return {"users": self.store.users()}

    # sign-in and sessions
    async def console_login(self, name: str, password: str, address: str) -> dict:
        """Check the account's password off the event loop, within the limits, and open a session."""
        name = name.strip()[:40]
        if not self.has_console_password():
            raise DomainError("NO_PASSWORD")
        self.login_limits.admit(address, name, self.now())
        user = self.store.user(name)
        ok = await off_loop(verify_password, user["password"] if user else None, password)
        if not ok or user["disabled_at"]:
            self.store.audit(self.stamp(), name, "console.login_failed", {"address": address})
            self.login_limits.check(address, name, self.now())  # this try used up a limit: say until when
            raise DomainError("LOGIN_FAILED", status=401, left=self.login_limits.per_address.left(address))
        self.login_limits.succeeded(address, name)
        device, token = self.store.open_session(name, address, self.stamp())
        self.store.audit(self.stamp(), name, "console.login", {"address": address, "device": device["id"]})
        self._start_session_sweeper()
        return {"token": token, "user": {"name": name, "role": user["role"]},
                "device": {k: device[k] for k in ("id", "name", "role")}}

    def console_logout(self, device: dict) -> dict:
        if self.store.end_session(device["id"], self.stamp(), "logout"):
            self.store.audit(self.stamp(), device["name"], "console.logout", {"device": device["id"]})
        else:  # a console device paired by code: signing out revokes it
            self.store.revoke_device(device["id"], self.stamp())
        self._disconnect_device(device["id"])
        return {"ok": True}

    def session_for(self, device: dict) -> dict | None:
        """The device as a signed-in person (with `user` and `user_role`), or None once the session
        has ended or expired; an installer's paired console device has no session and acts as admin."""
        session = self.store.session(device["id"])
        if session is None:
            return {**device, "user": None, "user_role": AccountRole.ADMIN.value}
        self._start_session_sweeper()
        why = self._expired(session, self.now())
        if why:
            self._end_session(session, why)
            return None
        now = self.now()
        if now - datetime.fromisoformat(session["last_seen"]) >= timedelta(seconds=30):
            self.store.touch_session(device["id"], self.stamp())
        return {**device, "user": session["user"], "user_role": session["role"]}

    def _expired(self, session: dict, now: datetime) -> str | None:
        if session["ended_at"]:
            return "ended"
        if session["disabled_at"] or session["role"] is None:
            return "disabled"
        if now - datetime.fromisoformat(session["created_at"]) >= self.session_max:
            return "expired"
        if now - datetime.fromisoformat(session["last_seen"]) >= self.session_idle:
            return "idle"
        return None

    def _end_session(self, session: dict, why: str) -> None:
        if why != "ended" and self.store.end_session(session["device_id"], self.stamp(), why):
            self.store.audit(self.stamp(), session["user"], f"console.session_{why}", {"device": session["device_id"]})
        self._disconnect_device(session["device_id"])

    def end_user_sessions(self, name: str, why: str) -> None:
        for s in self.store.live_sessions():
            if s["user"] == name:
                self._end_session(s, why)

    def expire_sessions(self) -> None:
        """End every session past its time or whose account was disabled (maybe by the CLI)."""
        now = self.now()
        for s in self.store.live_sessions():
            why = self._expired({**s, "ended_at": None}, now)
            if why:
                self._end_session(s, why)
        # A session ended by another process (`hallq hub user disable`) may still stream here.
        for device_id, streams in list(self.links.items()):
            if streams:
                session = self.store.session(device_id)
                if session and session["ended_at"]:
                    self._disconnect_device(device_id)

    def _start_session_sweeper(self) -> None:
        """Open event streams make no requests, so once a second the sessions are checked anew."""
        if getattr(self, "_sweeper", None) is not None and not self._sweeper.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not on the server's loop (the CLI, a sync test): requests still check expiry
        self._sweeper = loop.create_task(self._sweep_sessions())

    async def _sweep_sessions(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                self.expire_sessions()
            except Exception:  # e.g. the store closed as the hub stops
                log.debug("session sweep failed", exc_info=True)
                return
