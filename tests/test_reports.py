"""Reports: figures from hand-made ticket rows, then a real hub's day downloaded as CSV and XLSX."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from conftest import at
from hall_http import HallHttp
from hub.app import report_data
from web_fixtures import browser, page  # noqa: F401


def row(tid, issued, called=None, finished=None, state="done", serving=None, zone="general",
        service="property", window=1, clerk="c001", transfers=0, score=None, slot=None, day="2026-11-23"):
    iso = lambda hm: f"{day}T{hm}:00+08:00" if hm else None  # noqa: E731
    return {"id": tid, "number": f"A{tid:03d}", "day": day, "zone_id": zone, "service_id": service, "state": state,
            "issued_at": iso(issued), "called_at": iso(called), "serving_at": iso(serving),
            "finished_at": iso(finished), "window_id": window if called else None, "clerk_id": clerk if called else None,
            "transfer_count": transfers, "evaluation": {"score": score, "reasons": []} if score else None,
            "appointment_id": "ap" if slot else None, "slot_start": iso(slot[0]) if slot else None,
            "slot_end": iso(slot[1]) if slot else None, "first_called_at": iso(called),
            "no_show_count": 1 if state == "no_show" else 0}


def visits_of(rows):
    """One visit per called row: at its window, ending as the ticket did."""
    ends = {"done": "done", "no_show": "lapsed"}
    return [{"ticket_id": r["id"], "window_id": r["window_id"], "clerk_id": r["clerk_id"], "queued_at": r["issued_at"],
             "called_at": r["called_at"], "serving_at": r["serving_at"], "ended_at": r["finished_at"],
             "outcome": ends.get(r["state"]), "recalls": 0} for r in rows if r["called_at"]]


# ---- pure figures ---------------------------------------------------------------------------
def test_waits_services_and_counts_from_hand_made_rows():
    rows = [
        row(1, "09:00", "09:02", "09:05", score=5),
        row(2, "09:00", "09:04", "09:08", serving="09:05", score=2, window=2, clerk="c002"),
        row(3, "10:10", "10:19", "10:25", transfers=1, score=3),
        row(4, "10:20", "10:50", None, state="no_show"),   # a no-show's wait is not a served wait
        row(5, "10:30", None, None, state="cancelled"),
        row(6, "11:00", None, None, state="waiting", zone="social", service="pension"),
    ]
    r = report_data.build(rows, visits_of(rows), "2026-11-23", "2026-11-23", names={"zone": {"general": "综合服务区"}})
    s = r["summary"]
    assert (s["tickets"], s["done"], s["no_show"], s["cancelled"], s["transfers"]) == (6, 3, 1, 1, 1)
    # issue to first call, the no-show's 30 minutes too (the hall made that citizen wait as well):
    # 2 4 9 30 -> mean 11.25, shown 11.2; median (4 + 9) / 2; p90 the 4th of 4
    assert r["wait"] == {"count": 4, "mean": 11.2, "median": 6.5, "p90": 30.0}
    # service: from serving if the clerk pressed it, else from the call: 3, 3, 6 minutes
    assert r["service"] == {"count": 3, "mean": 4.0, "median": 3.0, "p90": 6.0}
    zones = {z["key"]: z for z in r["by_zone"]}
    assert zones["general"]["name"] == "综合服务区" and zones["general"]["tickets"] == 5
    assert zones["social"]["tickets"] == 1 and zones["social"]["wait_mean"] is None
    windows = {w["key"]: w for w in r["by_window"]}
    assert set(windows) == {1, 2} and windows[2]["calls"] == 1 and windows[1]["no_show"] == 1
    assert [c["key"] for c in r["by_clerk"]] == ["c001", "c002"]
    assert [(h["hour"], h["tickets"]) for h in r["by_hour"]] == [(9, 2), (10, 3), (11, 1)]
    assert r["by_hour"][0]["wait_mean"] == 3.0
    assert r["evaluations"] == {"count": 3, "per_score": {"5": 1, "4": 0, "3": 1, "2": 1, "1": 0},
                                "satisfaction": 66.7, "bad": 1}


def nearest_rank(values: list[float], share: int) -> float:
    """The smallest value with at least `share` percent of all values at or below it."""
    return min(v for v in values if 100 * sum(x <= v for x in values) >= share * len(values))


@pytest.mark.parametrize("waits", [
    [7, 31, 2, 18, 44, 12, 25, 5, 39, 21],                                             # ten
    [7, 31, 2, 18, 44, 12, 25, 5, 39, 21, 50, 3, 27, 16, 9, 58, 35, 11, 47, 29],     # twenty
], ids=["10 waits", "20 waits"])
def test_p90_is_the_nearest_rank_and_an_even_count_median_is_the_middle_pair(waits):
    """The report's definitions (report_data): p90 by nearest rank, so one rank off is another
    citizen's wait; with an even count the median is the mean of the two middle waits."""
    rows = [row(i + 1, "09:00", f"09:{w:02d}", f"10:{w:02d}") for i, w in enumerate(waits)]
    wait = report_data.build(rows, visits_of(rows), "2026-11-23", "2026-11-23")["wait"]
    ordered = sorted(waits)
    middle = len(ordered) // 2
    assert wait["p90"] == nearest_rank(waits, 90)
    assert wait["median"] == (ordered[middle - 1] + ordered[middle]) / 2
    assert wait["count"] == len(waits)


