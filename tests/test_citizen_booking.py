"""Booking (预约) on a 375 px phone in real Chromium against a real hub's citizen listener: a slot's
places drop as it is booked, the code checks in at a kiosk, a holiday is closed, the limits refuse
with the reason, the booking's link cancels and reschedules, and a forged link is refused."""
from __future__ import annotations

import re
import uuid

import httpx

from citizen_fixtures import citizen_hub, desk, hall_file  # noqa: F401
from web_fixtures import browser, phone  # noqa: F401


def open_day(page, base: str, service: str, day: str):
    page.goto(base + "/book")
    page.click(f".choice[data-service='{service}']")
    page.click(f".day[data-date='{day}']")


def slot(page, start: str):
    return page.locator(f".slot[data-start='{start}']")


def book_on_page(page, base: str, day: str, start: str, number: str, service: str = "business-license"):
    open_day(page, base, service, day)
    slot(page, start).click()
    page.fill("#phone", number)
    page.click("#submit")


def api_book(hub, day: str, start: str, number: str, service: str = "business-license") -> httpx.Response:
    return httpx.post(hub.public_url + "/api/v1/public/bookings",
                      json={"request_id": uuid.uuid4().hex, "service_id": service, "day": day, "start": start,
                            "phone": number})


def test_book_a_slot_see_its_places_drop_and_check_in_at_the_kiosk(citizen_hub, desk, phone, clock):  # noqa: F811
    base = citizen_hub.public_url
    open_day(phone, base, "business-license", "2026-11-24")
    assert slot(phone, "09:00").locator(".slot-left").inner_text() == "剩余 2/2"
    slot(phone, "09:00").click()
    phone.fill("#phone", "13800138000")
    phone.click("#submit")
    phone.wait_for_selector("#booked:not([hidden])")
    assert phone.inner_text("#booked-state") == "预约成功"
    code = phone.inner_text("#code")
    assert re.fullmatch(r"\d{6}", code)
    assert phone.inner_text("#booked-when").startswith("11/24") and "09:00-09:30" in phone.inner_text("#booked-when")
    assert phone.inner_text("#booked-phone") == "手机号 138****8000"
    assert phone.evaluate("document.getElementById('qr').naturalWidth") > 0, "the QR image renders"
    assert "/b/" in phone.url

    other = phone.context.new_page()
    open_day(other, base, "business-license", "2026-11-24")
    assert slot(other, "09:00").locator(".slot-left").inner_text() == "剩余 1/2"
    assert slot(other, "09:30").locator(".slot-left").inner_text() == "剩余 2/2"
    other.close()

    files = [p for p in citizen_hub.db_path.parent.iterdir() if p.name.startswith(citizen_hub.db_path.name)]
    assert files and not any(b"13800138000" in p.read_bytes() for p in files), "the phone is kept hashed and masked only"

    clock.advance(days=1, minutes=-15)  # Tuesday 09:15, in the slot
    checked = desk.ok(desk.post("/appointments/check-in", "kiosk", code=code))
    assert checked["ticket"]["appointment_id"] and checked["ticket"]["number"].startswith("A")
    phone.reload()
    phone.wait_for_selector("#booked:not([hidden])")
    assert phone.inner_text("#booked-state") == "已签到取号" and phone.locator("#actions").is_hidden()


def test_a_holiday_shows_closed_and_refuses_booking(citizen_hub, phone):  # noqa: F811
    base = citizen_hub.public_url
    open_day(phone, base, "business-license", "2026-11-26")
    assert phone.locator(".day[data-date='2026-11-26'] .day-note").inner_text() == "县庆休息"
    assert phone.locator(".day[data-date='2026-11-28'] .day-note").inner_text() == "调休上班"
    phone.wait_for_selector("#step-slot:not([hidden])")
    assert phone.inner_text("#day-closed") == "县庆休息" and phone.locator(".slot").count() == 0
    refused = api_book(citizen_hub, "2026-11-26", "09:00", "13800138000")
    assert refused.status_code == 409
    assert refused.json()["message"] == "11/26 是县庆假期，大厅休息，不能预约"  # the date as the page shows it
    sunday = phone.locator(".day[data-date='2026-11-29']")  # slots are Monday-Friday only
    assert sunday.is_disabled() and sunday.locator(".day-note").inner_text() == "不可预约"
    assert not phone.locator(".day[data-date='2026-11-28']").is_disabled()
    phone.click(".day[data-date='2026-11-28']")  # the 调休 Saturday takes bookings
    phone.wait_for_selector(".slot[data-start='09:00']")
    assert slot(phone, "09:00").locator(".slot-left").inner_text() == "剩余 2/2"


