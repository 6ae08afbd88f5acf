"""Each report definition on a small day played through a real hub with a hand-moved clock, every
figure checked against numbers worked out by hand (in the comments), then the same figures in the
page's tooltips and the CSV's definitions."""
from __future__ import annotations

import csv
import io

import pytest
from conftest import at
from hall_http import HallHttp
from web_fixtures import browser, page  # noqa: F401

from hub.app import report_terms

DAY = "2026-11-23"


@pytest.fixture
def desk(hub):
    d = HallHttp(hub)
    yield d
    d.close()


def book(desk, slot_from: tuple[int, int], slot_to: tuple[int, int], phone: str) -> str:
    answer = desk.ok(desk.post("/appointments", "kiosk", service_id="pension", phone=phone,
                               slot_start=at(23, *slot_from).isoformat(), slot_end=at(23, *slot_to).isoformat()))
    return answer["appointment"]["code"]


def check_in(desk, code: str) -> dict:
    return desk.ok(desk.post("/appointments/check-in", "kiosk", code=code))["ticket"]


def call(desk, window: int) -> dict:
    return desk.window(window, "call-next")["ticket"]


def play_small_day(desk, clock) -> dict:
    """The small test hall: window 1 (综合, general + social) staffed by c001, window 2 (人社, social)
    by c002; a no-show is requeued once, then lapses; appointments may check in from 30 min before
    the slot to 15 min after it. Each call below has exactly one ticket its window may call."""
    clock.set(at(23, 9, 0))
    desk.login(1, "c001", "1111")
    desk.login(2, "c002", "2222")
    codes = [book(desk, (10, 0), (10, 30), f"1380000000{i}") for i in range(3)]  # three slots 10:00-10:30
    a1 = desk.issue()                                   # A001 issued 09:00
    clock.set(at(23, 9, 10))
    assert call(desk, 1)["number"] == "A001"            # first call at window 1: waited 10 min
    clock.set(at(23, 9, 11))
    desk.window(1, "serve")
    clock.set(at(23, 9, 20))
    desk.window(1, "transfer", to_window=2)             # window 1 served it 9 min (09:11-09:20)
    clock.set(at(23, 9, 25))
    assert call(desk, 2)["number"] == "A001"            # window 2's call: 5 min in line since the transfer
    clock.set(at(23, 9, 26))
    desk.window(2, "serve")
    clock.set(at(23, 9, 30))
    desk.window(2, "finish")                            # window 2 served it 4 min (09:26-09:30)
    a2 = desk.issue()                                   # A002 issued 09:30
    clock.set(at(23, 9, 35))
    b1 = check_in(desk, codes[0])                       # B001: 25 min before its slot, inside the early window
    clock.set(at(23, 9, 36))
    assert call(desk, 2)["number"] == b1["number"]      # waited 1 min
    clock.set(at(23, 9, 40))
    assert call(desk, 1)["number"] == "A002"            # waited 10 min
    desk.window(2, "finish")                            # B001 served 4 min from the call (09:36-09:40, no serve press)
    clock.set(at(23, 9, 42))
    assert desk.window(1, "no-show")["requeued"]        # no-show press 1: back in line
    clock.set(at(23, 10, 10))
    b2 = check_in(desk, codes[1])                       # B002: inside its slot
    clock.set(at(23, 10, 12))
    assert call(desk, 2)["number"] == b2["number"]      # waited 2 min
    desk.window(2, "serve")
    clock.set(at(23, 10, 20))
    desk.window(2, "finish")                            # served 8 min
    clock.set(at(23, 10, 40))
    b3 = check_in(desk, codes[2])                       # B003: 10 min after its slot, inside the late grace
    clock.set(at(23, 10, 43))
    assert call(desk, 2)["number"] == b3["number"]      # waited 3 min
    clock.set(at(23, 10, 49))
    desk.window(2, "finish")                            # served 6 min from the call
    clock.set(at(23, 11, 0))
    assert call(desk, 1)["number"] == "A002"            # second call: 78 min in line since 09:42
    clock.set(at(23, 11, 2))
    assert not desk.window(1, "no-show")["requeued"]    # no-show press 2: it lapses
    clock.set(at(23, 11, 5))
    for ticket, score in ((a1, 5), (b2, 2)):            # both ratings belong to window 2, which finished them
        assert desk.rate(ticket["token"], score).status_code == 200
    clock.set(at(23, 16, 0))
    a3 = desk.issue()                                   # A003 issued 16:00, never called: the leftover
    return {"a1": a1, "a2": a2, "a3": a3}


