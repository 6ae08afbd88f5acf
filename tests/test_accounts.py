"""Named console accounts against a real hub: roles, sessions that expire and close their event
stream, login limits per address / account / hall, and the password storm not slowing kiosks.

Several addresses are real: the hub listens on 127.0.0.1 and each client connects from its own
127.0.0.x source address, so the hub sees them as different computers."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parent.parent
ADMIN, SUPERVISOR, VIEWER = "王管理", "李值班", "赵查看"
PASSWORDS = {ADMIN: "admin-pass-1", SUPERVISOR: "super-pass-2", VIEWER: "viewer-pass-3"}


@pytest.fixture
def staff(hub):
    service = hub.server.service
    for name, role in ((ADMIN, "admin"), (SUPERVISOR, "supervisor"), (VIEWER, "viewer")):
        service.add_user("test", name, role, PASSWORDS[name])
    return hub


def http(hub, address: str = "127.0.0.1") -> httpx.Client:
    """A client from one loopback address, trusting only this hall's CA."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address, verify=hub.ssl), timeout=30)


def login(hub, user: str, password: str | None = None, address: str = "127.0.0.1") -> httpx.Response:
    with http(hub, address) as c:
        return c.post(f"{hub.url}/api/v1/console/login", json={"user": user, "password": password or PASSWORDS[user]})


def token_of(hub, user: str) -> str:
    r = login(hub, user)
    assert r.status_code == 200, r.text
    return r.json()["token"]


def call(hub, token: str, method: str, path: str, body=None) -> httpx.Response:
    return httpx.request(method, f"{hub.url}/api/v1{path}", json=body, timeout=30,
                         headers={"Authorization": f"Bearer {token}"}, verify=hub.ssl)


class Stream:
    """A console's event stream, read in a thread until the hub closes it."""

    def __init__(self, hub, token: str):
        self._connection = connect(f"{hub.url.replace('http', 'ws')}/api/v1/events?since=0&token={token}",
                                   open_timeout=10, ssl=hub.ssl)
        self.ws = self._connection.__enter__()
        self.closed_with: int | None = None
        self.live = threading.Event()
        self.done = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.live.wait(10), "the stream never went live"

    def _read(self) -> None:
        try:
            while True:
                if '"live"' in str(self.ws.recv()):
                    self.live.set()
        except ConnectionClosed as e:
            self.closed_with = e.rcvd.code if e.rcvd else None
        finally:
            self.done.set()

    def wait_closed(self, timeout: float = 10) -> int | None:
        assert self.done.wait(timeout), "the hub did not close the stream"
        return self.closed_with

    def close(self) -> None:
        self._connection.__exit__(None, None, None)


# ---- roles ----------------------------------------------------------------------------------
def test_each_role_does_only_what_it_may_and_the_audit_names_the_person(staff):
    """Bad input: a viewer editing the hall, pairing, publishing a notice; a supervisor managing
    accounts or pairing: each refused with 403 and a message naming the role needed; nothing changes."""
    hub = staff
    viewer, supervisor, admin = token_of(hub, VIEWER), token_of(hub, SUPERVISOR), token_of(hub, ADMIN)
    for token in (viewer, supervisor, admin):
        assert call(hub, token, "GET", "/console/overview").status_code == 200
        assert call(hub, token, "GET", "/console/reports").status_code == 200
    assert call(hub, viewer, "GET", "/console/session").json() == {"user": VIEWER, "role": "viewer"}

    refused = call(hub, viewer, "PUT", "/console/config/hall", {"name": "改名大厅"})
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "ROLE_FORBIDDEN" and "只读查看" in body["message"] and "管理员" in body["message"]
    assert "viewer" in body["message_en"].lower()
    assert call(hub, viewer, "POST", "/console/pairing-codes", {"role": "kiosk", "name": "K"}).status_code == 403
    assert call(hub, viewer, "POST", "/console/notice", {"notice": "观众公告"}).status_code == 403
    assert call(hub, viewer, "GET", "/console/audit").status_code == 403
    # nor through the devices' routes a console may use
    assert call(hub, viewer, "POST", "/notice", {"request_id": "v1", "notice": "观众公告"}).status_code == 403
    assert call(hub, viewer, "POST", "/tickets", {"request_id": "v2", "service_id": "property"}).status_code == 403

    assert call(hub, supervisor, "POST", "/console/users", {"name": "新人", "role": "admin",
                                                            "password": "whatever-1"}).status_code == 403
    assert call(hub, supervisor, "POST", f"/console/users/{ADMIN}/disable").status_code == 403
    assert call(hub, supervisor, "POST", "/console/pairing-codes", {"role": "kiosk", "name": "K"}).status_code == 403
    assert call(hub, supervisor, "POST", "/console/notice", {"notice": "下午三点系统维护"}).status_code == 200

    assert call(hub, admin, "PUT", "/console/config/hall", {"name": "新大厅"}).status_code == 200
    added = call(hub, admin, "POST", "/console/users", {"name": "钱新", "role": "viewer", "password": "new-pass-99"})
    assert added.status_code == 200 and added.json()["user"]["role"] == "viewer"
    assert login(hub, "钱新", "new-pass-99").status_code == 200
    assert call(hub, viewer, "GET", "/hall").json()["hall"]["name"] == "新大厅"

    entries = call(hub, admin, "GET", "/console/audit").json()["entries"]
    actors = {e["action"]: e["actor"] for e in reversed(entries)}  # the newest of each action
    assert actors["notice.set"] == SUPERVISOR
    assert actors["config.hall.update"] == ADMIN and actors["user.added"] == ADMIN
    assert {e["actor"] for e in entries if e["action"] == "console.login"} >= {ADMIN, SUPERVISOR, VIEWER}
    assert not any(e["actor"].startswith("127.") for e in entries)