def test_appointment_punctuality_against_the_halls_window_and_empty_days():
    """The hall lets a 10:00-10:30 slot check in from 09:30 (30 min early) to 10:45 (15 min late)."""
    slot = ("10:00", "10:30")
    rows = [row(1, "09:29", "10:01", "10:05", slot=slot),   # early: before the hall's window opens
            row(2, "09:30", "10:01", "10:05", slot=slot),   # on time: the window's first minute
            row(3, "10:05", "10:06", "10:09", slot=slot),   # on time: in the slot
            row(4, "10:45", "10:46", "10:49", slot=slot),   # on time: the grace's last minute, after the slot
            row(5, "10:46", "10:47", "10:49", slot=slot),   # late
            row(6, "10:41", "10:50", "10:55")]             # no appointment
    p = report_data.build(rows, [], "2026-11-23", "2026-11-23", early_minutes=30, late_minutes=15)["punctuality"]
    assert p == {"appointments": 5, "early": 1, "on_time": 3, "after_slot": 1, "late": 1, "on_time_rate": 60.0}
    empty = report_data.build([], [], "2026-11-23", "2026-11-23")
    assert empty["summary"]["tickets"] == 0 and empty["wait"]["mean"] is None and empty["by_hour"] == []
    assert empty["evaluations"]["satisfaction"] is None


# ---- a real day through the hub ----------------------------------------------------------------
@pytest.fixture
def desk(hub):
    d = HallHttp(hub)
    yield d
    d.close()


def play_known_day(desk, clock):
    """Three tickets served after waits of 2, 4 and 9 minutes (service 2, 4, 6), one final no-show."""
    clock.set(at(23, 9, 30))
    a1 = desk.issue()
    clock.set(at(23, 9, 32))
    a2 = desk.issue()
    clock.set(at(23, 9, 35))
    a3 = desk.issue()
    desk.login(1)
    for call, finish in (((9, 32), (9, 34)), ((9, 36), (9, 40)), ((9, 44), (9, 50))):
        clock.set(at(23, *call))
        desk.window(1, "call-next")
        if call == (9, 44):
            b1 = desk.issue("pension")
        clock.set(at(23, *finish))
        desk.window(1, "finish")
    for _ in range(2):  # the test hall requeues a no-show once (back after its 5-minute grace), then it lapses
        clock.advance(minutes=5)
        assert desk.window(1, "call-next")["ticket"]["number"] == b1["number"]
        desk.window(1, "no-show")
    return a1, a2, a3, b1


def test_csv_and_xlsx_downloads_match_the_day(desk, clock, page, hub):
    play_known_day(desk, clock)

    r = desk.get("/console/reports.csv", **{"from": "2026-11-23", "to": "2026-11-23"})
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM for Chinese"
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    summary = {row_[0]: row_[1] for row_ in rows[1:20] if len(row_) == 3}
    assert summary["取号数"] == "4" and summary["办结"] == "3"
    assert summary["过号次数"] == "2" and summary["过号作废"] == "1"
    # issue to first call: 2, 4, 9 and the no-show B001's 11 (09:44 -> 09:55, the first call after the
    # 09:50 finish and five minutes): mean 26 / 4 = 6.5, median (4 + 9) / 2 = 6.5, P90 the 4th of 4 = 11
    assert summary["平均等候(分)"] == "6.5" and summary["等候中位数(分)"] == "6.5" and summary["等候P90(分)"] == "11.0"
    assert summary["平均办理(分)"] == "4.0"
    assert ["[按区域]"] in rows and ["[按小时]"] in rows

    # The manager downloads the workbook from the reports page, signed in through the console's session.
    page.goto(f"{hub.url}/console/reports#token={desk.token('console')}")
    page.wait_for_selector(".kpi[data-key='tickets'] .v")
    assert page.inner_text(".kpi[data-key='tickets'] .v") == "4"
    assert page.inner_text(".kpi[data-key='wait_mean'] .v").startswith("6.5")
    assert page.locator("#chart-tickets svg rect").count() == 1  # all four issued in the 09:00 hour
    with page.expect_download() as download:
        page.click("#xlsx")
    assert download.value.suggested_filename == "hallq-report-2026-11-23_2026-11-23.xlsx"
    with open(download.value.path(), "rb") as f:
        wb = openpyxl.load_workbook(f)
    assert wb.sheetnames[:5] == ["汇总", "按区域", "按事项", "按窗口", "按工作人员"]
    figures = {r_[0]: r_[1] for r_ in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert figures["取号数"] == 4 and figures["过号作废"] == 1 and figures["过号次数"] == 2
    assert figures["平均等候(分)"] == 6.5 and figures["等候中位数(分)"] == 6.5
    zones = list(wb["按区域"].iter_rows(min_row=2, values_only=True))
    assert [(z[1], z[2], z[6]) for z in zones] == [("综合服务区", 3, 0), ("人社服务专区", 1, 1)]
    windows = list(wb["按窗口"].iter_rows(min_row=2, values_only=True))
    assert windows[0][:5] == (1, "综合窗口1", 5, 3, 3)  # calls (B001 twice), services, done
    assert wb.sheetnames[-1] == "指标口径"


def test_reports_refuse_bad_ranges_and_other_devices(desk):
    """Bad input: from after to, a non-date, a range over a year, no token, and a kiosk's token."""
    r = desk.get("/console/reports", **{"from": "2026-11-24", "to": "2026-11-23"})
    assert r.status_code == 422 and r.json()["message"] == "开始日期不能晚于结束日期"
    r = desk.get("/console/reports.csv", **{"from": "23/11/2026"})
    assert r.status_code == 422 and "2026-11-23" in r.json()["message"]
    r = desk.get("/console/reports", **{"from": "2024-01-01", "to": "2026-11-23"})
    assert r.status_code == 422 and "366" in r.json()["message"]
    assert desk.get("/console/reports.xlsx", role=None).status_code == 401
    assert desk.get("/console/reports", role="kiosk").status_code == 403
    assert desk.get("/console/evaluations", role="kiosk").status_code == 403
