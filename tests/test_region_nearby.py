"""就近办 at the region: two real hubs tell the region what they offer and when they open; anyone, without
signing in, picks a service and sees the halls offering it, fewest waiting first, in real Chromium."""
from __future__ import annotations

import asyncio

from playwright.sync_api import sync_playwright

from tests.conftest import until
from tests.region_pg import postgres, region_dsn  # noqa: F401  (fixtures)
from tests.test_region_upstream import credential_for, joined_hub, region, region_acked, stored, up  # noqa: F401
from web_fixtures import CHROMIUM, CHROMIUM_ARGS, trusting


async def test_a_citizen_finds_the_halls_offering_a_service_with_their_waits_and_hours(tmp_path, clock, hall_ca,
                                                                                   region, region_dsn):  # noqa: F811
    from hub.client import HubClient

    halls = {code: joined_hub(tmp_path, clock, hall_ca, region, credential_for(region_dsn, code, code, clock),
                              name=code) for code in ("east", "west")}
    clients = []
    try:
        for code, hall in halls.items():
            hall.start()
            hall.server.service.public_url = f"https://{code}.hall.example"
            kiosk = HubClient(hall.url, hall.pair("kiosk"), trust=hall.trust)
            clients.append(kiosk)
            for _ in range(3 if code == "east" else 1):
                await kiosk.issue_ticket("pension")
            await kiosk.issue_ticket("business-license")
        clock.advance(minutes=6)
        for code, hall in halls.items():
            last = hall.server.service.store.last_seq
            await until(lambda: region_acked(region_dsn, code) == last and stored(
                region_dsn, "SELECT profile ->> 'url' FROM halls WHERE code = %s", code)[0][0]
                == f"https://{code}.hall.example")
    finally:
        for client in clients:
            await client.aclose()
        for hall in halls.values():
            hall.stop()
    ca = tmp_path / "region-ca.pem"
    ca.write_text(region.tls.ca_pem)

    def look() -> tuple[list[str], list[list[str]], list[str]]:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, trusting(ca)])
            page = browser.new_page(viewport={"width": 1280, "height": 700}, locale="zh-CN")
            page.goto(region.url + "/nearby")  # no sign-in
            options = page.locator("select[name=service] option").all_inner_texts()
            page.select_option("select[name=service]", "pension")
            page.click("button[type=submit]")
            page.wait_for_url("**/nearby?service=pension")
            rows = [r.locator("td").all_inner_texts() for r in page.locator("#nearby tbody tr").all()]
            links = page.locator("#nearby tbody a").evaluate_all("links => links.map(a => a.href)")
            browser.close()
        return options, rows, links

    options, rows, links = await asyncio.to_thread(look)  # (Playwright's sync API runs off the test's loop)
    assert "养老保险 / Pension insurance" in options and "营业执照办理 / Business licence" in options
    # west has one waiting for pension, east three: west first; both waited 6 minutes; the social zone's hours
    assert [r[:4] for r in rows] == [["测试政务服务中心", "1", "6", "mon-fri 09:00–17:30"],
                                     ["测试政务服务中心", "3", "6", "mon-fri 09:00–17:30"]]
    assert links == ["https://west.hall.example/", "https://east.hall.example/"]


def test_a_hall_profile_needs_the_hall_credential_and_web_addresses_only(region, region_dsn, clock):  # noqa: F811
    profile = {"name": "大厅", "timezone": "Asia/Shanghai", "url": "javascript:alert(1)", "zones": [], "services": []}
    with up(region, credential_for(region_dsn, "h", "大厅", clock)) as hall:
        r = hall.put("/api/v1/upstream/profile", json=profile)  # a link that would run script on a public page
        assert (r.status_code, r.json()["code"]) == (400, "BAD_BATCH") and "url" in r.json()["message"]
    with up(region, None) as anyone:
        assert anyone.put("/api/v1/upstream/profile", json={**profile, "url": ""}).status_code == 401
    assert stored(region_dsn, "SELECT profile FROM halls") == [(None,)]
