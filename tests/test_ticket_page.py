"""The citizen's ticket page (the QR link) on a phone-sized real Chromium, and 好差评 through it."""
from __future__ import annotations

import pytest

from conftest import at
from hall_http import HallHttp
from web_fixtures import browser, phone  # noqa: F401


@pytest.fixture
def desk(hub):
    d = HallHttp(hub)
    yield d
    d.close()


def evaluated_events(hub) -> list[dict]:
    return [e for e in hub.server.service.store.events_since(0) if e["type"] == "ticket.evaluated"]


def test_phone_follows_the_ticket_live_then_rates_it(desk, phone, hub, clock):
    first = desk.issue()
    mine = desk.issue()
    assert mine["url"].startswith(hub.url + "/t/")
    phone.goto(mine["url"])
    phone.wait_for_selector("#live[data-mode='live.on']")
    assert phone.inner_text("#number") == mine["number"] == "A002"
    assert phone.inner_text("#service") == "营业执照办理" and phone.inner_text("#zone") == "综合服务区"
    assert phone.inner_text("#headline") == "前面还有 1 人"
    assert phone.inner_text("#detail") == "综合服务区暂无开放窗口，窗口开放后按顺序叫号"  # no clerk yet: no window of the zone is open
    phone.evaluate("window.__sameDocument = true")

    desk.login(1)
    token = mine["url"].rsplit("/t/", 1)[1]
    low, high = desk.ok(desk.get(f"/public/tickets/{token}", role=None))["ticket"]["estimated_wait_range"]
    said = f"预计等候约 {low}-{high} 分钟，请留意大厅叫号屏"
    phone.wait_for_function(f"document.getElementById('detail').textContent === '{said}'")
    clock.advance(minutes=4)
    assert desk.window(1, "call-next")["ticket"]["number"] == first["number"]
    phone.wait_for_function("document.getElementById('headline').textContent === '下一位就是您'")
    desk.window(1, "finish")
    desk.window(1, "call-next")
    phone.wait_for_selector("#page[data-state='called']")
    assert phone.inner_text("#headline") == "请到 1 号窗口办理"
    assert phone.evaluate("window.__sameDocument") is True, "the page must update without a reload"
    assert phone.locator("#rate").is_hidden()

    desk.window(1, "serve")
    phone.wait_for_function("document.getElementById('headline').textContent === '正在 1 号窗口办理'")
    clock.advance(minutes=7)
    desk.window(1, "finish")
    phone.wait_for_selector("#rate:not([hidden])")
    assert phone.inner_text("#state") == "已办结"
    phone.click(".score[data-score='5']")
    phone.click(".chip[data-code='warm']")
    assert phone.locator(".chip[data-code='attitude']").count() == 0, "good scores offer good reasons only"
    phone.fill("#comment", "很快就办好了")
    phone.click("#submit")
    phone.wait_for_selector("#thanks:not([hidden])")
    assert "感谢您的评价" in phone.inner_text("#thanks")
    assert "非常满意" in phone.inner_text("#thanks-detail") and "热情周到" in phone.inner_text("#thanks-detail")
    assert phone.locator("#rate").is_hidden()

    listed = desk.ok(desk.get("/console/evaluations"))["evaluations"]
    assert [(e["number"], e["score"], e["reasons"], e["comment"]) for e in listed] == [
        ("A002", 5, ["warm"], "很快就办好了")]
    assert listed[0]["clerk"] == "张敏" and listed[0]["window_id"] == 1
    assert desk.ok(desk.get("/console/evaluations", bad=1))["evaluations"] == []


def test_poor_rating_is_an_open_follow_up_the_manager_marks_handled(desk, phone, hub, clock):
    ticket = desk.issue()
    desk.login(1)
    desk.window(1, "call-next")
    desk.window(1, "finish")
    r = desk.rate(ticket["token"], 1, ["long_wait", "attitude"], "等了很久，态度也不好")
    assert r.status_code == 200, r.text

    bad = desk.ok(desk.get("/console/evaluations", bad=1, state="open"))["evaluations"]
    assert [(e["number"], e["score_label"], e["followup"]["state"]) for e in bad] == [("A001", "非常不满意", "open")]
    assert bad[0]["reason_labels"] == ["等候太久", "态度不好"]

    # The manager follows it up on the reports page.
    phone.set_viewport_size({"width": 1440, "height": 900})
    phone.goto(f"{hub.url}/console/reports#token={desk.token('console')}")
    line = phone.locator("#followup-table tr[data-number='A001']")
    line.wait_for()
    assert "待处理" in line.inner_text() and "等了很久" in line.inner_text()
    line.locator("select.state").select_option("handled")
    line.locator("input.note").fill("已电话回访，致歉并说明午间窗口安排")
    line.locator("button").click()
    phone.wait_for_selector("#followup-table tr[data-number='A001'] .state-handled")

    item = desk.ok(desk.get("/console/evaluations", bad=1))["evaluations"][0]
    assert item["followup"]["state"] == "handled" and item["followup"]["note"].startswith("已电话回访")
    assert desk.ok(desk.get("/console/evaluations", bad=1, state="open"))["evaluations"] == []
    audit = hub.server.service.store.audit_log()
    assert audit[0]["action"] == "evaluation.followup" and audit[0]["detail"]["state"] == "handled"


