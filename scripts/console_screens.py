"""Screenshots of the manager's console on a busy morning, for looking at the pages as a user would.

    python scripts/console_screens.py OUTDIR

Starts a hub on the default hall (a manual clock at Monday 09:40), issues tickets, opens and
pauses windows, reports a printer fault, then saves PNGs of sign-in, dashboard (1440x900),
devices/pairing, hall setup, the zone editor, the audit log and the reports page with its definitions.
"""
from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from hub.client import HubError  # noqa: E402
from hub.core.clock import ManualClock  # noqa: E402
from hub.server import HubServer, build_service  # noqa: E402

PASSWORD = "hall-manager-1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


async def morning(server: HubServer, clock: ManualClock) -> None:
    cfg = server.service.config
    kiosk = server.client("kiosk", "一楼取号机 1")
    server.pair("kiosk", "二楼取号机")
    server.pair("display", "大厅主屏")
    by_zone: dict[str, list[str]] = {}
    for s in cfg.services:
        by_zone.setdefault(s.zone, []).append(s.id)
    zones = list(by_zone)
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    # The windows open first: the hall issues no ticket for a service no open window serves.
    staffed = [w for w in cfg.windows if any(s in cfg.window_services(w.id) for z in zones[:4] for s in by_zone[z])][:9]
    # One paired caller per window, as in a hall (pairing again would list each window's caller twice).
    callers = {w.id: server.client("caller", f"{w.id}号窗口叫号器", w.id) for w in staffed}
    for w, clerk in zip(staffed, cfg.clerks):
        await callers[w.id].login(w.id, clerk.id, clerk.pin)
    for i in range(26):
        zone = zones[i % 5] if i < 20 else zones[0]
        try:
            await kiosk.issue_ticket(by_zone[zone][i % len(by_zone[zone])])
        except HubError:  # NO_WINDOW_OPEN: that zone is not staffed this morning
            pass
        clock.advance(minutes=1)
    clock.set(datetime(2026, 11, 23, 9, 40, tzinfo=ZoneInfo("Asia/Shanghai")))
    for n, w in enumerate(staffed):
        caller = callers[w.id]
        if n in (2, 6):  # a break that leaves people with no window: the console's stranded alert
            await caller.pause(w.id, "暂时离开" if n == 2 else "系统维护", strand=True)
        elif n % 3 != 1:
            result = await caller.call_next(w.id)
            if result["ticket"] and n % 2:
                await caller.serve(w.id)
        await caller.aclose()
    # The notary window leaves with two citizens waiting: the clerk confirmed; the console names them.
    notary = cfg.windows_serving("gz_gongzheng")[0]
    caller = server.client("caller", f"{notary}号窗口叫号器", notary)
    await caller.login(notary, cfg.clerks[len(staffed)].id, cfg.clerks[len(staffed)].pin)
    for _ in range(2):
        await kiosk.issue_ticket("gz_gongzheng")
    await caller.logout(notary, strand=True)
    await caller.aclose()
    clock.advance(minutes=4)
    await kiosk.report_status("paper_out")
    await kiosk.aclose()


def keep_online(server: HubServer, stop: threading.Event) -> None:
    """A display that stays connected, so the console shows a device online."""
    async def run():
        display = server.client("display", "等候区副屏")
        display.start_events()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        await display.aclose()
    asyncio.run(run())


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "out/console")
    out.mkdir(parents=True, exist_ok=True)
    # Set up before opening: devices are paired at 08:30, the windows open at 09:00 (a clock that went
    # back would list the kiosks as paired after the callers).
    clock = ManualClock(datetime(2026, 11, 23, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    tmp = tempfile.mkdtemp(prefix="hallq-screens-")
    server = HubServer(build_service(Path(tmp) / "hall.db", None, clock)).start()
    server.service.set_console_password(PASSWORD)
    asyncio.run(morning(server, clock))
    stop = threading.Event()
    online = threading.Thread(target=keep_online, args=(server, stop), daemon=True)
    online.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, ignore_https_errors=True)
            page.goto(f"{server.url}/console")
            page.fill("#user", "admin")
            page.fill("#password", "wrong-password")
            page.click("#login-button")
            page.wait_for_selector("#login-error:not(:empty)")
            page.screenshot(path=str(out / "1-login.png"))
            page.fill("#password", PASSWORD)
            page.click("#login-button")
            page.wait_for_selector(".zone-card")
            page.wait_for_timeout(400)
            page.screenshot(path=str(out / "2-dashboard.png"))
            page.screenshot(path=str(out / "2b-dashboard-full.png"), full_page=True)
            page.goto(f"{server.url}/console#devices")
            page.wait_for_selector("#device-rows tr")
            page.select_option("#pair-role", "caller")
            page.fill("#pair-name", "12号窗口叫号器")
            page.select_option("#pair-window", "12")
            page.click("#pair-make")
            page.wait_for_selector("#code-box:not([hidden])")
            page.screenshot(path=str(out / "3-devices.png"), full_page=True)
            page.goto(f"{server.url}/console#config")
            page.wait_for_selector("table[data-section=zones] tbody tr")
            page.screenshot(path=str(out / "4-config.png"))
            page.click("table[data-section=zones] tbody tr:first-child button:has-text('编辑')")
            page.wait_for_selector("dialog#editor[open]")
            page.screenshot(path=str(out / "5-zone-editor.png"))
            page.click("#editor button[type=button]:has-text('取消')")
            page.click("button[data-tab=windows]")
            page.click("table[data-section=windows] tbody tr:first-child button:has-text('编辑')")
            page.wait_for_selector("dialog#editor[open]")
            page.screenshot(path=str(out / "5b-window-editor.png"))
            page.click("#editor button[type=button]:has-text('取消')")
            page.goto(f"{server.url}/console#audit")
            page.wait_for_selector("#audit-rows tr")
            page.screenshot(path=str(out / "6-audit.png"))
            page.goto(f"{server.url}/console/reports")
            page.wait_for_selector("#definitions dd")
            page.screenshot(path=str(out / "8-reports.png"), full_page=True)
            page.goto(f"{server.url}/console#dashboard")
            page.click("#lang-toggle")
            page.wait_for_selector(".zone-card")
            page.wait_for_timeout(300)
            page.screenshot(path=str(out / "7-dashboard-en.png"))
            page.click("#lang-toggle")
            browser.close()
    finally:
        stop.set()
        online.join(timeout=5)
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    for png in sorted(out.glob("*.png")):
        print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