# ---- sessions -------------------------------------------------------------------------------
def test_a_session_ends_after_30_idle_minutes_and_after_12_hours_in_all(staff, clock):
    hub = staff
    token = token_of(hub, SUPERVISOR)
    clock.advance(minutes=29)
    assert call(hub, token, "GET", "/console/overview").status_code == 200
    clock.advance(minutes=29)  # 58 min after sign-in, 29 after the last use
    assert call(hub, token, "GET", "/console/overview").status_code == 200
    clock.advance(minutes=31)
    assert call(hub, token, "GET", "/console/overview").status_code == 401

    busy = token_of(hub, ADMIN)
    for _ in range(35):  # used every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert call(hub, busy, "GET", "/console/overview").status_code == 200
    clock.advance(minutes=20)
    assert call(hub, busy, "GET", "/console/overview").status_code == 401
    actions = [(e["actor"], e["action"]) for e in hub.server.service.audit_log(50)]
    assert (SUPERVISOR, "console.session_idle") in actions and (ADMIN, "console.session_expired") in actions


def test_sessions_outlive_a_restart_but_their_expiry_still_counts(staff, clock):
    hub = staff
    token = token_of(hub, VIEWER)
    clock.advance(minutes=20)
    hub.stop()
    hub.start()
    assert call(hub, token, "GET", "/console/overview").status_code == 200
    hub.stop()
    clock.advance(minutes=31)
    hub.start()
    assert call(hub, token, "GET", "/console/overview").status_code == 401


def test_logout_closes_the_sessions_event_stream_at_once(staff):
    hub = staff
    token = token_of(hub, ADMIN)
    stream = Stream(hub, token)
    other = Stream(hub, token_of(hub, SUPERVISOR))
    try:
        assert call(hub, token, "POST", "/console/logout", {}).status_code == 200
        assert stream.wait_closed() == 4401
        assert call(hub, token, "GET", "/console/overview").status_code == 401
        assert not other.done.is_set()  # another person's session is untouched
    finally:
        stream.close()
        other.close()


def test_an_idle_session_closes_its_open_stream_when_it_expires(staff, clock):
    hub = staff
    stream = Stream(hub, token_of(hub, VIEWER))
    try:
        clock.advance(minutes=31)
        assert stream.wait_closed() == 4401
    finally:
        stream.close()