def test_follow_up_refuses_bad_states_and_unrated_tickets(desk):
    """Bad input: a follow-up state outside open/handled/rectified, a ticket nobody rated, an unknown ticket."""
    ticket = desk.issue()
    r = desk.http.put(f"/console/evaluations/{ticket['id']}", json={"state": "closed"},
                      headers={"Authorization": f"Bearer {desk.token('console')}"})
    assert r.status_code == 422
    r = desk.http.put(f"/console/evaluations/{ticket['id']}", json={"state": "handled", "note": "x"},
                      headers={"Authorization": f"Bearer {desk.token('console')}"})
    assert r.status_code == 404 and r.json()["message"] == "A001 号还没有评价"
    r = desk.http.put("/console/evaluations/999", json={"state": "handled"},
                      headers={"Authorization": f"Bearer {desk.token('console')}"})
    assert r.status_code == 404


def test_forged_tokens_get_the_clear_invalid_page(desk, phone, hub):
    """Bad input: a made-up token of the right length, a too-short one, and a ticket's numeric id."""
    ticket = desk.issue()
    for forged in ("x" * 22, "abc", str(ticket["id"])):
        response = phone.goto(f"{hub.url}/t/{forged}")
        assert response.status == 404
        assert phone.inner_text("h1") == "二维码无效或已过期"
        assert desk.get(f"/public/tickets/{forged}", role=None).status_code == 404
        assert desk.rate(forged, 5).json()["code"] == "TOKEN_INVALID"
    assert "A001" not in phone.content()


def test_links_expire_after_seven_days(desk, phone, hub, clock):
    """Bad input: the QR link of a ticket issued 8 days ago (the ManualClock moved on)."""
    ticket = desk.issue()
    desk.login(1)
    desk.window(1, "call-next")
    desk.window(1, "finish")
    clock.set(at(30, 10, 0))  # 7 days later: still fine, the citizen may rate it late
    assert phone.goto(ticket["url"]).status == 200
    phone.wait_for_selector("#rate:not([hidden])")
    clock.set(at(1, 10, 0, month=12))  # 8 days later
    response = phone.goto(ticket["url"])
    assert response.status == 404 and phone.inner_text("h1") == "二维码无效或已过期"
    assert desk.get(f"/public/tickets/{ticket['token']}", role=None).json()["code"] == "TOKEN_INVALID"
    assert desk.rate(ticket["token"], 5).status_code == 404
    assert evaluated_events(hub) == []


def test_a_second_rating_is_refused_clearly_and_a_double_submit_counts_once(desk, phone, hub):
    """Bad input: the same submit sent twice (one request_id), then a new rating of a rated ticket,
    from the API and from a second phone page that still shows the form."""
    ticket = desk.issue()
    desk.login(1)
    desk.window(1, "call-next")
    desk.window(1, "finish")
    phone.goto(ticket["url"])
    phone.wait_for_selector("#rate:not([hidden])")  # this page shows the form, then someone rates elsewhere

    first = desk.rate(ticket["token"], 4, ["efficient"], request_id="tap-0001")
    again = desk.rate(ticket["token"], 4, ["efficient"], request_id="tap-0001")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    other = desk.rate(ticket["token"], 1, ["attitude"])
    assert other.status_code == 409 and other.json()["message"] == "A001 号已经评价过了，感谢您的反馈"

    # The stale page's form: its live feed already knows, so the page shows the existing rating.
    phone.wait_for_selector("#thanks:not([hidden])")
    assert "满意" in phone.inner_text("#thanks-detail")
    assert len(evaluated_events(hub)) == 1
    assert hub.server.service.store.ticket(ticket["id"])["evaluation"]["score"] == 4


