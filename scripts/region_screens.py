"""Screenshots of the region: the citizens' 就近办 page, and its console (sign-in, every hall live, one
hall drilled down, the cross-hall report): a throwaway PostgreSQL, a region, a few halls shipped part of a generated day (so some citizens
are still waiting; one hall has followed up some of its 差评), headless Chromium.

    python scripts/region_screens.py OUT_DIR
"""
from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import psycopg
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.region_ingest import business_day  # noqa: E402
from hub.client.trust import HallTrust  # noqa: E402
from region.accounts import add_account  # noqa: E402
from region.halls import add_hall  # noqa: E402
from region.server import RegionServer  # noqa: E402
from tests.region_pg import LocalPostgres  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu"]
# (code, name, tickets a day, windows): a busy district centre, two street centres, a community centre
HALLS = [("baoan", "宝安区政务服务中心", 1500, 24), ("xixiang", "西乡街道便民服务中心", 400, 6),
         ("fuyong", "福永街道便民服务中心", 400, 5), ("xinan-1", "新安街道海旺社区党群服务中心", 60, 1)]


NAMES = {"business-license": "营业执照办理", "pension": "养老保险", "ss-card": "社保卡", "property": "不动产登记",
         "medical": "医保报销", "housing-fund": "公积金提取", "tax": "税务申报", "residence": "居住证办理"}


def profile(name: str, code: str) -> dict:
    """What the hall's hub would send: one zone open on weekdays, the generated day's services."""
    return {"name": name, "timezone": "Asia/Shanghai", "url": f"https://{code}.hall.example",
            "zones": [{"id": "general", "name": "综合服务区", "hours": [{"days": "mon-fri", "open": "09:00",
                                                                     "close": "17:00"}]}],
            "services": [{"id": s, "name": n, "zone": "general"} for s, n in NAMES.items()]}


class NoonClock:
    """The region's clock at the moment the halls' shipped events reach (a generated day's midday)."""

    def __init__(self, when: datetime):
        self.when = when

    def now(self) -> datetime:
        return self.when


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    pg = LocalPostgres().start()
    region = None
    try:
        dsn = pg.create("screens")
        region = RegionServer(dsn, out / "region-data", clock=NoonClock(
            datetime(2026, 11, 23, 13, 0, tzinfo=timezone(timedelta(hours=8))))).start()
        trust = HallTrust(region.tls.ca_pem, region.tls.fingerprint).context()
        with psycopg.connect(dsn, autocommit=True) as conn:
            add_account(conn, "张科长", "viewer", "region-screens-1", datetime.now(timezone.utc))
            for i, (code, name, tickets, windows) in enumerate(HALLS):
                credential = add_hall(conn, code, name, datetime.now(timezone.utc))
                day = business_day(tickets, windows, seed=i)
                cut = [e for e in day if e["at"] < "2026-11-23T13:00"]  # what had happened by 13:00
                with httpx.Client(base_url=region.url, verify=trust,
                                  headers={"Authorization": f"Bearer {credential}"}) as client:
                    client.put("/api/v1/upstream/profile", json=profile(name, code)).raise_for_status()
                    for j in range(0, len(cut), 500):
                        client.post("/api/v1/upstream/events", json={"events": cut[j:j + 500]}).raise_for_status()
                if code == "baoan":  # two of its 差评 followed up: one handled, one rectified
                    bad = [t for (t,) in conn.execute("SELECT ticket_id FROM tickets t JOIN halls h ON h.id = t.hall_id"
                                                      " WHERE h.code = 'baoan' AND score <= 2 ORDER BY ticket_id")]
                    ups = [{"ticket_id": t, "state": state, "updated_at": "2026-11-23T12:30:00+08:00"}
                           for t, state in zip(bad, ("handled", "rectified"))]
                    with httpx.Client(base_url=region.url, verify=trust,
                                      headers={"Authorization": f"Bearer {credential}"}) as client:
                        client.post("/api/v1/upstream/followups", json={"followups": ups}).raise_for_status()
                if code == "fuyong":
                    fault = {"seq": len(cut) + 1, "type": "device.status", "v": 1, "at": "2026-11-23T12:59:00+08:00",
                             "data": {"device": "kiosk-2", "fault": "paper_out"}}
                    with httpx.Client(base_url=region.url, verify=trust,
                                      headers={"Authorization": f"Bearer {credential}"}) as client:
                        client.post("/api/v1/upstream/events", json={"events": [fault]}).raise_for_status()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 600}, ignore_https_errors=True)
            page.goto(region.url + "/nearby?service=pension")  # the citizens' page: no sign-in
            page.screenshot(path=str(out / "region-nearby.png"), full_page=True)
            page.goto(region.url + "/")
            page.fill("input[name=name]", "张科长")
            page.screenshot(path=str(out / "region-login.png"), full_page=True)
            page.fill("input[name=password]", "region-screens-1")
            page.click("button[type=submit]")
            page.wait_for_url(region.url + "/")
            page.screenshot(path=str(out / "region-halls.png"), full_page=True)
            page.goto(region.url + "/halls/fuyong")
            page.screenshot(path=str(out / "region-hall.png"), full_page=True)
            page.goto(region.url + "/reports?from=2026-11-23&to=2026-11-23&by=hall")
            page.screenshot(path=str(out / "region-report.png"), full_page=True)
            browser.close()
        for name in ("nearby", "login", "halls", "hall", "report"):
            print(out / f"region-{name}.png")
        return 0
    finally:
        if region:
            region.stop()
        pg.close()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "region-screens")))
