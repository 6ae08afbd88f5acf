"""The manager's console in a real browser against a real hub: sign-in, the live hall,
pairing and revoking devices, editing the hall while it runs, and alerts."""
from __future__ import annotations

import asyncio
import re
import threading
import time

import httpx
import pytest

from hub.client import HubClient, HubError
from hub.tls import spaced
from web_fixtures import browser, page, run_async  # noqa: F401

PASSWORD = "hall-manager-1"


@pytest.fixture
def console(hub, page):
    """The console page of a hub with a password set, not yet signed in."""
    hub.server.service.set_console_password(PASSWORD)
    page.goto(f"{hub.url}/console")
    page.wait_for_selector("#password")
    return page


def sign_in(page, password: str = PASSWORD, user: str = "admin") -> None:
    page.fill("#user", user)
    page.fill("#password", password)
    page.click("#login-button")


def signed_in(page) -> None:
    sign_in(page)
    page.wait_for_selector(".zone-card")
    page.wait_for_selector("#live-status.on")


def kiosk_issue(hub, service_id: str) -> dict:
    async def go():
        client = HubClient(hub.url, hub.pair("kiosk", "测试取号机"), trust=hub.trust, retry_delay=0.05)
        try:
            return (await client.issue_ticket(service_id))["ticket"]
        finally:
            await client.aclose()
    return run_async(go)