def test_stale_form_submit_shows_the_already_rated_message(desk, phone, hub):
    """Bad input: a phone whose live feed is down submits a rating after the window's evaluator rated it."""
    ticket = desk.issue()
    desk.login(1)
    desk.window(1, "call-next")
    desk.window(1, "finish")
    phone.add_init_script("""{ const Native = window.WebSocket; window.__sockets = [];
        window.WebSocket = function (...a) { const s = new Native(...a); window.__sockets.push(s); return s; }; }""")
    phone.goto(ticket["url"])
    phone.wait_for_selector("#rate:not([hidden])")
    # From now on the phone hears nothing: its live feed goes deaf and refreshes fail; its submit gets through.
    phone.evaluate("window.__sockets.forEach((s) => { s.onmessage = null; })")
    phone.route("**/api/v1/public/tickets/*", lambda route: route.abort() if route.request.method == "GET"
                else route.continue_())
    desk.ok(desk.post(f"/tickets/{ticket['id']}/evaluation", "caller", 1, score=5, reasons=["warm"]))
    phone.click(".score[data-score='3']")
    phone.click("#submit")
    phone.wait_for_selector("#thanks:not([hidden])")
    assert phone.inner_text("#thanks-detail") == "A001 号已经评价过了，感谢您的反馈"
    assert len(evaluated_events(hub)) == 1


def test_rating_before_the_ticket_is_finished_is_refused(desk, phone, hub):
    """Bad input: ratings sent while the ticket waits, and while it is called; an unknown reason code."""
    ticket = desk.issue()
    r = desk.rate(ticket["token"], 5)
    assert r.status_code == 409 and r.json()["message"] == "A001 号尚未办结，办结后才能评价"
    desk.login(1)
    desk.window(1, "call-next")
    assert desk.rate(ticket["token"], 5).json()["code"] == "EVALUATION_NOT_READY"
    phone.goto(ticket["url"])
    phone.wait_for_selector("#page[data-state='called']")
    assert phone.locator("#rate").is_hidden()
    desk.window(1, "finish")
    r = desk.rate(ticket["token"], 2, ["made_up"])
    assert r.status_code == 422 and r.json()["code"] == "EVALUATION_REASON"
    assert evaluated_events(hub) == []


def test_a_past_days_ticket_is_rated_into_the_store(desk, phone, hub, clock):
    ticket = desk.issue()
    desk.login(1)
    desk.window(1, "call-next")
    desk.window(1, "finish")
    clock.set(at(25, 9, 15))
    desk.issue()  # the hall has moved on to a new day
    phone.goto(ticket["url"])
    phone.wait_for_selector("#rate:not([hidden])")
    phone.click(".score[data-score='2']")
    phone.click(".chip[data-code='slow']")
    phone.click("#submit")
    phone.wait_for_selector("#thanks:not([hidden])")
    stored = hub.server.service.store.ticket(ticket["id"])
    assert stored["day"] == "2026-11-23" and stored["evaluation"]["score"] == 2
    assert stored["evaluation"]["reasons"] == ["slow"]
    listed = desk.ok(desk.get("/console/evaluations", bad=1))["evaluations"]
    assert [(e["number"], e["day"]) for e in listed] == [("A001", "2026-11-23")]


def test_first_in_line_with_no_open_window_is_told_so_not_that_they_are_next(desk, phone):
    first = desk.issue()
    second = desk.issue()
    phone.goto(first["url"])
    phone.wait_for_selector("#live[data-mode='live.on']")
    assert phone.inner_text("#headline") == "暂无开放窗口"
    assert phone.inner_text("#detail") == "综合服务区的窗口开放后，第一个叫您的号"
    desk.login(1)  # a clerk opens window 1: now the next call is this ticket
    phone.wait_for_function("document.getElementById('headline').textContent === '下一位就是您'")
    phone.goto(second["url"])
    phone.wait_for_selector("#live[data-mode='live.on']")
    assert phone.inner_text("#headline") == "前面还有 1 人"


def test_polling_takes_over_when_the_live_socket_is_blocked(desk, phone):
    ticket = desk.issue()
    phone.route_web_socket("**/live", lambda ws: ws.close())
    phone.goto(ticket["url"])
    phone.wait_for_selector("#number:text('A001')")
    desk.login(1)
    desk.window(1, "call-next")
    phone.wait_for_selector("#page[data-state='called']", timeout=8000)
    assert phone.get_attribute("#live", "data-mode") == "live.poll"


def test_the_page_switches_to_english(desk, phone):
    ticket = desk.issue()
    desk.login(1)
    phone.goto(ticket["url"])
    phone.wait_for_selector("#live[data-mode='live.on']")
    phone.click("#lang")
    assert phone.inner_text("#headline") == "You are next"
    assert phone.inner_text("#state") == "Waiting"
