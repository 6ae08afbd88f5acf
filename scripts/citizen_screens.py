"""Screenshots of the citizen's pages, the reports page and the window's evaluator.

    python scripts/citizen_screens.py OUTDIR

Starts a real hub (the default hall, a hand-moved clock, a temporary database), plays a
morning of tickets through its API, then saves:
  phone-waiting/-called/-rate/-thanks/-invalid.png (375x812), reports.png (1440x900),
  phone-hall.png, phone-hall-en.png, phone-book-slots.png, phone-book-phone.png, phone-booked.png,
  phone-book-refused.png, phone-book-holiday.png, phone-booking-cancelled.png (375x812),
  evaluator-idle/-rating/-reasons/-thanks.png (800x480).
Needs /usr/bin/chromium (never downloads a browser) and PySide6.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx  # noqa: E402

from hub.core.clock import ManualClock  # noqa: E402
from hub.server import HubServer, build_service  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
CHROMIUM = "/usr/bin/chromium"
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


# The scene's hall: the default one, booking 公积金提取 and 医保参保 online, closed for a county holiday.
BOOKING = """
[booking]
days_ahead = 7
cutoff_minutes = 60

[[booking.slots]]
services = ["gjj_tiqu", "yb_canbao"]
days = "mon-fri"
start = "09:00"
end = "12:00"
minutes = 30
capacity = 3

[[booking.slots]]
services = ["gjj_tiqu", "yb_canbao"]
days = "mon-fri"
start = "13:00"
end = "17:00"
minutes = 60
capacity = 4