def issue_answer(hub, service_id: str) -> dict:
    """The hub's whole answer to a kiosk's ticket, with the seq of its event."""
    token = hub.pair("kiosk", "测试取号机")
    r = httpx.post(f"{hub.url}/api/v1/tickets", verify=hub.ssl, headers={"Authorization": f"Bearer {token}"},
                   json={"request_id": f"t-{time.monotonic_ns()}", "service_id": service_id}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def event_stream_status(hub, token: str) -> int | None:
    """The HTTP status of the event stream's handshake for this token (None if it was accepted)."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    try:
        with connect(f"{hub.url.replace('https', 'wss')}/api/v1/events?since=0&token={token}", open_timeout=10,
                     ssl=hub.ssl):
            return None
    except InvalidStatus as e:
        return e.response.status_code


def hall_of(hub) -> dict:
    async def go():
        client = HubClient(hub.url, hub.pair("kiosk", "取号机查询"), trust=hub.trust, retry_delay=0.05)
        try:
            return await client.hall()
        finally:
            await client.aclose()
    return run_async(go)


class BackgroundLoop:
    """An event loop in a thread, for a device client that stays connected during a test."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


def wait_until(check, timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


# ---- sign-in --------------------------------------------------------------------------------
def test_sign_in_refuses_wrong_password_and_locks_after_five_tries(hub, console, clock):
    """Bad input: a wrong password (clear message with tries left), then five wrong passwords in
    a row (locked for 10 minutes: even the right password is refused, with the wait named);
    after the clock moves past the lock, the right password signs in."""
    page = console
    sign_in(page, "not-the-password")
    expect_error = page.locator("#login-error")
    page.wait_for_function("document.querySelector('#login-error').textContent.includes('用户名或密码不正确')")
    assert "还可再试 4 次" in expect_error.text_content()
    assert page.locator("#app").is_hidden()
    for _ in range(4):
        sign_in(page, "still-wrong")
        page.wait_for_timeout(150)
    page.wait_for_function("document.querySelector('#login-error').textContent.includes('分钟后（')")
    sign_in(page, PASSWORD)
    page.wait_for_timeout(300)
    assert "分钟后（" in expect_error.text_content()
    assert page.locator("#app").is_hidden()

    clock.advance(minutes=11)
    signed_in(page)
    assert page.locator("#hall-name").text_content() == "测试政务服务中心"
    # The English switch is remembered across a reload.
    page.click("#lang-toggle")
    page.reload()
    page.wait_for_selector(".zone-card")
    assert page.locator("nav a[data-view=dashboard]").text_content() == "Live hall"


def test_the_console_asks_to_sign_in_again_when_the_session_expires(hub, console, clock):
    """Left alone for 31 minutes, the open console is signed out by the hub (its event stream
    closed), says so, and the next sign-in works."""
    page = console
    signed_in(page)
    assert "admin" in page.locator("#me").text_content()
    clock.advance(minutes=31)
    page.wait_for_selector("#login-view:not([hidden])", timeout=10000)
    assert "登录已失效" in page.locator("#login-error").text_content()
    signed_in(page)


def test_sign_in_without_an_account_says_how_to_make_one(hub, page):
    """Bad input: any name and password on a hub where no console account was ever made."""
    page.goto(f"{hub.url}/console")
    sign_in(page, "anything-at-all")
    page.wait_for_function("document.querySelector('#login-error').textContent.includes('hallq hub user add')")


def test_console_api_refuses_a_kiosk_token(hub):
    """Bad input: a kiosk's token on the console's API, and no token at all."""
    kiosk = hub.pair("kiosk", "K")
    r = httpx.get(f"{hub.url}/api/v1/console/overview", verify=hub.ssl, headers={"Authorization": f"Bearer {kiosk}"})
    assert r.status_code == 403
    assert httpx.get(f"{hub.url}/api/v1/console/overview", verify=hub.ssl).status_code == 401


# ---- the live hall --------------------------------------------------------------------------
def test_a_ticket_from_a_kiosk_appears_on_the_dashboard_without_reload(hub, console):
    page = console
    signed_in(page)
    page.evaluate("window.__notReloaded = true")
    general = page.locator(".zone-card[data-zone=general] .zone-waiting")
    assert general.text_content() == "0"
    ticket = kiosk_issue(hub, "property")
    # The dashboard polls only every 15 s; within 5 s the change can only come from the event stream.
    page.wait_for_function("document.querySelector('.zone-card[data-zone=general] .zone-waiting').textContent === '1'",
                           timeout=5000)
    assert page.locator("#total-waiting").text_content() == "1"
    assert page.evaluate("window.__notReloaded") is True
    assert ticket["number"] == "A001"


def test_alert_when_a_zone_has_waiting_tickets_but_no_open_window(hub, console, clock):
    page = console
    signed_in(page)
    assert page.locator(".alert").count() == 0
    kiosk_issue(hub, "pension")
    # one alert naming the ticket: the zone's own "no open window" alert would repeat it
    alert = page.locator(".alert[data-kind=stranded][data-zone=social]")
    alert.wait_for(timeout=5000)
    assert "1 人在等候但没有开放的窗口能叫号（B001）" in alert.text_content()
    assert page.locator(".alert").count() == 1
    assert "stranded" in page.locator(".zone-card[data-zone=social]").get_attribute("class")

    async def open_window():
        caller = HubClient(hub.url, hub.pair("caller", "2号叫号器", 2), trust=hub.trust, retry_delay=0.05)
        await caller.login(2, "c002", "2222")
        await caller.aclose()
    run_async(open_window)
    alert.wait_for(state="detached", timeout=5000)

    # Past the 30-minute threshold the long wait is flagged too (the manager keeps using the
    # console meanwhile, or the sign-in would end after 30 idle minutes).
    clock.advance(minutes=20)
    page.reload()
    page.wait_for_selector(".zone-card")
    clock.advance(minutes=11)
    page.reload()
    long_wait = page.locator(".alert[data-kind=long_wait][data-zone=social]")
    long_wait.wait_for()
    assert "B001" in long_wait.text_content() and "31 分钟" in long_wait.text_content()


# ---- devices --------------------------------------------------------------------------------
def test_pair_a_device_with_a_code_then_revoke_it(hub, console):
    """Bad input: a wrong pairing code (clear error), and the revoked device's token afterwards."""
    page = console
    signed_in(page)
    page.click("nav a[data-view=devices]")
    page.select_option("#pair-role", "kiosk")
    page.fill("#pair-name", "二楼取号机")
    page.click("#pair-make")
    page.wait_for_selector("#code-box:not([hidden])")
    code = page.locator("#code-value").text_content()
    assert re.fullmatch(r"\d{6}", code)
    assert "二楼取号机" in page.locator("#code-title").text_content()
    shown = page.locator("#code-fingerprint").text_content()
    assert spaced(hub.server.tls.fingerprint) in shown and "证书指纹" in shown

    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(HubError) as refused:
        run_async(lambda: HubClient.pair(hub.url, wrong))
    assert refused.value.code == "PAIRING_CODE_INVALID" and "配对码不正确" in refused.value.message

    token, pinned = run_async(lambda: HubClient.pair(hub.url, code))
    assert pinned.fingerprint == hub.server.tls.fingerprint  # the hall CA, as the hub prints it
    loop = BackgroundLoop()
    device = HubClient(hub.url, token, trust=pinned, retry_delay=0.05, max_backoff=0.3)
    try:
        me = loop.run(device.me())
        assert me["name"] == "二楼取号机" and me["role"] == "kiosk"
        with pytest.raises(HubError):  # a code is good once
            run_async(lambda: HubClient.pair(hub.url, code))
        connections: list[bool] = []
        device.on_connection(lambda change: connections.append(change["connected"]))

        async def listen():
            device.start_events()
        loop.run(listen())
        wait_until(lambda: device.connected)

        row = page.locator("#device-rows tr[data-name='二楼取号机']")
        page.click("nav a[data-view=dashboard]")
        page.click("nav a[data-view=devices]")
        row.locator(".badge.online").wait_for()
        page.once("dialog", lambda d: d.accept())
        row.locator("button:has-text('撤销')").click()
        row.locator(".badge.revoked").wait_for()

        with pytest.raises(HubError) as gone:
            loop.run(device.me())
        assert gone.value.status == 401
        wait_until(lambda: not device.connected)  # its open event stream was closed at once
        # Reconnecting is refused at the handshake, so the device (still retrying) hears nothing
        # more: a ticket another kiosk takes after the revocation never reaches it.
        assert event_stream_status(hub, token) == 403
        seq = issue_answer(hub, "property")["seq"]
        assert device.last_seq < seq and not device.connected
        assert connections[-1] is False and connections.count(True) == 1
        page.click("nav a[data-view=audit]")
        page.wait_for_selector("#audit-rows tr[data-action='device.revoked']")
        assert page.locator("#audit-rows tr[data-action='device.paired']").count() == 1
    finally:
        loop.run(device.aclose())
        loop.close()


def test_a_pairing_code_expires_after_ten_minutes(hub, console, clock):
    """Bad input: a code used 11 minutes after it was made."""
    page = console
    signed_in(page)
    page.click("nav a[data-view=devices]")
    page.select_option("#pair-role", "caller")
    page.fill("#pair-name", "2号窗口叫号器")
    page.select_option("#pair-window", "2")
    page.click("#pair-make")
    page.wait_for_selector("#code-box:not([hidden])")
    code = page.locator("#code-value").text_content()
    clock.advance(minutes=11)
    with pytest.raises(HubError) as refused:
        run_async(lambda: HubClient.pair(hub.url, code))
    assert refused.value.code == "PAIRING_CODE_INVALID"


# ---- editing the hall -----------------------------------------------------------------------
def open_config(page, tab: str) -> None:
    page.click("nav a[data-view=config]")
    page.click(f"button[data-tab={tab}]")
    page.wait_for_selector(f"table[data-section={tab}] tbody tr")


def test_edit_hours_and_add_a_service_take_effect_without_restart(hub, console):
    """Bad input: opening hours that close before they open (refused, field named, nothing saved)."""
    page = console
    signed_in(page)
    open_config(page, "zones")
    page.click("table[data-section=zones] tr[data-id=social] button:has-text('编辑')")
    close = page.locator("#editor .hours-row").first.locator("[name=close]")
    days = page.locator("#editor .hours-row").first.locator("[name=days]")
    # the editor names the days as people say them too, not "mon-fri"
    assert days.evaluate("s => s.selectedOptions[0].textContent") == "周一至周五"
    assert "mon" not in page.locator("#editor .hours-list").inner_text()
    close.fill("08:00")
    page.click("#editor-save")
    page.wait_for_function("document.querySelector('#editor-error').textContent.includes('close 08:00 must be after open')")
    assert "zones.social.hours[1]" in page.locator("#editor-error").text_content()
    assert [h["close"] for z in hall_of(hub)["zones"] if z["id"] == "social" for h in z["hours"]] == ["17:30"]

    close.fill("18:30")
    days.select_option(label="周一至周六")
    page.click("#editor-save")
    page.wait_for_selector("#editor", state="detached")
    social = next(z for z in hall_of(hub)["zones"] if z["id"] == "social")
    assert (social["hours"][0]["days"], social["hours"][0]["close"]) == ("mon-sat", "18:30")
    # the table reads as people say it, not as the hall file writes it ("mon-fri")
    cell = "table[data-section=zones] tr[data-id={}] td.hours"
    page.wait_for_function(f"document.querySelector('{cell.format('social')}').textContent.includes('18:30')")
    assert page.inner_text(cell.format("social")).startswith("周一至周六 09:00–18:30")
    assert "周六 09:00–12:00" in page.inner_text(cell.format("general"))
    assert "mon" not in page.inner_text("table[data-section=zones]")

    open_config(page, "services")
    page.click("button[data-add=services]")
    page.fill("#editor [name=id]", "marriage-proof")
    page.fill("#editor [name=name]", "婚姻状况证明")
    page.select_option("#editor [name=zone]", "general")
    page.fill("#editor [name=minutes]", "12")
    page.click("#editor-save")
    page.wait_for_selector("table[data-section=services] tr[data-id=marriage-proof]")
    added = next(s for s in hall_of(hub)["services"] if s["id"] == "marriage-proof")
    assert added["name"] == "婚姻状况证明" and added["zone"] == "general" and added["windows"] == [1]
    assert kiosk_issue(hub, "marriage-proof")["number"] == "A001"  # kiosks can issue it at once

    page.click("nav a[data-view=audit]")
    page.wait_for_selector("#audit-rows tr[data-action='config.services.create']")
    zone_row = page.locator("#audit-rows tr[data-action='config.zones.update']")
    assert "18:30" in zone_row.text_content() and "修改服务区" in zone_row.text_content()

    # The edited layout outlives a restart of the hub (the database wins over the TOML file).
    hub.stop()
    hub.start()
    assert any(s["id"] == "marriage-proof" for s in hall_of(hub)["services"])


def test_removing_a_service_with_waiting_tickets_is_refused(hub, console):
    """Bad input: deleting a service while one of its tickets waits, and taking the last window
    off a service with a waiting ticket; both refused with the ticket count, nothing changes."""
    page = console
    signed_in(page)
    kiosk_issue(hub, "property")
    kiosk_issue(hub, "self-print")
    before = hall_of(hub)
    open_config(page, "services")
    page.on("dialog", lambda d: d.accept())
    page.click("table[data-section=services] tr[data-id=property] button:has-text('删除')")
    error = page.locator("#config-error")
    error.wait_for()
    assert "1 张等候中的票" in error.text_content() and "A001" in error.text_content()
    assert page.locator("table[data-section=services] tr[data-id=property]").count() == 1

    open_config(page, "windows")
    page.click("table[data-section=windows] tr[data-id='4'] button:has-text('删除')")  # the only self-print window
    page.wait_for_function("(document.querySelector('#config-error')||{}).textContent?.includes('Z001')")
    assert "1 张等候中的票" in page.locator("#config-error").text_content()
    after = hall_of(hub)
    assert after["services"] == before["services"] and after["windows"] == before["windows"]
    page.click("nav a[data-view=audit]")
    page.wait_for_selector("#audit-rows tr")
    assert page.locator("#audit-rows tr[data-action^='config.']").count() == 0


def test_clerks_can_be_added_disabled_and_given_a_new_pin(hub, console):
    """Bad input: a new clerk without a PIN (refused), a disabled clerk logging in (refused)."""
    page = console
    signed_in(page)
    open_config(page, "clerks")
    page.click("button[data-add=clerks]")
    page.fill("#editor [name=id]", "c010")
    page.fill("#editor [name=name]", "赵新")
    page.click("#editor-save")
    page.wait_for_function("document.querySelector('#editor-error').textContent.includes('4-8 位数字密码')")
    page.fill("#editor [name=pin]", "482913")
    page.click("#editor-save")
    page.wait_for_selector("table[data-section=clerks] tr[data-id=c010]")

    async def login(clerk, pin):
        caller = HubClient(hub.url, hub.pair("caller", "2号叫号器", 2), trust=hub.trust, retry_delay=0.05)
        try:
            await caller.login(2, clerk, pin)
            await caller.logout(2)
        finally:
            await caller.aclose()
    run_async(lambda: login("c010", "482913"))

    page.click("table[data-section=clerks] tr[data-id=c010] button:has-text('停用')")
    page.wait_for_selector("table[data-section=clerks] tr[data-id=c010] .badge.revoked")
    with pytest.raises(HubError) as refused:
        run_async(lambda: login("c010", "482913"))
    assert refused.value.code == "BAD_LOGIN"

    page.once("dialog", lambda d: d.accept("7777"))
    page.click("table[data-section=clerks] tr[data-id=c001] button:has-text('重置密码')")
    page.wait_for_selector("#toast.show")
    run_async(lambda: login("c001", "7777"))
    page.click("nav a[data-view=audit]")
    page.wait_for_selector("#audit-rows tr[data-action='config.clerks.update']")
    assert "7777" not in page.locator("#audit-table").text_content()  # PINs never reach the log


# ---- no stranded citizen, and why a ticket jumped (issue 10) ----------------------------------
def at_window(hub, window: int, act):
    """`act(client)` on a caller paired for `window` (a fresh client per run: each run has its own loop)."""
    async def go():
        client = HubClient(hub.url, hub.pair("caller", f"{window}号叫号器", window), trust=hub.trust, retry_delay=0.05)
        try:
            return await act(client)
        finally:
            await client.aclose()
    return run_async(go)


def test_a_confirmed_logout_that_strands_tickets_alerts_at_once_and_one_action_moves_them(hub, console):
    """Tried first: the logout without confirming, which is refused naming the tickets and changes nothing."""
    page = console
    signed_in(page)
    at_window(hub, 3, lambda c: c.login(3, "c003", "3333"))
    at_window(hub, 2, lambda c: c.login(2, "c002", "2222"))
    # Window 3 is the only open window for 不动产 (window 1, which serves it too, is closed).
    a1, a2 = kiosk_issue(hub, "property"), kiosk_issue(hub, "property")
    with pytest.raises(HubError) as refused:
        at_window(hub, 3, lambda c: c.logout(3))
    assert refused.value.code == "WOULD_STRAND" and refused.value.params["tickets"] == "A001、A002"
    assert "2 位群众（A001、A002）将没有窗口叫号" in refused.value.message
    assert page.locator(".alert[data-kind=stranded]").count() == 0
    assert at_window(hub, 3, lambda c: c.logout(3, strand=True))["stranded"] == ["A001", "A002"]

    # The dashboard polls every 15 s; within 5 s the alert can only come from the logout's event.
    alert = page.locator(".alert[data-kind=stranded][data-service=property]")
    alert.wait_for(timeout=5000)
    assert "“不动产登记”：2 人在等候但没有开放的窗口能叫号（A001、A002）" in alert.text_content()
    # one alert for A001/A002: the zone's "no open window" alert would name the same two again
    assert page.locator(".alert[data-kind=no_window]").count() == 0
    # only windows that handle 不动产 are offered (not window 2, open but 人社 only), and the
    # console says none of them is open
    options = alert.locator(".move-target option")
    assert options.all_text_contents() == ["1 综合窗口1（未开放）", "3 不动产窗口（未开放）"]
    assert "办理这些事项的窗口都未开放" in alert.text_content()
    alert.locator(".move-button").click()  # to window 1's line, the default, for the clerk signing in
    page.locator(".alert[data-kind=stranded]", has_text="转到 1 号窗口的 2 人（A001、A002）").wait_for(timeout=5000)
    # Both now wait in window 1's own line, in their order.
    at_window(hub, 1, lambda c: c.login(1, "c001", "1111"))
    assert at_window(hub, 1, lambda c: c.call_next(1))["ticket"]["number"] == a1["number"]
    page.click("nav a[data-view=audit]")
    row = page.locator("#audit-rows tr[data-action='tickets.move']")
    row.wait_for()
    assert "A001" in row.text_content() and "A002" in row.text_content() and a2["number"] == "A002"


def test_the_console_says_why_a_ticket_past_the_age_limit_was_called_first(hub, console, clock):
    old = kiosk_issue(hub, "pension")
    clock.advance(minutes=61)  # the test hall keeps the default age limit: 60 minutes
    page = console
    signed_in(page)

    async def priority_ticket():
        kiosk = HubClient(hub.url, hub.pair("kiosk", "取号机"), trust=hub.trust, retry_delay=0.05)
        try:
            return (await kiosk.issue_ticket("pension", priority_reason="pregnant"))["ticket"]
        finally:
            await kiosk.aclose()
    run_async(priority_ticket)  # 绿色通道 would go first at a window's first call

    async def login_and_call(c):
        await c.login(2, "c002", "2222")
        return (await c.call_next(2))["ticket"]
    called = at_window(hub, 2, login_and_call)
    assert called["number"] == old["number"] and called["call_reason"] == "age_limit"
    page.wait_for_function(
        "document.querySelector(\".win[data-window='2'] .win-sub\").textContent.includes('等候超时优先叫号')",
        timeout=5000)
    assert page.locator(".win[data-window='2'] .win-main").text_content() == old["number"]


def test_the_window_editor_shows_services_its_zones_cover_as_ticked_and_fixed(hub, console):
    """Tried: ticking a zone and unticking it again, which gives a service back its own (unticked) box."""
    page = console
    signed_in(page)
    open_config(page, "windows")
    page.click("table[data-section=windows] tr[data-id='2'] button:has-text('编辑')")  # 人社窗口: zone social
    box = lambda service: page.locator(f"#editor input[name=services][value={service}]")  # noqa: E731
    assert box("pension").is_checked() and box("pension").is_disabled()  # 人社 covers it
    assert not box("property").is_checked() and box("property").is_enabled()
    general = page.locator("#editor input[name=zones][value=general]")
    general.check()
    assert box("property").is_checked() and box("property").is_disabled()
    general.uncheck()
    assert not box("property").is_checked() and box("property").is_enabled()
    box("property").check()
    page.click("#editor-save")
    page.wait_for_selector("#editor", state="detached")
    window = next(w for w in hall_of(hub)["windows"] if w["id"] == 2)
    assert window["services"] == ["pension", "property", "ss-card"]  # its zone's two and the one ticked


def test_the_english_menu_and_long_names_are_not_broken_or_cut_on_a_laptop_screen(hub, console):
    page = console
    page.set_viewport_size({"width": 1100, "height": 800})
    signed_in(page)
    page.click("#lang-toggle")
    page.wait_for_function("document.querySelector('nav a[data-view=dashboard]').textContent === 'Live hall'")
    lines = """el => { const r = document.createRange(); r.selectNodeContents(el);
                       return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"""
    for item in page.locator("nav a:visible, .top-right button:visible, #me").all():
        assert item.evaluate(lines) == 1, item.text_content()  # "Live/hall", "Sign/out" read as two words
    assert page.locator(".topbar").bounding_box()["height"] == 58
    # a long zone name takes two lines (not "Construction Per…"); longer still, its tooltip has it whole
    name = page.locator(".zone-card[data-zone=social] .zone-name")
    name.evaluate("el => el.textContent = 'Construction Permits'")
    assert name.evaluate("el => el.scrollHeight <= el.clientHeight") and name.evaluate(lines) == 2
    assert name.get_attribute("title") == "Social security"
