"""A morning at the hall, driven only through hub.client against a real hub."""
from __future__ import annotations

from datetime import date

import pytest

from hardware.idcard import make_id_number

from hub.client import HubError
from tests.conftest import until


async def test_tickets_in_several_zones_are_called_from_a_comprehensive_window(hub, clients, clock):
    kiosk, caller, watcher = clients("kiosk"), clients("caller", window=1), clients("display")
    seen: list[dict] = []
    watcher.on_event(seen.append)
    watcher.start_events(since=0)

    a1 = (await kiosk.issue_ticket("business-license"))["ticket"]
    b1 = (await kiosk.issue_ticket("pension"))["ticket"]
    a2 = (await kiosk.issue_ticket("property"))["ticket"]
    b2 = (await kiosk.issue_ticket("ss-card"))["ticket"]
    assert [a1["number"], b1["number"], a2["number"], b2["number"]] == ["A001", "B001", "A002", "B002"]
    assert a2["ahead"] == 0 and a1["url"].startswith(hub.url + "/t/")

    await caller.login(1, "c001", "1111")
    # 综合窗口 1 serves both zones, so it calls in issue order across them.
    called = []
    for _ in range(2):
        clock.advance(minutes=3)
        t = (await caller.call_next(1))["ticket"]
        called.append(t["number"])
        clock.advance(minutes=5)
        await caller.finish(1)
    assert called == ["A001", "B001"]

    # No-show: A002 goes back in line behind two tickets (rule in the test hall), once.
    t = (await caller.call_next(1))["ticket"]
    assert t["number"] == "A002"
    a3 = (await kiosk.issue_ticket("business-license"))["ticket"]
    requeue = await caller.no_show(1)
    assert requeue["requeued"] is True and requeue["ticket"]["state"] == "waiting"
    order = []
    for _ in range(2):
        order.append((await caller.call_next(1))["ticket"]["number"])
        await caller.finish(1)
    assert order == ["B002", "A003"]
    # Two places have gone by in seconds; the hall's 5 minutes have not: A002 is not called yet.
    assert (await caller.call_next(1))["ticket"] is None
    clock.advance(minutes=5)
    assert (await caller.call_next(1))["ticket"]["number"] == "A002"
    await caller.finish(1)

    # Transfer keeps the number and puts it at the front of the new service's line.
    await kiosk.issue_ticket("pension")
    a4 = (await kiosk.issue_ticket("business-license"))["ticket"]
    first = (await caller.call_next(1))["ticket"]
    assert first["number"] == "B003"
    moved = (await caller.transfer(1, service_id="property"))["ticket"]
    assert moved["number"] == "B003" and moved["service_id"] == "property" and moved["state"] == "waiting"
    property_caller = clients("caller", window=3)
    await property_caller.login(3, "c003", "3333")
    assert (await property_caller.call_next(3))["ticket"]["number"] == "B003"
    await property_caller.finish(3)
    assert (await caller.call_next(1))["ticket"]["number"] == a4["number"]

    # The watcher saw every event once, in order, with no gaps.
    head = (await watcher.health())["seq"]
    await until(lambda: seen and seen[-1]["seq"] == head, timeout=5.0)
    seqs = [e["seq"] for e in seen]
    assert seqs == list(range(1, head + 1))
    kinds = [e["type"] for e in seen]
    assert kinds.count("ticket.issued") == 7 and "ticket.no_show" in kinds and "ticket.transferred" in kinds
    assert all("token" not in e["data"].get("ticket", {}) for e in seen), "page tokens must not be broadcast"
    assert a3["number"] == "A003"


async def test_priority_tickets_interleave_and_appointments_in_slot_go_first(hub, clients, clock):
    kiosk, caller = clients("kiosk"), clients("caller", window=2)
    for _ in range(4):
        await kiosk.issue_ticket("pension")
    await kiosk.issue_ticket("pension", priority_reason="disabled")
    senior = make_id_number(birth=date(1950, 5, 1))  # the hub reads the birth date out of the number
    await kiosk.issue_ticket("pension", priority_reason="senior", holder={"id_number": senior})
    await caller.login(2, "c002", "2222")
    calls = []
    for _ in range(6):
        t = (await caller.call_next(2))["ticket"]
        calls.append((t["number"], t["priority"]))
        await caller.finish(2)
    # Ratio 1:2 in the test hall: a priority ticket first, then two normal, then priority again.
    assert calls == [("B005", True), ("B001", False), ("B002", False), ("B006", True), ("B003", False),
                     ("B004", False)]


async def test_senior_priority_is_refused_for_a_younger_card_holder(hub, clients):
    """Bad input: a kiosk claims 'senior' for a 40-year-old; the hub checks the birth date."""
    kiosk = clients("kiosk")
    with pytest.raises(HubError) as e:
        await kiosk.issue_ticket("pension", priority_reason="senior", holder={"birth_date": "1986-01-01"})
    assert e.value.code == "NOT_SENIOR" and "65" in e.value.message


