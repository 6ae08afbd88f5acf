"""The citizens' hall page on the phones' listener, in a 375 px real Chromium: zones, services, people
waiting, the wait for a number taken now, today's hours."""
from __future__ import annotations

import httpx
import pytest
from citizen_fixtures import BOOKING, CALENDAR, citizen_hub, desk, hall_text  # noqa: F401
from web_fixtures import browser, phone  # noqa: F401


@pytest.fixture
def hall_file(tmp_path):
    """The test hall with the 县庆 calendar and booking, its notice in English too, and the social
    security zone shut for lunch 12:00-13:00."""
    path = tmp_path / "hall.toml"
    text = hall_text(CALENDAR, BOOKING).replace('notice = "欢迎光临"', 'notice = "欢迎光临"\nnotice_en = "Welcome"', 1)
    lunch = ('hours = [{ days = "mon-fri", open = "09:00", close = "12:00" },'
             ' { days = "mon-fri", open = "13:00", close = "17:30" }]')
    text = text.replace('hours = [{ days = "mon-fri", open = "09:00", close = "17:30" }]', lunch, 1)
    assert lunch in text
    path.write_text(text, encoding="utf-8")
    return path


def lines(page, selector: str) -> int:
    """How many lines the element's text takes on the page."""
    return page.eval_on_selector(selector, """node => { const r = document.createRange();
        r.selectNodeContents(node);
        return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size; }""")


def row(page, service: str):
    return page.locator(f".service-row[data-service='{service}']")


def test_hall_page_shows_waiting_counts_hours_and_the_forecast(citizen_hub, desk, phone, clock):  # noqa: F811
    desk.issue()
    desk.issue()
    phone.goto(citizen_hub.public_url + "/hall")
    phone.wait_for_selector("#live[data-mode='live.on']")
    assert phone.inner_text("#hall") == "测试政务服务中心"
    assert phone.inner_text("#today-state") == "今日正常办公"
    general = phone.locator(".zone-card[data-zone='general']")
    assert general.locator(".badge").inner_text() == "暂无窗口"  # in its hours, but no clerk at a window yet
    assert general.locator(".zone-hours").inner_text() == "09:00-12:00　12:00-13:00 午间不打烊　13:00-17:30"
    ranges = general.locator(".zone-hours .range")
    assert ranges.count() == 3
    for i in range(3):  # each range whole on one line at 375 px, never "13:00-" / "17:30"
        assert lines(phone, f".zone-card[data-zone='general'] .zone-hours .range:nth-child({i + 1})") == 1
    assert general.locator(".zone-waiting").inner_text() == "等候 2 人"
    assert row(phone, "business-license").locator(".service-waiting").inner_text() == "2 人等候"
    assert row(phone, "business-license").locator(".service-wait").inner_text() == "暂无窗口"  # no clerk yet
    assert row(phone, "property").locator(".service-waiting").inner_text() == "0 人等候"
    assert phone.locator(".zone-card[data-zone='selfservice'] .zone-hours").inner_text() == "24小时开放"
    assert phone.locator("#way-kiosk").is_visible()
    assert phone.get_attribute("#book-link", "href") == "/book"  # the hall offers booking

    desk.login(1)
    hall = httpx.get(citizen_hub.public_url + "/api/v1/public/hall").json()
    licence = next(s for z in hall["zones"] for s in z["services"] if s["id"] == "business-license")
    low, high = licence["estimated_wait_range"]
    assert licence["estimated_wait_minutes"] > 0 and low < high  # two tickets ahead at one window
    phone.reload()
    phone.wait_for_selector("#live[data-mode='live.on']")
    assert row(phone, "business-license").locator(".service-wait").inner_text() == f"约 {low}-{high} 分钟"
    assert general.locator(".badge").inner_text() == "办理中"

    clock.advance(hours=9)  # 18:30: the staffed zones have closed, the 24 h one has not
    phone.reload()
    phone.wait_for_selector("#live[data-mode='live.on']")
    assert general.locator(".badge").inner_text() == "已下班"
    assert phone.locator(".zone-card[data-zone='selfservice'] .badge").inner_text() == "办理中"

    phone.click("#lang")
    assert general.locator(".zone-name").inner_text() == "General services"
    assert row(phone, "business-license").locator(".service-waiting").inner_text() == "2 waiting"


def test_at_lunch_a_zone_says_when_it_reopens_not_closed_for_the_day(citizen_hub, desk, phone, clock):  # noqa: F811
    desk.login(1)
    clock.advance(hours=3)  # 12:30: social security is shut 12:00-13:00, general works through lunch
    phone.goto(citizen_hub.public_url + "/hall")
    phone.wait_for_selector("#live[data-mode='live.on']")
    social = phone.locator(".zone-card[data-zone='social'] .badge")
    assert social.inner_text() == "午休，13:00 开始办理"
    assert phone.locator(".zone-card[data-zone='general'] .badge").inner_text() == "办理中"
    assert phone.inner_text("#notice") == "欢迎光临"

    phone.click("#lang")
    assert social.inner_text() == "Lunch break, reopens 13:00"
    assert phone.inner_text("#notice") == "Welcome"  # the hall's English notice, not the Chinese one
    assert phone.inner_text("#lang") == "中文"
    assert lines(phone, "#lang") == 1  # not stacked 中 / 文 beside a long English hall name

    clock.advance(minutes=30)  # 13:00: open again
    phone.reload()
    phone.wait_for_selector("#live[data-mode='live.on']")
    assert social.inner_text() == "Open"


def test_citizen_listener_serves_the_hall_page_but_not_the_console(citizen_hub):  # noqa: F811
    """Tried: the console's and devices' routes on the phones' listener (not there at all)."""
    assert httpx.get(citizen_hub.public_url + "/hall").status_code == 200
    assert httpx.get(citizen_hub.public_url + "/static/hall.js").status_code == 200
    assert httpx.get(citizen_hub.public_url + "/console").status_code == 404
    assert httpx.get(citizen_hub.public_url + "/api/v1/snapshot").status_code == 404


def test_on_a_holiday_the_hall_page_says_closed_and_the_kiosk_gets_no_ticket(citizen_hub, desk, phone, clock):  # noqa: F811
    clock.advance(days=3)  # Thursday 26 November, 县庆
    phone.goto(citizen_hub.public_url + "/hall")
    phone.wait_for_selector("#live[data-mode='live.on']")
    assert phone.inner_text("#today-state") == "今日休息：县庆"
    general = phone.locator(".zone-card[data-zone='general']")
    assert general.locator(".badge").inner_text() == "已下班"
    assert general.locator(".zone-hours").inner_text() == "今日不办公"
    assert phone.locator(".zone-card[data-zone='selfservice'] .badge").inner_text() == "办理中"
    refused = desk.post("/tickets", "kiosk", service_id="business-license")
    assert refused.status_code == 409
    assert refused.json()["message"] == "今日县庆放假，综合服务区休息，暂不能取号"

    clock.advance(days=2, hours=5)  # Saturday 28th 14:30, worked instead: Monday's hours
    desk.login(1)
    phone.reload()
    phone.wait_for_selector("#live[data-mode='live.on']")
    assert phone.inner_text("#today-state") == "今日调休上班"
    assert general.locator(".badge").inner_text() == "办理中"
    assert desk.issue()["number"] == "A001"