def report(desk) -> dict:
    return desk.ok(desk.get("/console/reports", **{"from": DAY, "to": DAY}))


def test_each_figure_of_a_small_day_is_what_the_definitions_say(desk, clock):
    play_small_day(desk, clock)
    clock.set(at(23, 16, 30))
    r = report(desk)
    s = r["summary"]
    # tickets: A001 A002 A003 B001 B002 B003 = 6; calls: A001 at windows 1 and 2, A002 twice, B001-B003 = 7
    assert (s["tickets"], s["calls"]) == (6, 7)
    # done: A001 B001 B002 B003; no-show presses 2 (A002 twice), of which 1 lapse; one transfer
    assert (s["done"], s["no_show_presses"], s["no_show"], s["transfers"]) == (4, 2, 1, 1)
    # at 16:30 the day is not over: A003 is still waiting, not cancelled
    assert (s["cancelled"], s["day_end"], s["open"]) == (0, 0, 1)
    # waits, issue to FIRST call: A001 10 (not 25: the 9 min at window 1 and 5 min after the transfer do not
    # count), A002 10, B001 1, B002 2, B003 3 -> sorted 1 2 3 10 10: mean 5.2, median 3, p90 (5th of 5) 10
    assert r["wait"] == {"count": 5, "mean": 5.2, "median": 3.0, "p90": 10.0}
    # service per window visit, attended visits only: A001 9 at window 1 and 4 at window 2, B001 4, B002 8,
    # B003 6 -> 4 4 6 8 9: mean 6.2, median 6, p90 9; the no-show visits are not service
    assert r["service"] == {"count": 5, "mean": 6.2, "median": 6.0, "p90": 9.0}

    windows = {w["key"]: w for w in r["by_window"]}
    # window 1: called A001, A002, A002 = 3; attended 1 (A001, transferred on); 2 no-show presses, 1 lapse;
    # in line before each call: 10 (A001), 10 (A002), 78 (A002 since its no-show) -> mean 32.7; service 9
    assert {k: windows[1][k] for k in ("calls", "services", "done", "transfers", "no_show_presses", "no_show",
                                       "visit_wait_mean", "service_mean", "evaluations")} == {
        "calls": 3, "services": 1, "done": 0, "transfers": 1, "no_show_presses": 2, "no_show": 1,
        "visit_wait_mean": 32.7, "service_mean": 9.0, "evaluations": 0}
    # window 2: called and finished A001, B001, B002, B003 = 4; in line 5, 1, 2, 3 -> 2.75 -> 2.8;
    # service 4 4 8 6 -> mean 5.5, p90 8; ratings 5 and 2 -> 50% satisfied
    assert {k: windows[2][k] for k in ("calls", "services", "done", "transfers", "no_show_presses",
                                       "visit_wait_mean", "service_mean", "service_p90", "evaluations",
                                       "satisfaction")} == {
        "calls": 4, "services": 4, "done": 4, "transfers": 0, "no_show_presses": 0, "visit_wait_mean": 2.8,
        "service_mean": 5.5, "service_p90": 8.0, "evaluations": 2, "satisfaction": 50.0}
    # all calls together are the summary's calls (the old report credited only a ticket's last window)
    assert sum(w["calls"] for w in r["by_window"]) == s["calls"]
    clerks = {c["key"]: c for c in r["by_clerk"]}
    assert (clerks["c001"]["calls"], clerks["c001"]["services"]) == (3, 1)
    assert (clerks["c002"]["calls"], clerks["c002"]["services"]) == (4, 4)

    # check-ins against the hall's window (09:30-10:45 for a 10:00-10:30 slot): 09:35, 10:10 and 10:40 are
    # all on time; one of them came after the slot, inside the 15 min grace
    assert r["punctuality"] == {"appointments": 3, "early": 0, "on_time": 3, "after_slot": 1, "late": 0,
                                "on_time_rate": 100.0}
    # per hour issued: 09h A001 A002 B001 (waits 10 10 1 -> 7.0), 10h B002 B003 (2 3 -> 2.5), 16h A003
    hours = {h["hour"]: (h["tickets"], h["wait_mean"]) for h in r["by_hour"]}
    assert (hours[9], hours[10], hours[16]) == ((3, 7.0), (2, 2.5), (1, None))

    # The business day ends at midnight: the first thing the hub hears after it is this report, and the
    # leftover is already shown as cancelled at day end, never as waiting.
    clock.set(at(24, 0, 30))
    s = report(desk)["summary"]
    assert (s["day_end"], s["open"], s["cancelled"], s["tickets"]) == (1, 0, 0, 6)
    # the morning's first ticket rolls the day over in the log (A003 cancelled, reason day_end): same figures
    clock.set(at(24, 9, 0))
    desk.issue()
    s = report(desk)["summary"]
    assert (s["day_end"], s["open"], s["cancelled"], s["tickets"]) == (1, 0, 0, 6)