def test_a_full_slot_and_the_per_phone_limit_refuse_with_the_reason(citizen_hub, phone):  # noqa: F811
    base = citizen_hub.public_url
    assert api_book(citizen_hub, "2026-11-24", "09:00", "13900000001").status_code == 200
    assert api_book(citizen_hub, "2026-11-24", "09:00", "13900000002").status_code == 200
    open_day(phone, base, "business-license", "2026-11-24")
    assert slot(phone, "09:00").is_disabled() and slot(phone, "09:00").inner_text().endswith("已约满")

    book_on_page(phone, base, "2026-11-24", "09:30", "13800138000")
    phone.wait_for_selector("#booked:not([hidden])")
    book_on_page(phone, base, "2026-11-24", "10:00", "13800138000")
    phone.wait_for_selector("#error:not([hidden])")
    assert phone.inner_text("#error") == "您已预约 11/24 的“营业执照办理”，如需改时间请改约"
    book_on_page(phone, base, "2026-11-25", "09:00", "13800138000")
    phone.wait_for_selector("#booked:not([hidden])")
    book_on_page(phone, base, "2026-11-30", "09:00", "13800138000")
    phone.wait_for_selector("#error:not([hidden])")
    assert phone.inner_text("#error") == "一个手机号最多同时保留 2 个预约，请先办理或取消已有预约"


def test_one_address_booking_in_a_flood_is_stopped_with_when_to_retry(citizen_hub):  # noqa: F811
    """Tried: a script booking with ever new phone numbers from one address (per_address_hour = 8)."""
    answers = [api_book(citizen_hub, "2026-11-30", "09:00", f"1370000{n:04d}") for n in range(10)]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert [a.json()["code"] for a in answers[2:8]] == ["SLOT_FULL"] * 6, "a full slot is said as such"
    assert answers[8].status_code == 429 and answers[9].status_code == 429
    assert answers[8].json()["message"] == "预约操作过于频繁，请 60 分钟后（10:30）再试"


def test_the_bookings_link_reschedules_and_cancels_and_a_forged_link_is_refused(citizen_hub, phone):  # noqa: F811
    base = citizen_hub.public_url
    phone.on("dialog", lambda dialog: dialog.accept())
    booked = api_book(citizen_hub, "2026-11-24", "09:00", "13800138000").json()["booking"]
    phone.goto(booked["url"].replace(booked["url"].split("/b/")[0], base))
    phone.wait_for_selector("#booked:not([hidden])")
    assert phone.inner_text("#booked-state") == "我的预约" and phone.inner_text("#code") == booked["code"]
    phone.click("#reschedule")
    phone.click(".day[data-date='2026-11-25']")
    slot(phone, "10:00").click()
    assert phone.locator("#phone").is_hidden(), "a reschedule needs no phone number again"
    phone.click("#submit")
    phone.wait_for_selector("#booked:not([hidden])")
    assert phone.inner_text("#booked-state") == "已改约" and phone.inner_text("#code") == booked["code"]
    assert "10:00-10:30" in phone.inner_text("#booked-when")
    phone.click("#cancel")
    phone.wait_for_function("document.getElementById('booked-state').textContent === '预约已取消'")
    open_day(phone, base, "business-license", "2026-11-25")
    assert slot(phone, "10:00").locator(".slot-left").inner_text() == "剩余 2/2", "the cancelled place is free again"
    open_day(phone, base, "business-license", "2026-11-24")
    assert slot(phone, "09:00").locator(".slot-left").inner_text() == "剩余 2/2", "the old slot was freed by the move"

    phone.goto(base + "/b/" + "A" * 22)
    phone.wait_for_selector(".invalid")
    assert "预约链接无效" in phone.inner_text(".invalid")
    forged = httpx.post(base + f"/api/v1/public/bookings/{'A' * 22}/cancel", json={"request_id": uuid.uuid4().hex})
    assert forged.status_code == 404 and forged.json()["code"] == "BOOKING_INVALID"
