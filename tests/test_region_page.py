"""The region console in real Chromium: a named sign-in, every hall live in the hall console's look, one
hall drilled down, and a session that ends when left idle."""
from __future__ import annotations

import psycopg
from playwright.sync_api import sync_playwright

from region.accounts import add_account
from region.halls import add_hall
from tests.region_pg import postgres, region_dsn  # noqa: F401  (fixtures)
from tests.test_region_upstream import a_morning, region, up  # noqa: F401  (region: a fixture)
from web_fixtures import CHROMIUM, CHROMIUM_ARGS, trusting


def rows(page, table: str) -> list[list[str]]:
    return [r.locator("td").all_inner_texts() for r in page.locator(f"#{table} tbody tr").all()]


def test_the_region_console_signs_in_shows_every_hall_live_and_drills_down(region, region_dsn, clock,  # noqa: F811
                                                                            tmp_path):
    with psycopg.connect(region_dsn, autocommit=True) as conn:
        morning = add_hall(conn, "baoan-1", "宝安区政务服务中心", clock.now())
        add_hall(conn, "quiet", "<b>未上报</b>大厅", clock.now())  # a name is shown as written, never as markup
        add_account(conn, "张科长", "viewer", "county-pass-1", clock.now())
    with up(region, morning) as client:
        client.post("/api/v1/upstream/events", json={"events": a_morning()}).raise_for_status()
    clock.advance(minutes=13)  # 09:43: the four left waiting were issued at 09:30
    ca = tmp_path / "region-ca.pem"
    ca.write_text(region.tls.ca_pem)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, trusting(ca)])
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page.goto(region.url + "/")
        assert page.url == region.url + "/login"  # nothing shown before a sign-in
        page.fill("input[name=name]", "张科长")
        page.fill("input[name=password]", "not-the-password")
        page.click("button[type=submit]")
        wrong = page.inner_text("#sign-in-error")
        page.fill("input[name=name]", "张科长")
        page.fill("input[name=password]", "county-pass-1")
        page.click("button[type=submit]")
        page.wait_for_url(region.url + "/")
        me = page.inner_text("#me")
        cells = page.locator('tr[data-hall="baoan-1"] td').all_inner_texts()
        quiet = page.locator('tr[data-hall="quiet"] td').all_inner_texts()
        background = page.eval_on_selector(".topbar", "e => getComputedStyle(e).backgroundColor")

        page.click('tr[data-hall="baoan-1"] a')  # drill down
        page.wait_for_url(region.url + "/halls/baoan-1")
        name = page.inner_text("#hall-name")
        waiting, windows, faults, days = (rows(page, t) for t in ("waiting", "windows", "faults", "days"))

        page.click("nav a[href='/reports']")  # the cross-hall report, by service for the morning's day
        page.fill("input[name=from]", "2026-11-23")
        page.fill("input[name=to]", "2026-11-23")
        page.select_option("select[name=by]", "service")
        page.click("#report-form button[type=submit]")
        page.wait_for_url("**/reports?*by=service*")
        report = {r[0]: r[1:] for r in rows(page, "report")}
        csv_link = page.get_attribute("#csv", "href")

        clock.advance(minutes=31)  # left idle longer than a session lasts
        page.goto(region.url + "/halls/baoan-1")
        expired_at = page.url
        browser.close()
    assert "用户名或密码不正确" in wrong and "Wrong user name or password" in wrong
    assert me == "张科长 · 只读查看"
    # waiting 4, no window open (one paused), kiosk-1 out of paper, last heard from at 09:30 Beijing time
    assert cells[0].startswith("宝安区政务服务中心") and cells[1:5] == ["4", "0", "13", "1"]
    assert cells[5] == "2026-11-23 09:30:00" and cells[6:9] == ["0", "22", "设备故障"]
    assert quiet[0].startswith("<b>未上报</b>大厅") and quiet[1:3] == ["0", "0"] and quiet[8] == ""
    assert background == "rgb(23, 52, 106)"  # console.css's top bar

    assert name == "宝安区政务服务中心"
    assert waiting == [["business-license", "3", "13"], ["pension", "1", "13"]]  # ticket 4 moved to pension
    assert windows == [["1", "关闭", ""], ["2", "暂停", "c002"]]
    assert faults == [["kiosk-1", "paper_out"]]
    # waits end at the first call: ticket 1 5 min, ticket 3 13 (requeued, not a no-show), ticket 4 17 (then
    # moved to pension); ticket 1 served 5 (serving 09:36 to finished 09:41)
    assert days == [["2026-11-23", "business-license", "5", "1", "0", "9.0", "5.0"],
                    ["2026-11-23", "pension", "1", "0", "0", "17.0", ""]]
    # tickets, served, no-shows, cancelled, mean wait, p90, mean service, ratings, satisfied %, 差评, 处置率, 整改率
    assert report["business-license"] == ["5", "1", "0", "1", "5.0", "5.5", "5.0", "1", "0.0", "1", "0.0", "0.0"]
    assert report["pension"][:4] == ["1", "0", "0", "0"] and report["全部大厅合计 / All halls"][0] == "6"
    assert csv_link == "/reports.csv?from=2026-11-23&to=2026-11-23&by=service"
    assert expired_at == region.url + "/login"
