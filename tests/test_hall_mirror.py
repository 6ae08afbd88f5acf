"""The devices' copy of the hall (hub.client.HallMirror) against a real hub."""
from __future__ import annotations

import shutil
import sqlite3

import httpx

from hub.client import HallMirror, HubClient
from tests.conftest import until


async def test_an_answer_shows_at_once_and_its_late_events_do_not_roll_it_back(hub, clients):
    kiosk, caller = clients("kiosk"), clients("caller", 1)
    mirror = HallMirror(caller)
    for _ in range(2):
        await kiosk.issue_ticket("business-license")
    await caller.login(1, "c001", "1111")
    mirror.start()
    await until(lambda: mirror.connected and mirror.window(1)["state"] == "open")
    called = await caller.call_next(1)
    serving = await caller.serve(1)
    mirror.apply_answer(called)  # the older answer applied last, as a slow screen might
    mirror.apply_answer(serving)
    assert mirror.current_ticket(1)["state"] == "serving"
    await until(lambda: mirror.seq >= serving["seq"])  # now the events of both come in
    assert mirror.current_ticket(1)["state"] == "serving" and mirror.current_ticket(1)["number"] == "A001"
    assert [t["number"] for t in mirror.calls] == ["A001"]
    finished = await caller.finish(1)
    await until(lambda: mirror.seq >= finished["seq"])
    assert mirror.current_ticket(1) is None and mirror.window(1)["served_today"] == 1
    assert sorted(t["number"] for t in mirror.tickets.values()) == ["A002"]
    await mirror.aclose()


async def test_the_mirror_is_rebuilt_when_the_hub_comes_back_from_a_backup(hub, clients, db_path, tmp_path):
    """The hub restarts from an older copy of its database: the device is ahead of the hub's
    log, is told to take a snapshot, and forgets what the backup does not hold."""
    kiosk, caller, display = clients("kiosk"), clients("caller", 1), clients("display")
    mirror = HallMirror(display)
    mirror.start()
    await kiosk.issue_ticket("business-license")
    await caller.login(1, "c001", "1111")
    called = await caller.call_next(1)
    await until(lambda: mirror.seq is not None and mirror.seq >= called["seq"])
    backup = tmp_path / "backup.db"
    live, copy = sqlite3.connect(db_path), sqlite3.connect(backup)
    live.backup(copy)
    live.close()
    copy.close()
    for _ in range(2):
        last = await kiosk.issue_ticket("business-license")
    await until(lambda: mirror.seq >= last["seq"])
    assert mirror.waiting_in_zone("general") == 2

    hub.stop()
    await until(lambda: not mirror.connected)
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    shutil.copy(backup, db_path)
    hub.start()
    await until(lambda: mirror.connected and mirror.seq == called["seq"], timeout=15)
    assert mirror.waiting_in_zone("general") == 0
    assert mirror.current_ticket(1)["number"] == "A001"
    assert [t["number"] for t in mirror.tickets.values()] == ["A001"]
    await mirror.aclose()


class CountingTransport(httpx.AsyncBaseTransport):
    """The device's real HTTPS transport, noting each request it sends (method, path)."""

    def __init__(self, verify):
        self.inner = httpx.AsyncHTTPTransport(verify=verify)
        self.sent: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_hall_edit_reaches_devices_as_one_event_they_apply_without_fetching_the_hall(hub, clients):
    """A console edit used to make every caller fetch /hall and /snapshot at once (99 windows: the hub
    saturated). Now the hall.changed event carries the new layout and each mirror applies it as it comes."""
    caller_net, display_net = CountingTransport(hub.ssl), CountingTransport(hub.ssl)
    caller = HubClient(hub.url, hub.pair("caller", "caller-1", 1), trust=hub.trust, transport=caller_net,
                       retry_delay=0.05, max_backoff=0.5)
    display = HubClient(hub.url, hub.pair("display", "display-1"), trust=hub.trust, transport=display_net,
                        retry_delay=0.05, max_backoff=0.5)
    at_caller, at_display = HallMirror(caller, hall_info=True), HallMirror(display)
    seen_with_event: list[tuple[str, str, str]] = []  # (event, hall name, window 1's name) as each event was applied
    at_caller.on_change(lambda item: seen_with_event.append(
        (item["type"], (at_caller.hall_info or {}).get("hall", {}).get("name"), (at_caller.window(1) or {}).get("name"))))
    for mirror in (at_caller, at_display):
        mirror.start()
    await until(lambda: at_caller.hall_info is not None and at_caller.seq is not None and at_display.seq is not None)
    before = len(caller_net.sent), len(display_net.sent)

    console = httpx.AsyncClient(base_url=hub.url + "/api/v1", verify=hub.ssl,
                                headers={"Authorization": f"Bearer {hub.pair('console', 'manager')}"})
    window = {"id": 1, "name": "综合受理窗口", "name_en": "Main desk", "zones": ["general", "social"]}
    assert (await console.put("/console/config/windows/1", json=window)).status_code == 200
    assert (await console.put("/console/config/hall", json={"name": "新城政务服务中心"})).status_code == 200
    last = await clients("kiosk").issue_ticket("pension")  # a command after both edits, to wait on its seq
    await until(lambda: at_caller.seq >= last["seq"] and at_display.seq >= last["seq"])
    await console.aclose()

    # each edit was applied from its own event: the layout was new at the moment the event came in
    edits = [(name, window) for kind, name, window in seen_with_event if kind == "hall.changed"]
    assert edits == [("测试政务服务中心", "综合受理窗口"), ("新城政务服务中心", "综合受理窗口")]
    assert at_caller.hall_info["windows"][0]["name"] == "综合受理窗口"
    assert at_display.hall_name["name"] == "新城政务服务中心" and at_display.window(1)["name_en"] == "Main desk"
    assert [z["id"] for z in at_display.zones] == ["general", "social", "selfservice"]
    assert at_display.waiting_in_zone("social") == 1
    # and neither device asked the hub for the hall or a snapshot again
    assert caller_net.sent[before[0]:] == [] and display_net.sent[before[1]:] == []
    for mirror in (at_caller, at_display):
        await mirror.aclose()
    await caller.aclose()
    await display.aclose()
