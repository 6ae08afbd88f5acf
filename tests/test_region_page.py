"""The region's page in real Chromium: every hall live, in the hall console's look."""
from __future__ import annotations

import psycopg
from playwright.sync_api import sync_playwright

from region.halls import add_hall
from tests.region_pg import postgres, region_dsn  # noqa: F401  (fixtures)
from tests.test_region_upstream import a_morning, region, up  # noqa: F401  (region: a fixture)
from web_fixtures import CHROMIUM, CHROMIUM_ARGS, trusting


def test_the_region_page_lists_every_hall_live(region, region_dsn, clock, tmp_path):  # noqa: F811
    with psycopg.connect(region_dsn, autocommit=True) as conn:
        morning = add_hall(conn, "baoan-1", "宝安区政务服务中心", clock.now())
        add_hall(conn, "quiet", "<b>未上报</b>大厅", clock.now())  # a name is shown as written, never as markup
    with up(region, morning) as client:
        client.post("/api/v1/upstream/events", json={"events": a_morning()}).raise_for_status()
    clock.advance(minutes=13)  # 09:43: the four left waiting were issued at 09:30
    ca = tmp_path / "region-ca.pem"
    ca.write_text(region.tls.ca_pem)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, trusting(ca)])
        page = browser.new_page(viewport={"width": 1280, "height": 700}, locale="zh-CN")
        page.goto(region.url + "/")
        cells = page.locator('tr[data-hall="baoan-1"] td').all_inner_texts()
        quiet = page.locator('tr[data-hall="quiet"] td').all_inner_texts()
        background = page.eval_on_selector(".topbar", "e => getComputedStyle(e).backgroundColor")
        browser.close()
    # waiting 4, no window open (one paused), kiosk-1 out of paper, last event at 09:51 Beijing time
    assert cells[0].startswith("宝安区政务服务中心") and cells[1:5] == ["4", "0", "13", "1"]
    assert cells[5] == "2026-11-23 09:51:00" and cells[6] == "22"
    assert quiet[0].startswith("<b>未上报</b>大厅") and quiet[1:3] == ["0", "0"]
    assert background == "rgb(23, 52, 106)"  # console.css's top bar
