"""Cross-hall reports at the region: the figures by hall, zone, service and day over a date range, the
county's total, 好差评 across halls, and the same figures in CSV and XLSX — on a real region and PostgreSQL."""
from __future__ import annotations

import csv
import io

import psycopg
from openpyxl import load_workbook

from region.halls import add_hall
from tests.region_pg import postgres, region_dsn  # noqa: F401  (fixtures)
from tests.conftest import until
from tests.test_region_upstream import (a_morning, console, credential_for, joined_hub, region,  # noqa: F401
                                        region_acked, stored, up)

SCORES = [5, 4, 3, 2, 1, 5, 5, 5, 5, 5]


def a_served_day(day: str = "2026-11-24") -> list[dict]:
    """Ten pension tickets issued at 09:00 and called after 1, 2, ... 10 minutes, each served 2 minutes
    and rated SCORES."""
    def ev(seq: int, kind: str, minute: int, **data) -> dict:
        hour, minute = divmod(9 * 60 + minute, 60)
        return {"seq": seq, "type": kind, "v": 1, "at": f"{day}T{hour:02d}:{minute:02d}:00+08:00", "data": data}

    out = [ev(1, "day.started", 0, day=day)]
    for t in range(1, 11):
        out.append(ev(len(out) + 1, "ticket.issued", 0, ticket_id=t, number=f"B{t:03d}", day=day, zone_id="social",
                      service_id="pension", order=float(t)))
    for t in range(1, 11):
        out += [ev(len(out) + 1, "ticket.called", t, ticket_id=t, window_id=1, clerk_id="c001"),
                ev(len(out) + 2, "ticket.serving", t, ticket_id=t, window_id=1),
                ev(len(out) + 3, "ticket.finished", t + 2, ticket_id=t, window_id=1),
                ev(len(out) + 4, "ticket.evaluated", t + 2, ticket_id=t, score=SCORES[t - 1], reasons=[], comment="")]
    return out


def two_halls(region, dsn: str, clock) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        morning = add_hall(conn, "a-hall", "甲大厅", clock.now())
        served = add_hall(conn, "b-hall", "乙大厅", clock.now())
    for credential, day in ((morning, a_morning()), (served, a_served_day())):
        with up(region, credential) as hall:
            hall.post("/api/v1/upstream/events", json={"events": day}).raise_for_status()


FIGURES = ("tickets", "served", "no_shows", "cancelled", "wait_mean_min", "wait_p90_min", "service_mean_min", "rated",
           "satisfaction_pct", "bad", "bad_handled_pct", "bad_rectified_pct")


def figures(row: dict) -> tuple:
    return tuple(row[f] for f in FIGURES)


def test_cross_hall_figures_by_hall_service_day_and_zone_with_the_county_total(region, region_dsn,  # noqa: F811
                                                                                clock):
    two_halls(region, region_dsn, clock)
    with console(region, region_dsn, clock) as county:
        by_hall = county.get("/api/v1/reports", params={"from": "2026-11-23", "to": "2026-11-24"}).json()
        by_service = county.get("/api/v1/reports", params={"from": "2026-11-23", "to": "2026-11-24",
                                                           "by": "service"}).json()
        by_day = county.get("/api/v1/reports", params={"from": "2026-11-23", "to": "2026-11-24", "by": "day"}).json()
        one_day = county.get("/api/v1/reports", params={"from": "2026-11-24", "to": "2026-11-24",
                                                        "by": "zone"}).json()
        by_clerk = county.get("/api/v1/reports", params={"from": "2026-11-23", "to": "2026-11-24",
                                                         "by": "clerk"}).json()
        one_hall = county.get("/api/v1/reports", params={"from": "2026-11-23", "to": "2026-11-24",
                                                         "hall": "a-hall", "by": "zone"}).json()
    rows = {r["key"]: r for r in by_hall["rows"]}
    assert rows["a-hall"]["name"] == "甲大厅"
    # 甲: six tickets, one served after 5 min (and 5 min at the window; its p90, 5.5, is the middle of the
    # 5-6 min bucket), one cancelled, one 差评 (rated 1); tickets called and put back in line have no wait yet
    assert figures(rows["a-hall"]) == (6, 1, 0, 1, 5.0, 5.5, 5.0, 1, 0.0, 1, 0.0, 0.0)  # not followed up yet
    # 乙: waits of 1..10 min (mean 5.5; the 9th of 10 waited 9 min, reported as 9.5: within its 8-10 min
    # bucket), 2 min each at the window, ratings 5,4,3,2,1,5,5,5,5,5: 80 % satisfied, two 差评
    assert figures(rows["b-hall"]) == (10, 10, 0, 0, 5.5, 9.5, 2.0, 10, 80.0, 2, 0.0, 0.0)
    assert figures(by_hall["total"])[:5] == (16, 11, 0, 1, 5.5) and figures(by_hall["total"])[7:10] == (11, 72.7, 3)

    services = {r["key"]: r["tickets"] for r in by_service["rows"]}
    assert services == {"business-license": 5, "pension": 11}  # a transferred ticket counts where it went
    assert [(r["key"], r["tickets"]) for r in by_day["rows"]] == [("2026-11-23", 6), ("2026-11-24", 10)]
    assert [(r["key"], r["tickets"]) for r in one_day["rows"]] == [("social", 10)]
    # by the clerk who first called: 甲's c001 called tickets 1 and 4, its c002 ticket 3; 乙's c001 is
    # another person (a clerk id is the hall's own)
    assert [(r["key"], r["tickets"], r["served"]) for r in by_clerk["rows"]] == \
        [("a-hall/c001", 2, 1), ("a-hall/c002", 1, 0), ("b-hall/c001", 10, 10)]
    assert [(r["key"], r["tickets"]) for r in one_hall["rows"]] == [("general", 6)]