async def test_appointment_check_in_early_on_time_and_late(hub, clients, clock):
    console, kiosk, caller = clients("console"), clients("kiosk"), clients("caller", window=2)
    booked = (await console.book("pension", "2026-11-23T10:00:00+08:00", "2026-11-23T10:30:00+08:00",
                                 name="王小明", phone="13800138000"))["appointment"]
    assert len(booked["code"]) == 6 and booked["name_masked"] == "王**" and booked["phone_masked"] == "138****8000"

    clock.set(clock.now().replace(hour=9, minute=20))
    with pytest.raises(HubError) as early:
        await kiosk.check_in(code=booked["code"])  # 09:20 is more than 30 minutes before 10:00
    assert early.value.code == "APPOINTMENT_TOO_EARLY" and "09:30" in early.value.message

    for _ in range(3):
        await kiosk.issue_ticket("pension")
    clock.set(clock.now().replace(hour=9, minute=55))
    checked = await kiosk.check_in(phone="13800138000")
    assert checked["ticket"]["appointment_id"] == booked["id"]
    await caller.login(2, "c002", "2222")
    assert (await caller.call_next(2))["ticket"]["number"] == checked["ticket"]["number"]

    late = (await console.book("ss-card", "2026-11-23T10:00:00+08:00", "2026-11-23T10:15:00+08:00",
                               phone="13900139000"))["appointment"]
    clock.set(clock.now().replace(hour=11, minute=0))
    with pytest.raises(HubError) as e:
        await kiosk.check_in(code=late["code"])
    assert e.value.code == "APPOINTMENT_LATE" and "普通号" in e.value.message


async def test_estimated_wait_follows_recent_service_times(hub, clients, clock):
    kiosk, caller = clients("kiosk"), clients("caller", window=3)
    await caller.login(3, "c003", "3333")
    for _ in range(3):
        await kiosk.issue_ticket("property")
        await caller.call_next(3)
        clock.advance(minutes=4)
        await caller.finish(3)
    for _ in range(3):
        last = (await kiosk.issue_ticket("property"))["ticket"]
    # Two people ahead, one window open, 4 minutes each lately: the estimate moves from the
    # configured 15 minutes a visit towards them, (15 + 3 x 4) / 4 = 6.75.
    assert last["ahead"] == 2 and last["estimated_wait_minutes"] == 14
    low, high = last["estimated_wait_range"]
    assert low < 14 < high


async def test_every_view_of_a_ticket_tells_the_same_wait_from_the_whole_hall(hub, clients, clock):
    """Only 综合窗口 1 is staffed: the pension ticket waits behind the licence tickets it also
    serves (the old rule counted only pension tickets ahead, and said 0)."""
    kiosk, caller = clients("kiosk"), clients("caller", window=1)
    await caller.login(1, "c001", "1111")
    for _ in range(3):
        await kiosk.issue_ticket("business-license")
    issued = (await kiosk.issue_ticket("pension"))["ticket"]
    assert issued["ahead"] == 0 and issued["estimated_wait_minutes"] == 30
    low, high = issued["estimated_wait_range"]
    assert low < 30 < high and low % 5 == high % 5 == 0  # e.g. "约 20-40 分钟"
    looked_up = await kiosk.ticket(issued["id"])
    on_phone = await kiosk.public_ticket(issued["url"].rsplit("/", 1)[1])
    in_snapshot = next(t for t in (await kiosk.snapshot())["tickets"] if t["id"] == issued["id"])
    for view in (looked_up, on_phone, in_snapshot):
        assert (view["estimated_wait_minutes"], view["estimated_wait_range"]) == (30, [low, high])
    clock.advance(minutes=10)
    await caller.call_next(1)  # the first licence visit begins: the pension ticket is 30 minutes off still
    assert (await kiosk.ticket(issued["id"]))["estimated_wait_minutes"] == 30


async def test_a_long_queues_waits_hold_as_the_window_calls(hub, clients, clock):
    """Forty waiting: more than a play of the hall is redone for on every event, so the waits come
    from a recent play (hub/app/forecasts.py), often one a worker made beside the loop. Each view
    still tells one wait, and it comes down as the window calls."""
    kiosk, caller = clients("kiosk"), clients("caller", window=1)
    await caller.login(1, "c001", "1111")
    issued = [(await kiosk.issue_ticket("business-license"))["ticket"] for _ in range(40)]
    last = issued[-1]
    assert last["estimated_wait_minutes"] == 390  # 39 licence visits of 10 minutes at the one window
    in_snapshot = next(t for t in (await kiosk.snapshot())["tickets"] if t["id"] == last["id"])
    assert (await kiosk.ticket(last["id"]))["estimated_wait_range"] == in_snapshot["estimated_wait_range"] \
        == last["estimated_wait_range"]
    for _ in range(5):
        await caller.call_next(1)
        clock.advance(minutes=10)  # each visit takes the hall file's 10 minutes
        await caller.finish(1)
    assert (await kiosk.ticket(last["id"]))["estimated_wait_minutes"] == 340  # 34 visits ahead now


