"""Each device acts within its own scope: a kiosk cancels only the tickets it issued (and only soon
after), a request_id is one device's, and a display never receives a masked name or ID."""
from __future__ import annotations


import pytest

from hub.client import HubError
from tests.conftest import until

CARD = "110105196107061234"  # a well-formed, fictitious ID number (its masked form ends in 1234)


async def test_a_kiosk_cannot_cancel_another_kiosks_ticket(hub, clients):
    """Bad input: kiosk 2 cancels kiosk 1's ticket by its (sequential, guessable) id."""
    kiosk1, kiosk2 = clients("kiosk", name="kiosk-1"), clients("kiosk", name="kiosk-2")
    ticket = (await kiosk1.issue_ticket("pension"))["ticket"]
    with pytest.raises(HubError) as refused:
        await kiosk2.cancel_ticket(ticket["id"])
    assert (refused.value.status, refused.value.code) == (403, "NOT_OWN_TICKET")
    assert "不是本机" in refused.value.message
    assert (await kiosk1.ticket(ticket["id"]))["state"] == "waiting"  # nothing lost
    assert (await kiosk1.cancel_ticket(ticket["id"]))["ticket"]["state"] == "cancelled"


async def test_a_kiosk_cancels_its_own_ticket_only_within_the_halls_limit(hub, clients, clock):
    kiosk, console = clients("kiosk"), clients("console")
    soon, late = [(await kiosk.issue_ticket("pension"))["ticket"] for _ in range(2)]
    clock.advance(minutes=10)  # the default queue.kiosk_cancel_minutes: still allowed
    assert (await kiosk.cancel_ticket(soon["id"]))["ticket"]["state"] == "cancelled"
    clock.advance(minutes=1)
    with pytest.raises(HubError) as refused:
        await kiosk.cancel_ticket(late["id"])
    assert (refused.value.status, refused.value.code) == (403, "CANCEL_TOO_LATE")
    assert refused.value.params["minutes"] == 10
    # the console may cancel any waiting ticket, at any time
    assert (await console.cancel_ticket(late["id"]))["ticket"]["state"] == "cancelled"


async def test_a_request_id_is_one_devices_own(hub, clients):
    """Bad input: a display and a second kiosk post the first kiosk's request_id."""
    kiosk1, kiosk2, display = clients("kiosk"), clients("kiosk"), clients("display")
    first = await kiosk1.issue_ticket("pension", request_id="shared-request-0001")
    assert await kiosk1.issue_ticket("pension", request_id="shared-request-0001") == first  # a retry
    # the display's request with that id is its own: it gets its own answer, not the kiosk's ticket
    answer = await display.report_status("paper_out", request_id="shared-request-0001")
    assert "ticket" not in answer and first["ticket"]["token"] not in str(answer)
    other = await kiosk2.issue_ticket("pension", request_id="shared-request-0001")
    assert other["ticket"]["number"] == "B002" and other["ticket"]["token"] != first["ticket"]["token"]


async def test_displays_get_no_masked_names_or_ids(hub, clients):
    kiosk, caller, display, console = (clients("kiosk"), clients("caller", window=2), clients("display"),
                                       clients("console"))
    shown: list[dict] = []
    display.on_event(shown.append)
    display.start_events(since=0)
    seen_by_caller: list[dict] = []
    caller.on_event(seen_by_caller.append)
    caller.start_events(since=0)

    ticket = (await kiosk.issue_ticket("pension", holder={"name_masked": "王*", "id_number": CARD}))["ticket"]
    later = (await console.snapshot())["now"][:11] + "16:00:00+08:00"
    await console.book("pension", later, later[:11] + "16:30:00+08:00", name="李雷", phone="13800138000")
    assert (ticket["name_masked"], ticket["id_masked"]) == ("王*", "110***********1234")
    await caller.login(2, "c002", "2222")
    await caller.call_next(2)
    head = (await console.snapshot())["seq"]
    await until(lambda: any(e.get("seq") == head for e in shown) and any(e.get("seq") == head
                                                                         for e in seen_by_caller), timeout=5.0)

    # the window's caller still sees whom it calls
    assert any((e["data"].get("ticket") or {}).get("name_masked") == "王*" for e in seen_by_caller)
    assert (await console.snapshot())["windows"][1]["current_ticket"]["id_masked"] == "110***********1234"
    # the hall's screen does not, on the stream, in the snapshot, the window's line or a ticket
    assert any(e["type"] == "appointment.created" for e in shown)  # the booking reached the screen, bare
    fetched = [await display.snapshot(), await display.ticket(ticket["id"]), await display.window_queue(2)]
    assert fetched[0]["windows"][1]["current_ticket"]["number"] == ticket["number"]
    for text in [str(e) for e in shown] + [str(f) for f in fetched]:
        assert "王*" not in text and "110***" not in text and "name_masked" not in text
        assert "李*" not in text and "138****" not in text
