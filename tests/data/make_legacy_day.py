"""Writes tests/data/legacy_day.db and legacy_day.json with the landed main (65b1fb9): two short
days in the small hall, driven through the real HTTP API, and what that code reports for them.

Run with the old tree first on the path, e.g.:
    mkdir /tmp/legacy && git -C /work/main archive 65b1fb9 | tar -x -C /tmp/legacy
    python3 tests/data/make_legacy_day.py --src /tmp/legacy --out tests/data
(65b1fb9 imports hub/core/vocabulary.py without committing it: copy it into the tree first.)
tests/test_store_legacy.py opens a copy of the database with today's code and expects the same.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--src", required=True, help="a checkout of the landed main")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    sys.path.insert(0, str(Path(args.src).resolve()))
    import httpx

    from hub.console import hallconfig, report_data, reports
    from hub.core.clock import ManualClock
    from hub.protocol import public_event
    from hub.server import HubServer, build_service

    out = Path(args.out)
    db = out / "legacy_day.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    hall = Path(args.src) / "tests" / "data" / "small_hall.toml"
    clock = ManualClock(at(23, 9, 0))
    server = HubServer(build_service(db, hall, clock)).start()
    http = httpx.Client(base_url=server.url + "/api/v1", timeout=10)
    tokens: dict[str, str] = {}

    def token(role: str, window: int | None = None) -> str:
        key = f"{role}:{window}"
        if key not in tokens:
            tokens[key] = server.pair(role, f"{role}{window or ''}", window)
        return tokens[key]

    def post(path: str, role: str = "console", window: int | None = None, **body) -> dict:
        body.setdefault("request_id", uuid.uuid4().hex)
        r = http.post(path, json=body, headers={"Authorization": f"Bearer {token(role, window)}"})
        assert r.status_code == 200, (path, r.text)
        return r.json()

    def issue(service: str = "business-license", **extra) -> dict:
        return post("/tickets", "kiosk", **({"service_id": service} | extra))["ticket"]

    def win(w: int, action: str, **body) -> dict:
        return post(f"/windows/{w}/{action}", "caller", w, **body)

    def rate(ticket: dict, score: int, reasons=(), comment: str = "") -> None:
        r = http.post(f"/public/tickets/{ticket['token']}/evaluation",
                      json={"request_id": uuid.uuid4().hex, "score": score, "reasons": list(reasons),
                            "comment": comment})
        assert r.status_code == 200, r.text

    svc = server.service
    # ---- Monday 23rd -------------------------------------------------------------------
    booked = post("/appointments", "kiosk", service_id="business-license", slot_start="2026-11-23T10:00:00+08:00",
                  slot_end="2026-11-23T10:30:00+08:00", name="王小明", phone="13800138000")["appointment"]
    a = [issue() for _ in range(5)]                                  # A001..A005
    elder = issue(priority_reason="elderly")                         # A006, 绿色通道
    b1, b2 = issue("pension"), issue("ss-card")                      # B001, B002
    prop = issue("property")                                         # A007
    z1 = issue("self-print")                                         # Z001
    win(1, "login", clerk_id="c001", pin="1111")
    win(2, "login", clerk_id="c002", pin="2222")
    win(3, "login", clerk_id="c003", pin="3333")
    clock.advance(minutes=2)
    assert win(1, "call-next")["ticket"]["number"] == "A006"          # priority goes first
    win(1, "serve")
    clock.advance(minutes=6)
    win(1, "finish")
    assert win(1, "call-next")["ticket"]["number"] == "A001"
    clock.advance(minutes=1)
    assert win(1, "no-show")["requeued"] is True                     # back 2 places
    assert win(1, "call-next")["ticket"]["number"] == "A002"
    clock.advance(minutes=1)
    win(1, "recall")
    win(1, "serve")
    clock.advance(minutes=4)
    win(1, "transfer", to_window=3)                                  # A002 -> window 3 directly
    assert win(3, "call-next")["ticket"]["number"] == "A002"
    win(3, "serve")
    clock.advance(minutes=5)
    win(3, "finish")
    assert win(3, "call-next")["ticket"]["number"] == "A007"
    win(3, "serve")
    clock.advance(minutes=3)
    win(3, "transfer", service_id="pension")                         # A007 -> the pension line
    assert win(2, "call-next")["ticket"]["number"] == "A007"
    win(2, "serve")
    clock.advance(minutes=4)
    win(2, "finish")
    post("/devices/me/status", "kiosk", fault="paper_out")
    post("/notice", "console", notice="今日11:00起暂停不动产登记业务")
    clock.set(at(23, 9, 40))
    checked = post("/appointments/check-in", "kiosk", code=booked["code"])["ticket"]
    post("/devices/me/status", "kiosk", fault=None)
    clock.set(at(23, 10, 0))
    assert win(1, "call-next")["ticket"]["number"] == checked["number"]  # in its slot: first
    win(1, "serve")
    clock.advance(minutes=7)
    win(1, "finish")
    assert win(2, "call-next")["ticket"]["number"] == "B001"
    win(2, "serve")
    clock.advance(minutes=5)
    win(2, "finish")
    win(2, "pause", reason="午休")
    clock.advance(minutes=20)
    win(2, "resume")
    assert win(1, "call-next")["ticket"]["number"] == "A003"
    clock.advance(minutes=1)
    win(1, "no-show")
    assert win(1, "call-next")["ticket"]["number"] == "A001"          # requeued 2 places back
    clock.advance(minutes=1)
    assert win(1, "no-show")["requeued"] is False                    # second miss: gone
    post(f"/tickets/{a[4]['id']}/cancel", "kiosk")                   # A005 cancelled at the kiosk
    rate(elder, 5)
    rate(checked, 2, ["long_wait"], "排队太久")
    with svc.lock:
        hallconfig.set_hall_info(svc, {"notice": "欢迎光临本中心"}, "admin")
    print("left called at day end:", win(1, "call-next")["ticket"]["number"])
    assert win(2, "call-next")["ticket"]["number"] == "B002"
    win(2, "serve")
    clock.advance(minutes=3)
    win(2, "finish")
    issue()                                                          # A008, left waiting
    # ---- Tuesday 24th: the rollover cancels what is left ----------------------------------
    clock.set(at(24, 9, 5))
    assert issue()["number"] == "A001"
    issue("pension")
    rate(b1, 4)                                                      # yesterday's ticket, rated today
    clock.advance(minutes=2)
    assert win(1, "call-next")["ticket"]["number"] == "A001"
    clock.advance(minutes=3)
    with svc.lock:
        snapshot = svc.snapshot()
        rows = svc.store.tickets_between("2026-11-01", "2026-11-30")
        report = report_data.build(rows, "2026-11-23", "2026-11-24", names=reports._names(svc), tz=svc.config.tz)
        wire = [public_event(e) for e in svc.store.events_since(0)]
    views = {str(r["id"]): http.get(f"/tickets/{r['id']}", headers={"Authorization": f"Bearer {token('console')}"}
                                     ).json()["ticket"] for r in rows}
    del z1, b2, prop
    http.close()
    server.stop()
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("VACUUM")
    con.close()
    expected = {"now": clock.now().isoformat(), "snapshot": snapshot, "report": report, "ticket_rows": rows,
                "ticket_views": views, "wire": wire}
    (out / "legacy_day.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n")
    print(f"{db}: {db.stat().st_size} bytes, {len(wire)} events, {len(rows)} tickets")


if __name__ == "__main__":
    main()