async def test_window_pause_resume_and_recall(hub, clients):
    kiosk, caller = clients("kiosk"), clients("caller", window=2)
    await caller.login(2, "c002", "2222")
    await kiosk.issue_ticket("pension")
    t = (await caller.call_next(2))["ticket"]
    recalled = (await caller.recall(2))["ticket"]
    assert recalled["number"] == t["number"] and recalled["recall_count"] == 1
    with pytest.raises(HubError) as busy:
        await caller.pause(2, "午休")
    assert busy.value.code == "WINDOW_BUSY"
    await caller.finish(2)
    paused = (await caller.pause(2, "临时离开"))["window"]
    assert paused["state"] == "paused" and paused["pause_reason"] == "临时离开"
    await kiosk.issue_ticket("pension")
    with pytest.raises(HubError) as e:
        await caller.call_next(2)
    assert e.value.code == "WINDOW_PAUSED"
    await caller.resume(2)
    assert (await caller.call_next(2))["ticket"]["number"] == "B002"


async def test_second_no_show_is_final_and_transfer_to_a_window_reserves_it(hub, clients, clock):
    kiosk, w1, w2 = clients("kiosk"), clients("caller", window=1), clients("caller", window=2)
    await w1.login(1, "c001", "1111")
    await w2.login(2, "c002", "2222")
    first = (await kiosk.issue_ticket("pension"))["ticket"]
    await w2.call_next(2)
    assert (await w2.no_show(2))["requeued"] is True
    clock.advance(minutes=5)  # the hall's grace
    await w2.call_next(2)
    final = await w2.no_show(2)
    assert final["requeued"] is False and final["ticket"]["state"] == "no_show"
    assert (await w2.call_next(2))["ticket"] is None, "a final no-show is not called again"

    await kiosk.issue_ticket("pension")
    second = (await kiosk.issue_ticket("pension"))["ticket"]
    assert (await w1.call_next(1))["ticket"]["number"] == "B002"
    moved = (await w1.transfer(1, to_window=2))["ticket"]
    assert moved["target_window"] == 2
    # Window 1 serves pension too, but the transferred ticket waits for window 2 only.
    assert (await w1.call_next(1))["ticket"]["number"] == second["number"]
    assert (await w2.call_next(2))["ticket"]["number"] == "B002"
    assert first["number"] == "B001"


async def test_cancel_a_waiting_ticket_and_not_a_called_one(hub, clients):
    kiosk, caller = clients("kiosk"), clients("caller", window=2)
    a = (await kiosk.issue_ticket("pension"))["ticket"]
    b = (await kiosk.issue_ticket("pension"))["ticket"]
    assert (await kiosk.cancel_ticket(a["id"]))["ticket"]["state"] == "cancelled"
    await caller.login(2, "c002", "2222")
    assert (await caller.call_next(2))["ticket"]["id"] == b["id"]
    with pytest.raises(HubError) as e:
        await kiosk.cancel_ticket(b["id"])
    assert e.value.code == "TICKET_STATE"


async def test_openapi_schema_lists_the_commands(hub):
    import httpx

    async with httpx.AsyncClient(base_url=hub.url, verify=hub.ssl) as http:
        schema = (await http.get("/api/v1/openapi.json")).json()
    paths = schema["paths"]
    for path in ("/api/v1/tickets", "/api/v1/windows/{window_id}/call-next", "/api/v1/appointments/check-in",
                 "/api/v1/snapshot", "/api/v1/public/tickets/{token}"):
        assert path in paths


async def test_a_device_that_takes_gzip_gets_the_same_snapshot_compressed(hub, clients):
    """A busy hall's snapshot is megabytes: a device that says it reads gzip gets it compressed, the
    same hall as uncompressed (a display's still without masked names). Tried: one ticket with a
    masked name, asked with and without Accept-Encoding: gzip, by a kiosk and by a display."""
    import httpx

    kiosk = clients("kiosk")
    await kiosk.issue_ticket("business-license", holder={"name_masked": "张**", "id_number": "110105196107061234"})
    for role in ("kiosk", "display"):
        token = hub.pair(role, f"{role} gz")
        async with httpx.AsyncClient(base_url=hub.url, verify=hub.ssl,
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            plain = await http.get("/api/v1/snapshot", headers={"Accept-Encoding": "identity"})
            packed = await http.get("/api/v1/snapshot", headers={"Accept-Encoding": "gzip"})
        assert plain.headers.get("content-encoding") is None and packed.headers["content-encoding"] == "gzip"
        assert packed.num_bytes_downloaded < plain.num_bytes_downloaded  # httpx decoded it: compare the wire
        first, second = plain.json(), packed.json()
        first.pop("now"), second.pop("now")
        assert first == second
        names = [t.get("name_masked") for t in second["tickets"]]
        assert names == (["张**"] if role == "kiosk" else [None])
