"""The hub restarting mid-day, crossing midnight, and refusing bad input without losing anything."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from conftest import at
from hub.client import HubError, HubUnavailable
from hub.core.config import ConfigError, load_hall
from hub.server import build_service


async def wait_for(predicate, timeout: float = 10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_restart_mid_day_keeps_numbers_queues_and_resyncs_clients(hub, clients, clock):
    kiosk, caller, display = clients("kiosk"), clients("caller", window=2), clients("display")
    seen: list[dict] = []
    states: list[bool] = []
    display.on_event(seen.append)
    display.on_connection(lambda c: states.append(c["connected"]))
    display.start_events()
    await kiosk.issue_ticket("pension")
    await kiosk.issue_ticket("pension")
    await caller.login(2, "c002", "2222")
    await caller.call_next(2)
    await wait_for(lambda: any(e["type"] == "ticket.called" for e in seen))

    hub.stop()
    with pytest.raises(HubUnavailable):
        await kiosk.issue_ticket("pension")
    await wait_for(lambda: states and states[-1] is False)
    clock.advance(minutes=10)
    hub.start()

    third = (await kiosk.issue_ticket("pension"))["ticket"]
    assert third["number"] == "B003", "numbering continues after a restart"
    snap = await caller.snapshot()
    window2 = next(w for w in snap["windows"] if w["id"] == 2)
    assert window2["state"] == "open" and window2["current_ticket"]["number"] == "B001"
    assert [t["number"] for t in snap["tickets"] if t["state"] == "waiting"] == ["B002", "B003"]
    # The display reconnected by itself and received what happened after the restart, in order.
    await wait_for(lambda: any(e.get("data", {}).get("ticket", {}).get("number") == "B003" for e in seen))
    seqs = [e["seq"] for e in seen if e["type"] != "snapshot"]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert states[-1] is True


async def test_midnight_restarts_numbering_and_clears_yesterdays_queue(hub, clients, clock):
    kiosk, caller = clients("kiosk"), clients("caller", window=1)
    for _ in range(3):
        last = (await kiosk.issue_ticket("business-license"))["ticket"]
    assert last["number"] == "A003"
    clock.set(at(24, 9, 0))  # Tuesday morning
    fresh = (await kiosk.issue_ticket("business-license"))["ticket"]
    assert fresh["number"] == "A001" and fresh["day"] == "2026-11-24"
    await caller.login(1, "c001", "1111")
    called = (await caller.call_next(1))["ticket"]
    assert called["id"] == fresh["id"], "yesterday's tickets are not called today"
    old = await caller.ticket(last["id"])
    assert old["state"] == "cancelled" and old["number"] == "A003"


async def test_midnight_reset_survives_a_restart(hub, clients, clock):
    kiosk = clients("kiosk")
    await kiosk.issue_ticket("pension")
    clock.set(at(24, 9, 0))
    await kiosk.issue_ticket("pension")
    hub.stop()
    hub.start()
    assert (await kiosk.issue_ticket("pension"))["ticket"]["number"] == "B002"


async def test_repeated_request_id_issues_one_ticket(hub, clients):
    """Bad input: a kiosk retries the same tap (same request_id) three times."""
    kiosk = clients("kiosk")
    answers = [await kiosk.issue_ticket("pension", request_id="tap-0001-abcdef") for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    snap = await kiosk.snapshot()
    assert len([t for t in snap["tickets"] if t["service_id"] == "pension"]) == 1


async def test_unknown_service_and_wrong_role_change_nothing(hub, clients):
    """Bad input: a ticket for a service that does not exist; a display trying to call; a caller
    calling for another window; a kiosk without a token."""
    kiosk, display, caller = clients("kiosk"), clients("display"), clients("caller", window=2)
    await kiosk.snapshot()  # opens the business day, which is itself an event
    before = (await kiosk.health())["seq"]
    with pytest.raises(HubError) as unknown:
        await kiosk.issue_ticket("no-such-service")
    assert unknown.value.status == 404 and unknown.value.code == "SERVICE_NOT_FOUND"
    assert "no-such-service" in unknown.value.message
    with pytest.raises(HubError) as role:
        await display.call_next(1)
    assert role.value.status == 403 and role.value.code == "FORBIDDEN"
    with pytest.raises(HubError) as other:
        await caller.login(1, "c001", "1111")
    assert other.value.status == 403 and other.value.code == "WRONG_WINDOW"
    with pytest.raises(HubError) as pin:
        await caller.login(2, "c002", "9999")
    assert pin.value.code == "BAD_LOGIN"
    async with httpx.AsyncClient(base_url=hub.url, verify=hub.ssl) as anonymous:
        r = await anonymous.post("/api/v1/tickets", json={"request_id": "anon-000001", "service_id": "pension"})
    assert r.status_code == 401 and r.json()["code"] == "UNAUTHORIZED"
    assert (await kiosk.health())["seq"] == before, "no event was written"


async def test_malformed_requests_get_json_errors_not_500(hub, clients):
    """Bad input: broken JSON, a wrong field type, an unknown field, a too-short request_id, an unknown route."""
    token = hub.pair("kiosk", "raw")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=hub.url + "/api/v1", headers=headers, verify=hub.ssl) as raw:
        broken = await raw.post("/tickets", content=b'{"request_id": "abc', headers=headers)
        wrong_type = await raw.post("/tickets", json={"request_id": "req-000001", "service_id": 42})
        extra = await raw.post("/tickets", json={"request_id": "req-000002", "service_id": "pension", "id_number": "x"})
        short_id = await raw.post("/tickets", json={"request_id": "x", "service_id": "pension"})
        nowhere = await raw.get("/nowhere")
        health = await raw.get("/health")
    for response in (broken, wrong_type, extra, short_id):
        assert response.status_code == 422
        body = response.json()
        assert set(body) >= {"code", "message", "message_en"} and "Traceback" not in json.dumps(body)
    assert broken.json()["code"] == "MALFORMED_JSON"
    assert "id_number" in extra.json()["message"]
    assert nowhere.status_code == 404 and nowhere.json()["code"] == "NOT_FOUND"
    assert health.json()["seq"] == 0, "nothing was recorded"


def test_bad_hall_file_is_refused_whole(tmp_path, clock):
    """Bad input: a window refers to a zone that does not exist; the hub must not start."""
    good = open(__file__.replace("test_hub_resilience.py", "data/small_hall.toml"), encoding="utf-8").read()
    bad = good.replace('zones = ["social"]', 'zones = ["socail"]')
    path = tmp_path / "hall.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_hall(path)
    line = bad.splitlines().index('zones = ["socail"]') + 1
    assert e.value.line == line and e.value.field == "windows[2].zones" and "socail" in str(e.value)
    with pytest.raises(ConfigError):
        build_service(tmp_path / "h.db", path, clock)
    assert not (tmp_path / "h.db").exists(), "no database is created for a hall that cannot run"


def test_hall_file_syntax_error_names_the_line(tmp_path):
    """Bad input: a TOML syntax error (an unclosed string)."""
    path = tmp_path / "hall.toml"
    path.write_text('[hall]\nname = "大厅\n', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_hall(path)
    assert e.value.line == 2 and "TOML" in str(e.value)


async def test_recent_calls_keep_the_order_they_happened_in_even_within_one_second(hub, clients):
    """Two windows call in the same second (the clock does not move); a recall makes a call the latest."""
    kiosk, w1, w2 = clients("kiosk"), clients("caller", window=1), clients("caller", window=2)
    await w1.login(1, "c001", "1111")
    await w2.login(2, "c002", "2222")
    for _ in range(3):
        await kiosk.issue_ticket("pension")
    await w2.call_next(2)  # B001
    await w1.call_next(1)  # B002
    assert [t["number"] for t in (await w1.snapshot())["recent_calls"]] == ["B002", "B001"]
    await w2.recall(2)
    assert [t["number"] for t in (await w1.snapshot())["recent_calls"]] == ["B001", "B002"]
    hub.stop()
    hub.start()
    assert [t["number"] for t in (await w1.snapshot())["recent_calls"]] == ["B001", "B002"]