[[calendar.closed]]
name = "县庆"
name_en = "County Day"
start = 2026-11-26
end = 2026-11-27
"""


class Hall:
    """A hub and plain HTTP calls to it, for building a scene step by step."""

    def __init__(self, db: Path):
        import assets

        self.clock = ManualClock(datetime(2026, 11, 23, 8, 50, tzinfo=TZ))
        hall_file = db.parent / "hall.toml"
        hall_file.write_text(assets.path("halls/default.toml").read_text(encoding="utf-8") + BOOKING, encoding="utf-8")
        self.server = HubServer(build_service(db, hall_file, self.clock)).start()
        self.config = self.server.service.config
        self.http = httpx.Client(base_url=self.server.url + "/api/v1", timeout=10, verify=self.server.trust.context())
        self.tokens: dict[str, str] = {}

    def token(self, role: str, window: int | None = None) -> str:
        key = f"{role}:{window}"
        if key not in self.tokens:
            self.tokens[key] = self.server.pair(role, f"{role} {window or ''}".strip(), window)
        return self.tokens[key]

    def post(self, token: str, path: str, **body) -> dict:
        r = self.http.post(path, json={"request_id": uuid.uuid4().hex, **body},
                           headers={"Authorization": f"Bearer {token}"})
        if r.status_code != 200:
            raise RuntimeError(f"{path}: {r.status_code} {r.text}")
        return r.json()

    def issue(self, service_id: str) -> dict:
        return self.post(self.token("kiosk"), "/tickets", service_id=service_id)["ticket"]

    def window(self, w: int, action: str, **body) -> dict:
        return self.post(self.token("caller", w), f"/windows/{w}/{action}", **body)

    def stop(self) -> None:
        self.http.close()
        self.server.stop()


def play_morning(hall: Hall) -> dict:
    """Tickets issued and served from 09:00; returns the tickets the phone shots show."""
    cfg = hall.config
    rng = random.Random(7)
    windows = [5, 6, 7]
    for i, w in enumerate(windows):
        clerk = cfg.clerks[i]
        hall.window(w, "login", clerk_id=clerk.id, pin=clerk.pin)
    services = sorted(s for s in cfg.window_services(5) & cfg.window_services(6) & cfg.window_services(7)
                      if cfg.service(s).zone == "zonghe")
    hall.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=TZ))
    done = []
    for step in range(34):
        hall.clock.advance(minutes=rng.choice([2, 3, 4, 5, 6]))
        for _ in range(rng.choice([0, 1, 1, 2])):
            hall.issue(rng.choice(services))
        w = windows[step % 3]
        called = hall.window(w, "call-next")["ticket"]
        if called is None:
            continue
        if rng.random() < 0.08:
            hall.window(w, "no-show")
            continue
        hall.window(w, "serve")
        hall.clock.advance(minutes=rng.choice([1, 2, 3]))
        done.append(hall.window(w, "finish")["ticket"])
    # Ratings from the windows' evaluators: mostly good, a few poor ones to follow up.
    for t in done:
        score = rng.choices([5, 4, 3, 2, 1], [60, 22, 8, 6, 4])[0]
        reasons = [rng.choice(["long_wait", "attitude", "slow"])] if score <= 2 else [rng.choice(["warm", "efficient"])]
        hall.post(hall.token("console"), f"/tickets/{t['id']}/evaluation", score=score, reasons=reasons,
                  comment="排队时间太长，希望增加窗口" if score == 1 else "")
    # The citizen whose phone we photograph: waiting with a few people ahead.
    mine = hall.issue(services[0])
    for _ in range(3):
        hall.issue(services[0])
    return {"mine": mine, "windows": windows}


def shoot_phone(hall: Hall, out: Path, scene: dict) -> None:
    from playwright.sync_api import sync_playwright

    mine = scene["mine"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                                locale="zh-CN", ignore_https_errors=True)
        page.goto(mine["url"])
        page.wait_for_selector("#live[data-mode='live.on']")
        page.screenshot(path=str(out / "phone-waiting.png"))

        # Every window finishes its current citizen and calls the next until ours is called at 5.
        busy = {w for w in scene["windows"] if hall.window(w, "call-next")["ticket"]}
        while page.locator("#page[data-state='called']").count() == 0:
            for w in scene["windows"][1:]:
                hall.clock.advance(minutes=2)
                if w in busy:
                    hall.window(w, "finish")
                if not hall.window(w, "call-next")["ticket"]:
                    busy.discard(w)
                else:
                    busy.add(w)
            page.wait_for_timeout(300)
        page.wait_for_timeout(200)
        page.screenshot(path=str(out / "phone-called.png"))

        ticket = hall.http.get(f"/public/tickets/{mine['token']}").json()["ticket"]
        w = ticket["window_id"]
        hall.window(w, "serve")
        hall.clock.advance(minutes=6)
        hall.window(w, "finish")
        page.wait_for_selector("#rate:not([hidden])")
        page.click(".score[data-score='2']")
        page.click(".chip[data-code='long_wait']")
        page.fill("#comment", "中午人多，希望多开窗口")
        page.screenshot(path=str(out / "phone-rate.png"))
        page.click(".score[data-score='5']")
        page.click(".chip[data-code='warm']")
        page.click(".chip[data-code='efficient']")
        page.click("#submit")
        page.wait_for_selector("#thanks:not([hidden])")
        page.screenshot(path=str(out / "phone-thanks.png"))

        page.goto(hall.server.url + "/t/not-a-real-ticket-token-000000")
        page.screenshot(path=str(out / "phone-invalid.png"))

        desk = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN", ignore_https_errors=True)
        desk.goto(f"{hall.server.url}/console/reports#token={hall.token('console')}")
        desk.wait_for_selector("#followup-table")
        desk.screenshot(path=str(out / "reports.png"))
        desk.screenshot(path=str(out / "reports-full.png"), full_page=True)
        browser.close()


def shoot_hall_and_booking(hall: Hall, out: Path) -> None:
    """The hall page in the busy morning, then booking 公积金提取 on the phone."""
    from playwright.sync_api import sync_playwright

    for n in range(5):  # others have booked Tuesday morning already
        hall.http.post("/public/bookings", json={"request_id": uuid.uuid4().hex, "service_id": "gjj_tiqu",
                                                 "day": "2026-11-24", "start": "09:30" if n < 3 else "10:00",
                                                 "phone": f"1390000{n:04d}"})
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                                locale="zh-CN", ignore_https_errors=True)
        page.on("dialog", lambda dialog: dialog.accept())
        base = hall.server.url
        page.goto(base + "/hall")
        page.wait_for_selector("#live[data-mode='live.on']")
        page.screenshot(path=str(out / "phone-hall.png"))
        page.screenshot(path=str(out / "phone-hall-full.png"), full_page=True)
        page.click("#lang")
        page.screenshot(path=str(out / "phone-hall-en.png"))
        page.click("#lang")

        page.goto(base + "/book")
        page.click(".choice[data-service='gjj_tiqu']")
        page.click(".day[data-date='2026-11-24']")
        page.wait_for_selector(".slot[data-start='09:00']")
        page.screenshot(path=str(out / "phone-book-slots.png"), full_page=True)
        page.click(".slot[data-start='10:00']")
        page.fill("#phone", "13800138000")
        page.screenshot(path=str(out / "phone-book-phone.png"), full_page=True)
        page.click("#submit")
        page.wait_for_selector("#booked:not([hidden])")
        page.screenshot(path=str(out / "phone-booked.png"), full_page=True)

        page.goto(base + "/book")
        page.click(".choice[data-service='gjj_tiqu']")
        page.click(".day[data-date='2026-11-24']")
        page.click(".slot[data-start='11:00']")
        page.fill("#phone", "13800138000")
        page.click("#submit")
        page.wait_for_selector("#error:not([hidden])")
        page.screenshot(path=str(out / "phone-book-refused.png"), full_page=True)

        page.goto(base + "/book")
        page.click(".choice[data-service='gjj_tiqu']")
        page.click(".day[data-date='2026-11-26']")
        page.wait_for_selector("#step-slot:not([hidden])")
        page.screenshot(path=str(out / "phone-book-holiday.png"), full_page=True)

        page.go_back()
        page.goto(base + "/book")
        booked = hall.http.post("/public/bookings", json={"request_id": uuid.uuid4().hex, "service_id": "yb_canbao",
                                                          "day": "2026-11-25", "start": "14:00",
                                                          "phone": "13600136000"}).json()["booking"]
        page.goto(base + "/b/" + booked["token"])
        page.wait_for_selector("#booked:not([hidden])")
        page.click("#cancel")
        page.wait_for_selector("#booked[data-state='cancelled']")
        page.screenshot(path=str(out / "phone-booking-cancelled.png"), full_page=True)
        browser.close()


def shoot_evaluator(hall: Hall, out: Path) -> None:
    import asyncio

    import qasync
    from PySide6.QtWidgets import QApplication

    from caller.evaluator import create_evaluator
    from hub.client import HubClient

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    w_id = 8
    clerk = hall.config.clerks[5]
    hall.window(w_id, "login", clerk_id=clerk.id, pin=clerk.pin)
    window, controller = create_evaluator(HubClient(hall.server.url, hall.token("caller", w_id),
                                                    trust=hall.server.trust), w_id,
                                          reasons_seconds=60)
    window.resize(800, 480)
    window.show()

    async def settle(predicate, timeout=10.0):
        end = loop.time() + timeout
        while not predicate():
            if loop.time() > end:
                raise RuntimeError("evaluator did not reach the expected screen")
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)

    async def scene():
        await controller.start()
        await settle(lambda: controller.connected and controller.clerk_name)
        window.grab().save(str(out / "evaluator-idle.png"))
        service = sorted(hall.config.window_services(w_id))[0]
        await asyncio.to_thread(hall.issue, service)
        await asyncio.to_thread(hall.window, w_id, "call-next")
        await asyncio.to_thread(hall.window, w_id, "finish")
        await settle(lambda: controller.mode == "rating")
        window.grab().save(str(out / "evaluator-rating.png"))
        window.score_buttons[2].click()
        await settle(lambda: controller.mode == "reasons")
        window._chip_buttons["long_wait"].click()
        await asyncio.sleep(0.2)
        window.grab().save(str(out / "evaluator-reasons.png"))
        window.submit_button.click()
        await settle(lambda: controller.mode == "thanks")
        window.grab().save(str(out / "evaluator-thanks.png"))
        await controller.aclose()

    with loop:
        loop.run_until_complete(scene())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("outdir", type=Path)
    args = p.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        hall = Hall(Path(tmp) / "hall.db")
        try:
            scene = play_morning(hall)
            shoot_phone(hall, args.outdir, scene)
            shoot_hall_and_booking(hall, args.outdir)
            shoot_evaluator(hall, args.outdir)
        finally:
            hall.stop()
    for png in sorted(args.outdir.glob("*.png")):
        print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
