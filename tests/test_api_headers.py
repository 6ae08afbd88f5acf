"""Security headers on every answer, and the hub's own pages still work under that CSP in real Chromium."""
from __future__ import annotations

import asyncio

import httpx
import pytest

from hall_http import HallHttp
from web_fixtures import browser  # noqa: F401

PASSWORD = "hall-manager-1"
EXPECTED = {"x-frame-options": "DENY", "referrer-policy": "no-referrer", "x-content-type-options": "nosniff"}

# Records every CSP violation the page meets (init scripts run outside the page's CSP).
WATCH_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture
def page(browser):  # noqa: F811
    """A desktop page that obeys the hub's CSP (the shared `page` fixture bypasses it)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(8000)
    yield pg
    context.close()


@pytest.fixture
def desk(hub):
    d = HallHttp(hub)
    yield d
    d.close()


def assert_secured(response: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.url, name)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert "strict-transport-security" not in response.headers or response.url.scheme == "https"


def test_every_kind_of_answer_carries_the_headers(hub, desk):
    ticket = desk.issue()
    with httpx.Client(base_url=hub.url, verify=False, timeout=10) as web:
        answers = [web.get("/console"), web.get("/console/reports"), web.get(ticket["url"].replace(hub.url, "")),
                   web.get("/t/not-a-ticket-token-at-all"), web.get("/static/console.js"),
                   web.get("/api/v1/health"), web.get("/api/v1/snapshot"), web.get("/api/v1/no-such-route"),
                   web.post("/api/v1/console/login", content=b"x" * (2 * 1024 * 1024))]
    assert [a.status_code for a in answers] == [200, 200, 200, 404, 200, 200, 401, 404, 413]
    for answer in answers:
        assert_secured(answer)


def test_hsts_only_over_tls(tmp_path, clock):
    """Strict-Transport-Security is sent on answers over TLS, never over plain HTTP (it would be ignored,
    and pins nothing)."""
    from conftest import SMALL_HALL
    from hub.api.app import create_app
    from hub.server import build_service

    service = build_service(tmp_path / "h.db", SMALL_HALL, clock)
    app = create_app(service)

    async def get(base: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as c:
            return await c.get("/api/v1/health")

    over_tls, plain = asyncio.run(get("https://hub")), asyncio.run(get("http://hub"))
    service.close()
    assert over_tls.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in plain.headers


def test_the_api_docs_page_may_load_swagger_but_still_not_be_framed(hub):
    r = httpx.get(f"{hub.url}/api/v1/docs", verify=False)
    assert r.status_code == 200
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def watched(page):  # noqa: F811
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("error", "warning") else None)
    page.add_init_script(WATCH_CSP)
    return messages


def assert_no_csp_violation(page, messages) -> None:  # noqa: F811
    assert page.evaluate("window.__csp") == []
    assert not [m for m in messages if "Content Security Policy" in m], messages


def test_console_signs_in_and_goes_live_under_the_csp(hub, page):  # noqa: F811
    hub.server.service.set_console_password(PASSWORD)
    messages = watched(page)
    response = page.goto(f"{hub.url}/console")
    assert response.headers["x-frame-options"] == "DENY"
    page.fill("#user", "admin")  # set_console_password makes the account `admin`
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_selector(".zone-card")
    page.wait_for_selector("#live-status.on")  # its WebSocket connected: connect-src allows the hub
    assert page.evaluate("getComputedStyle(document.body).display") != "inline"  # its stylesheet applied
    assert_no_csp_violation(page, messages)


def test_reports_page_styles_and_figures_under_the_csp(hub, desk, page):  # noqa: F811
    desk.issue()
    messages = watched(page)
    page.goto(f"{hub.url}/console/reports#token={desk.token('console')}")
    page.wait_for_selector(".kpi[data-key='tickets'] .v")
    assert page.inner_text(".kpi[data-key='tickets'] .v") == "1"
    # The stylesheet moved out of the page still applies (the page background is its --bg).
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(238, 242, 247)"
    assert_no_csp_violation(page, messages)


def test_ticket_page_follows_live_under_the_csp(hub, desk, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, locale="zh-CN")
    phone = context.new_page()
    phone.set_default_timeout(8000)
    messages = watched(phone)
    mine = desk.issue()
    phone.goto(mine["url"])
    phone.wait_for_selector("#live[data-mode='live.on']")
    assert phone.inner_text("#number") == mine["number"]
    desk.login(1)
    desk.window(1, "call-next")
    phone.wait_for_selector("#page[data-state='called']")
    assert_no_csp_violation(phone, messages)
    context.close()