def test_disabling_a_user_from_the_cli_closes_their_stream_in_the_running_hub(staff):
    """Bad input afterwards: the disabled person's password and old token; a user the CLI does not know."""
    hub = staff
    token = token_of(hub, SUPERVISOR)
    stream = Stream(hub, token)
    cli = [sys.executable, "-m", "hub.cli", "hub", "user"]
    try:
        done = subprocess.run(cli + ["disable", SUPERVISOR, "--db", str(hub.db_path)], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert stream.wait_closed() == 4401
        assert call(hub, token, "GET", "/console/overview").status_code == 401
        assert login(hub, SUPERVISOR).status_code == 401
        listed = subprocess.run(cli + ["list", "--db", str(hub.db_path)], cwd=ROOT, capture_output=True, text=True,
                                timeout=60)
        assert f"{SUPERVISOR}\tsupervisor\tdisabled" in listed.stdout and f"{VIEWER}\tviewer\tactive" in listed.stdout
        missing = subprocess.run(cli + ["reset", "nobody", "--password", "long-enough-1", "--db", str(hub.db_path)],
                                 cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert missing.returncode == 2 and "没有名为“nobody”的账号" in missing.stderr
    finally:
        stream.close()


def test_set_password_still_makes_an_admin_account(hub, tmp_path):
    db = tmp_path / "other.db"
    done = subprocess.run([sys.executable, "-m", "hub.cli", "hub", "set-password", "--password", "legacy-pass-1",
                           "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "admin" in done.stdout
    short = subprocess.run([sys.executable, "-m", "hub.cli", "hub", "user", "add", "x", "--role", "viewer",
                            "--password", "short", "--db", str(db)], cwd=ROOT, capture_output=True, text=True,
                           timeout=60)
    assert short.returncode == 2 and "密码至少 8 位" in short.stderr
    from hub.server import build_service

    service = build_service(db)
    try:
        assert [(u["name"], u["role"]) for u in service.user_list()["users"]] == [("admin", "admin")]
    finally:
        service.close()


# ---- login limits ---------------------------------------------------------------------------
def test_five_wrong_passwords_lock_that_address_only(staff):
    hub = staff
    for n in range(5):
        r = login(hub, ADMIN, "wrong-guess", address="127.0.0.2")
        assert r.status_code == (401 if n < 4 else 429)
    locked = login(hub, ADMIN, address="127.0.0.2")  # even the right password now
    assert locked.status_code == 429 and locked.json()["code"] == "LOGIN_LOCKED"
    assert "10 分钟后" in locked.json()["message"] and locked.json()["params"]["at"] == "09:40"
    assert login(hub, ADMIN, address="127.0.0.3").status_code == 200


def test_ten_wrong_passwords_for_one_account_lock_it_from_any_of_forty_addresses(staff, clock):
    hub = staff
    answers = [login(hub, ADMIN, "guess", address=f"127.0.1.{i}").status_code for i in range(1, 41)]
    assert answers[:9] == [401] * 9 and set(answers[9:]) == {429}  # 10 tries in all, not 200
    fresh = login(hub, ADMIN, address="127.0.2.1")
    assert fresh.status_code == 429 and fresh.json()["code"] == "LOGIN_ACCOUNT_LOCKED"
    assert "该账号" in fresh.json()["message"]
    assert login(hub, SUPERVISOR, address="127.0.1.1").status_code == 200  # other accounts sign in
    clock.advance(minutes=11)
    assert login(hub, ADMIN, address="127.0.2.1").status_code == 200


def test_a_hall_wide_limit_stops_a_spread_out_guessing_storm(staff):
    hub = staff
    statuses = []
    for i in range(100):  # 25 addresses x 4 tries, each at a different name: under every other limit
        statuses.append(login(hub, f"guess-{i}", "guess", address=f"127.0.3.{i % 25 + 1}").status_code)
    assert statuses[:99] == [401] * 99 and statuses[99] == 429
    refused = login(hub, ADMIN, address="127.0.4.1")
    assert refused.status_code == 429 and refused.json()["code"] == "LOGIN_HALL_LOCKED"
    assert refused.json()["params"]["minutes"] == 10


def test_a_storm_of_wrong_passwords_does_not_hold_up_kiosk_tickets(staff):
    """120 wrong passwords from 30 addresses at once; meanwhile a kiosk issues 20 tickets one after
    another. Every ticket is answered, and all of them before half the storm has been answered:
    the hashing waits in its own threads, not in front of the kiosk."""
    hub = staff
    kiosk = hub.pair("kiosk", "一楼取号机")
    answered: list[str] = []

    async def storm_one(client: httpx.AsyncClient, i: int) -> int:
        r = await client.post(f"{hub.url}/api/v1/console/login", json={"user": f"guess-{i}", "password": "nope"})
        answered.append("login")
        return r.status_code

    async def issue(client: httpx.AsyncClient) -> int:
        r = await client.post(f"{hub.url}/api/v1/tickets", headers={"Authorization": f"Bearer {kiosk}"},
                              json={"request_id": uuid.uuid4().hex, "service_id": "property"})
        answered.append("ticket")
        return r.status_code

    async def run():
        limits = httpx.Limits(max_connections=10)
        storm_clients = [httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=f"127.0.5.{a + 1}",
                                                                                 verify=hub.ssl),
                                           timeout=60, limits=limits) for a in range(30)]
        kiosk_client = httpx.AsyncClient(timeout=60, verify=hub.ssl)
        try:
            storm = [asyncio.ensure_future(storm_one(storm_clients[i % 30], i)) for i in range(120)]
            while "login" not in answered:  # the storm is under way
                assert not any(f.done() and f.exception() for f in storm), [f.exception() for f in storm if f.done()]
                await asyncio.sleep(0.01)
            tickets = [await issue(kiosk_client) for _ in range(20)]
            return tickets, await asyncio.gather(*storm)
        finally:
            for c in storm_clients + [kiosk_client]:
                await c.aclose()

    tickets, logins = asyncio.run(run())
    assert tickets == [200] * 20
    assert set(logins) <= {401, 429}
    hashed = [e for e in hub.server.service.audit_log(1000) if e["action"] == "console.login_failed"]
    assert len(hashed) == 100  # each checked in full until the hall-wide limit refused the rest at once
    last_ticket = max(i for i, kind in enumerate(answered) if kind == "ticket")
    assert answered[:last_ticket].count("login") < 60, answered


# ---- pairing codes --------------------------------------------------------------------------
def test_a_pairing_code_dies_after_five_wrong_tries_from_any_addresses(staff):
    """Bad input: five wrong codes, each from a different address (under the per-address limit)."""
    hub = staff
    admin = token_of(hub, ADMIN)

    def make_code() -> str:
        r = call(hub, admin, "POST", "/console/pairing-codes", {"role": "kiosk", "name": "二楼取号机"})
        assert r.status_code == 200
        return r.json()["code"]

    def pair(code: str, address: str) -> httpx.Response:
        with http(hub, address) as c:
            return c.post(f"{hub.url}/api/v1/pair", json={"code": code})

    def wrong(code: str) -> str:
        return f"{(int(code) + 1) % 1_000_000:06d}"

    code = make_code()
    for i in range(4):
        assert pair(wrong(code), f"127.0.6.{i + 1}").status_code == 400
    assert pair(code, "127.0.6.9").status_code == 200  # four wrong tries leave a code alive

    code = make_code()
    for i in range(5):
        assert pair(wrong(code), f"127.0.7.{i + 1}").status_code == 400
    dead = pair(code, "127.0.7.9")
    assert dead.status_code == 400 and dead.json()["code"] == "PAIRING_CODE_INVALID"
    assert "输错 5 次即作废" in dead.json()["message"]
    assert call(hub, admin, "GET", "/console/devices").json()["pairing_codes"] == []


def test_the_old_shared_password_becomes_the_admin_account_on_upgrade(tmp_path):
    """A schema-4 database with the one console password: after the upgrade `admin` signs in with
    it, and the old setting is gone."""
    import sqlite3

    import sqlite_utils

    from hub.app.accounts import hash_password
    from hub.server import build_service
    from hub.store import MIGRATIONS

    path = tmp_path / "v4.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(conn)
    for v in (1, 2, 3, 4):
        MIGRATIONS[v](db)
    conn.execute("PRAGMA user_version=4")
    conn.execute("INSERT INTO settings (key, value) VALUES ('console_password', ?)", (hash_password("old-shared-1"),))
    conn.close()

    service = build_service(path)
    try:
        answer = asyncio.run(service.console_login("admin", "old-shared-1", "127.0.0.1"))
        assert answer["user"] == {"name": "admin", "role": "admin"}
        assert service.store.setting("console_password") is None
    finally:
        service.close()