def test_the_report_exports_as_csv_and_xlsx_with_the_same_figures(region, region_dsn, clock):  # noqa: F811
    two_halls(region, region_dsn, clock)
    query = {"from": "2026-11-23", "to": "2026-11-24", "by": "hall"}
    with console(region, region_dsn, clock) as county:
        as_csv = county.get("/reports.csv", params=query)
        as_xlsx = county.get("/reports.xlsx", params=query)
    assert 'filename="hallq-region-2026-11-23-2026-11-24-hall.csv"' in as_csv.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert table[0][:2] == ["大厅 Hall", "取号 Tickets"] and len(table[0]) == 13
    assert [r[0] for r in table[1:]] == ["甲大厅 (a-hall)", "乙大厅 (b-hall)", "全部大厅合计 All halls"]
    assert table[2][1:] == ["10", "10", "0", "0", "5.5", "9.5", "2.0", "10", "80.0", "2", "0.0", "0.0"]
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0]) == table[0]
    assert [[r[0], *(float(v) if v is not None else "" for v in r[1:])] for r in cells[1:]] == \
        [[r[0], *(float(v) if v else "" for v in r[1:])] for r in table[1:]]  # numbers, not text


def test_a_bad_range_or_grouping_is_refused_clearly(region, region_dsn, clock):  # noqa: F811
    with console(region, region_dsn, clock) as county:
        for params, code in (({"from": "2026-13-01", "to": "2026-11-24"}, "BAD_RANGE"),  # no 13th month
                             ({"from": "2026-11-24", "to": "2026-11-23"}, "BAD_RANGE"),  # backwards
                             ({"from": "2024-01-01", "to": "2026-11-23"}, "BAD_RANGE"),  # over a year
                             ({"by": "window"}, "BAD_GROUPING")):
            r = county.get("/api/v1/reports", params=params)
            assert (r.status_code, r.json()["code"]) == (400, code), params
            assert r.json()["message"] and r.json()["message_en"]
        page = county.get("/reports", params={"from": "2026-13-01"})
        assert page.status_code == 400 and "日期范围无效" in page.text  # the form again, saying why
    with up(region, None) as anyone:
        assert anyone.get("/reports.csv").status_code == 401
        assert anyone.get("/reports").headers["location"] == "/login"


async def test_a_hall_s_差评_follow_ups_reach_the_region_as_处置率_and_整改率(tmp_path, clock, hall_ca, region,  # noqa: F811
                                                                    region_dsn):
    """Four tickets rated 1, 2, 2 and 5 at a real hub; the manager handles one 差评 and rectifies another
    (then changes a mind on the handled one): the region counts three 差评, two followed up (67 %), one
    rectified (33 %), and the note never leaves the hall."""
    from hub.client import HubClient

    hall = joined_hub(tmp_path, clock, hall_ca, region, credential_for(region_dsn, "h", "大厅", clock))
    hall.start()
    kiosk = HubClient(hall.url, hall.pair("kiosk"), trust=hall.trust)
    caller = HubClient(hall.url, hall.pair("caller", window=1), trust=hall.trust)
    try:
        await caller.login(1, "c001", "1111")
        ids = []
        for score in (1, 2, 2, 5):
            ids.append((await kiosk.issue_ticket("pension"))["ticket"]["id"])
            await caller.call_next(1)
            await caller.finish(1)
            await caller.command(f"/tickets/{ids[-1]}/evaluation", None, score=score, reasons=[], comment="")
        hub = hall.server.service
        hub.follow_up_rating("主任", ids[0], "handled", "已电话回访 13800138000")
        clock.advance(minutes=1)
        hub.follow_up_rating("主任", ids[1], "rectified", "窗口加派人手")
        hub.follow_up_rating("主任", ids[3], "handled", "好评也回访")
        clock.advance(minutes=1)
        hub.follow_up_rating("主任", ids[0], "open", "重新打开")  # the latest word counts
        clock.advance(minutes=1)
        hub.follow_up_rating("主任", ids[0], "handled", "再次回访")
        last = hub.store.last_seq
        await until(lambda: region_acked(region_dsn, "h") == last
                    and stored(region_dsn, "SELECT count(*) FROM followups")[0][0] == 3)
        await until(lambda: stored(region_dsn, "SELECT state FROM followups WHERE ticket_id = %s", ids[0])
                    == [("handled",)])
    finally:
        await kiosk.aclose()
        await caller.aclose()
        hall.stop()
    with console(region, region_dsn, clock) as county:
        day = clock.now().date().isoformat()
        report = county.get("/api/v1/reports", params={"from": day, "to": day}).json()
    [row] = report["rows"]
    assert (row["rated"], row["bad"], row["bad_handled_pct"], row["bad_rectified_pct"]) == (4, 3, 66.7, 33.3)
    assert report["total"]["bad_handled_pct"] == 66.7
    assert "13800138000" not in str(stored(region_dsn, "SELECT * FROM followups"))