def test_the_definitions_travel_with_the_figures_in_the_page_data_and_the_csv(desk, clock):
    play_small_day(desk, clock)
    r = report(desk)
    assert r["definitions"]["wait_mean"]["zh"].startswith("等候 = 取号到第一次被叫")
    # the hall's own check-in window, filled in: 30 min early, 15 min late in the test hall
    assert "30 分钟" in r["definitions"]["on_time"]["zh"] and "15 分钟" in r["definitions"]["on_time"]["zh"]
    assert "30 min" in r["definitions"]["on_time"]["en"]
    for lang, col in (("zh", 0), ("en", 1)):
        got = desk.get("/console/reports.csv", **{"from": DAY, "to": DAY, "lang": lang})
        rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
        summary = {row[0]: row[1:] for row in rows if len(row) == 3}
        wait_label = report_terms.TERMS["wait_mean"][col]
        value, definition = summary[wait_label]
        assert value == "5.2" and definition == r["definitions"]["wait_mean"][lang]
        presses, lapses = summary[report_terms.TERMS["no_show_presses"][col]], summary[report_terms.TERMS["no_show"][col]]
        assert (presses[0], lapses[0]) == ("2", "1")


def test_the_page_shows_each_definition_beside_its_figure(desk, clock, page, hub):
    play_small_day(desk, clock)
    defined = report(desk)["definitions"]
    page.goto(f"{hub.url}/console/reports#token={desk.token('console')}")
    page.wait_for_selector(".kpi[data-key='wait_mean'] .v")
    assert page.inner_text(".kpi[data-key='wait_mean'] .v").startswith("5.2")
    assert page.get_attribute(".kpi[data-key='wait_mean']", "title") == defined["wait_mean"]["zh"]
    assert page.inner_text(".kpi[data-key='no_show_presses'] .v") == "2"
    assert page.inner_text(".kpi[data-key='no_show'] .v") == "1"
    assert page.get_attribute("#punct tr[data-key='on_time']", "title") == defined["on_time"]["zh"]
    assert page.inner_text("#definitions dd[data-key='service_mean']") == defined["service_mean"]["zh"]
    page.click("#tabs button:nth-child(4)")  # 按窗口: every call counts at its window
    assert page.get_attribute("#breakdown-table th[data-key='calls']", "title") == defined["calls"]["zh"]
    page.click("#lang")
    page.wait_for_function("document.querySelector('#definitions h2').textContent === 'What the figures mean'")
    assert page.inner_text("#definitions dd[data-key='wait_mean']") == defined["wait_mean"]["en"]
