"""A hall reports to the county's region: a real hub ships its event log over HTTPS to a real region
server on a real PostgreSQL (Debian's, started in a temp dir)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import httpx
import psycopg
import pytest

from hardware.idcard import make_id_number
from hub.client.trust import HallTrust
from hub.core.clock import ManualClock
from hub.server import HubServer, build_service
from hub.upstream import Upstream, save_settings
from region.cli import main as region_cli
from region.accounts import add_account
from region.halls import add_hall
from region.live import daily_service, halls_live, projection_rows
from region.server import RegionServer
from tests.conftest import HubHandle, until
from tests.region_pg import postgres, region_dsn  # noqa: F401  (fixtures)

FAST = {"idle": 0.05, "first_backoff": 0.05, "max_backoff": 0.3}


class ShippingHub(HubHandle):
    """A hub whose upstream.json names the region, shipping with short waits."""
    shipping = FAST

    def start(self) -> HubServer:
        self.server = HubServer(build_service(self.db_path, self.hall, self.clock), port=self.port,
                                upstream_options=self.shipping).start()
        self.port = self.server.port
        return self.server


@pytest.fixture
def region(region_dsn, tmp_path, clock):  # noqa: F811
    server = RegionServer(region_dsn, tmp_path / "region", clock=clock).start()
    yield server
    server.stop()


def credential_for(dsn: str, code: str, name: str, clock) -> str:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return add_hall(conn, code, name, clock.now())


class SkewedClock:
    """A hall's clock set `offset` away from the true time (the region's clock)."""

    def __init__(self, true: ManualClock, offset: timedelta):
        self.true, self.offset = true, offset

    def now(self) -> datetime:
        return self.true.now() + self.offset


def joined_hub(tmp_path, clock, hall_ca, region, credential: str, name: str = "hall") -> ShippingHub:
    db = tmp_path / name / "hall.db"
    db.parent.mkdir(parents=True)
    save_settings(db, Upstream(region.url, credential, region.tls.ca_pem))
    return ShippingHub(db, clock, ca=hall_ca)


def stored(dsn: str, sql: str, *args):
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, args).fetchall()


def region_acked(dsn: str, code: str) -> int:
    rows = stored(dsn, "SELECT acked_seq FROM halls WHERE code = %s", code)
    return rows[0][0] if rows else -1


def up(region, credential: str | None) -> httpx.Client:
    return httpx.Client(base_url=region.url, verify=HallTrust(region.tls.ca_pem, region.tls.fingerprint).context(),
                        headers={"Authorization": f"Bearer {credential}"} if credential else {})


@contextmanager
def console(region, dsn: str, clock, role: str = "viewer", name: str = "county") -> Iterator[httpx.Client]:
    """A person signed in to the region console (an account made for them first)."""
    password = f"{name}-password"
    with psycopg.connect(dsn, autocommit=True) as conn:
        add_account(conn, name, role, password, clock.now())
    with up(region, None) as client:
        client.post("/api/v1/session", json={"name": name, "password": password}).raise_for_status()
        yield client


def events(first: int, last: int, at: str = "2026-11-23T09:30:00+08:00") -> list[dict]:
    return [{"seq": s, "type": "ticket.issued", "v": 2, "at": at,
             "data": {"ticket_id": s, "number": f"A{s:03d}", "day": "2026-11-23", "zone_id": "general",
                      "service_id": "business-license", "order": float(s)}} for s in range(first, last + 1)]


async def test_a_hall_s_morning_reaches_the_region_without_personal_data(tmp_path, clock, hall_ca, region,
                                                                         region_dsn):
    hall = joined_hub(tmp_path, clock, hall_ca, region, credential_for(region_dsn, "baoan-1", "宝安区政务服务中心", clock))
    hall.start()
    try:
        from hub.client import HubClient

        kiosk = HubClient(hall.url, hall.pair("kiosk"), trust=hall.trust)
        caller = HubClient(hall.url, hall.pair("caller", window=1), trust=hall.trust)
        id_number = make_id_number(birth=date(1950, 5, 1))
        holder = {"id_number": id_number, "name_masked": "张*丰"}
        await kiosk.issue_ticket("pension", priority_reason="senior", holder=holder)
        for service in ("business-license", "business-license", "pension"):
            await kiosk.issue_ticket(service)
        await caller.login(1, "c001", "1111")
        clock.advance(minutes=4)
        await caller.call_next(1)  # the senior's ticket, waited 4 minutes
        clock.advance(minutes=6)
        await caller.finish(1)
        await kiosk.aclose()
        await caller.aclose()
        last = hall.server.service.store.last_seq
        await until(lambda: region_acked(region_dsn, "baoan-1") == last)

        with console(region, region_dsn, clock) as client:  # the county's view: a person signed in
            live = client.get("/api/v1/halls").json()
        [baoan] = live["halls"]
        assert (baoan["name"], baoan["waiting"], baoan["open_windows"]) == ("宝安区政务服务中心", 3, 1)
        assert baoan["longest_wait_s"] == 10 * 60  # the first of the three left waiting, issued 10 min ago
        with psycopg.connect(region_dsn) as conn:
            days = {d["service_id"]: d for d in daily_service(conn, "baoan-1")}
        assert (days["pension"]["tickets"], days["pension"]["served"]) == (2, 1)
        assert float(days["pension"]["avg_wait_s"]) == 240 and float(days["pension"]["avg_service_s"]) == 360
        assert days["business-license"]["tickets"] == 2

        shipped = json.dumps([r[0] for r in stored(region_dsn, "SELECT data FROM events")], ensure_ascii=False)
        assert id_number not in shipped and id_number[-4:] not in shipped and "张*丰" not in shipped
        assert not {"token", "id_hash", "id_masked", "name_masked"} & set(shipped.replace('"', " ").split())
    finally:
        hall.stop()


async def test_a_hall_cut_off_from_the_region_catches_up_with_nothing_lost_or_doubled(tmp_path, clock, hall_ca,
                                                                                       region_dsn):
    region = RegionServer(region_dsn, tmp_path / "region", clock=clock).start()
    hall = joined_hub(tmp_path, clock, hall_ca, region, credential_for(region_dsn, "xinfeng", "新丰县政务服务中心", clock))
    hall.start()
    from hub.client import HubClient

    kiosk = HubClient(hall.url, hall.pair("kiosk"), trust=hall.trust, retry_delay=0.05)
    try:
        await kiosk.issue_ticket("pension")
        await until(lambda: region_acked(region_dsn, "xinfeng") == hall.server.service.store.last_seq)
        port = region.port
        region.stop()  # the WAN goes down: the hall goes on issuing
        for _ in range(40):
            await kiosk.issue_ticket("business-license")
        await until(lambda: hall.server.upstream.problem is not None)
        assert "unreachable" in hall.server.upstream.problem
        region = RegionServer(region_dsn, tmp_path / "region", port=port, clock=clock).start()
        last = hall.server.service.store.last_seq
        await until(lambda: region_acked(region_dsn, "xinfeng") == last)
        [(count, distinct, low, high)] = stored(region_dsn, "SELECT count(*), count(DISTINCT seq), min(seq), max(seq)"
                                                           " FROM events")
        assert (count, distinct, low, high) == (last, last, 1, last)
        assert stored(region_dsn, "SELECT count(*) FROM tickets")[0][0] == 41
    finally:
        await kiosk.aclose()
        hall.stop()
        region.stop()


async def test_a_wrong_hall_credential_is_refused_clearly_and_nothing_is_stored(tmp_path, clock, hall_ca, region,
                                                                               region_dsn):
    credential_for(region_dsn, "real", "真大厅", clock)
    with up(region, "hqr_not-the-credential") as client:
        r = client.post("/api/v1/upstream/events", json={"events": events(1, 3)})
    assert r.status_code == 401 and r.json()["code"] == "BAD_CREDENTIAL"
    assert "凭证" in r.json()["message"] and "credential" in r.json()["message_en"]

    # A hub given a wrong credential keeps its hall running and says why it cannot ship.
    hall = joined_hub(tmp_path, clock, hall_ca, region, "hqr_mistyped")
    hall.start()
    try:
        from hub.client import HubClient

        kiosk = HubClient(hall.url, hall.pair("kiosk"), trust=hall.trust)
        assert (await kiosk.issue_ticket("pension"))["ticket"]["number"] == "B001"
        await kiosk.aclose()
        await until(lambda: hall.server.upstream.problem is not None)
        assert "BAD_CREDENTIAL" in hall.server.upstream.problem
    finally:
        hall.stop()
    assert stored(region_dsn, "SELECT count(*) FROM events")[0][0] == 0


def test_events_sent_again_are_stored_once_and_a_gap_is_refused(region, region_dsn, clock):  # noqa: F811
    credential = credential_for(region_dsn, "h1", "一号大厅", clock)
    with up(region, credential) as client:
        first = client.post("/api/v1/upstream/events", json={"events": events(1, 5)}).json()
        again = client.post("/api/v1/upstream/events", json={"events": events(1, 5)}).json()  # the answer was lost
        overlap = client.post("/api/v1/upstream/events", json={"events": events(4, 8)}).json()
        assert (first["acked"], first["stored"]) == (5, 5)
        assert (again["acked"], again["stored"]) == (5, 0)
        assert (overlap["acked"], overlap["stored"]) == (8, 3)

        gap = client.post("/api/v1/upstream/events", json={"events": events(11, 12)})  # 9 and 10 missing
        assert gap.status_code == 409 and gap.json()["code"] == "SEQ_GAP" and gap.json()["params"]["acked"] == 8
        holes = client.post("/api/v1/upstream/events", json={"events": events(9, 9) + events(11, 11)})
        assert holes.status_code == 400 and holes.json()["code"] == "BAD_BATCH"
        naive = events(9, 9, at="2026-11-23T09:30:00")  # a time without its zone
        assert client.post("/api/v1/upstream/events", json={"events": naive}).status_code == 400
        assert client.get("/api/v1/upstream/ack").json() == {"hall": "h1", "acked": 8, "followups": ["", 0]}
    assert stored(region_dsn, "SELECT count(*), count(DISTINCT seq) FROM events") == [(8, 8)]
    assert stored(region_dsn, "SELECT count(*) FROM tickets")[0][0] == 8


def a_morning() -> list[dict]:
    """Six tickets and most of what can happen to them, as a hub ships it."""
    def ev(seq: int, kind: str, minute: int, **data) -> dict:
        return {"seq": seq, "type": kind, "v": 2 if kind.startswith(("ticket.", "window.")) else 1,
                "at": f"2026-11-23T09:{minute:02d}:00+08:00", "data": data}

    return [ev(1, "day.started", 0, day="2026-11-23"), *[{**e, "seq": e["seq"] + 1} for e in events(1, 6)],
            ev(8, "window.opened", 31, window_id=1, clerk_id="c001"),
            ev(9, "window.opened", 31, window_id=2, clerk_id="c002"),
            ev(10, "ticket.called", 35, ticket_id=1, window_id=1, clerk_id="c001"),
            ev(11, "ticket.serving", 36, ticket_id=1, window_id=1),
            ev(12, "ticket.finished", 41, ticket_id=1, window_id=1),
            ev(13, "ticket.evaluated", 42, ticket_id=1, score=1, reasons=["slow"], comment=""),
            ev(14, "ticket.cancelled", 42, ticket_id=2, reason="cancelled"),
            ev(15, "ticket.called", 43, ticket_id=3, window_id=2, clerk_id="c002"),
            ev(16, "ticket.no_show", 45, ticket_id=3, window_id=2, requeued=True, order=9.0),
            ev(17, "window.paused", 46, window_id=2, reason="break"),
            ev(18, "ticket.called", 47, ticket_id=4, window_id=1, clerk_id="c001"),
            ev(19, "ticket.transferred", 48, ticket_id=4, from_window=1, service_id="pension", to_window=None,
               order=0.5),
            ev(20, "device.status", 49, device="kiosk-1", fault="paper_out"),
            ev(21, "window.closed", 50, window_id=1),
            ev(22, "some.future_event", 51, x=1)]


def test_projections_are_the_same_however_the_events_arrive_and_after_a_rebuild(region, region_dsn,  # noqa: F811
                                                                                 clock, capsys):
    day = a_morning()
    with up(region, credential_for(region_dsn, "whole", "整批大厅", clock)) as client:
        assert client.post("/api/v1/upstream/events", json={"events": day}).json()["acked"] == 22
    with up(region, credential_for(region_dsn, "single", "逐条大厅", clock)) as client:
        for e in day:  # one event a batch: each fold starts from the rows the last one wrote
            client.post("/api/v1/upstream/events", json={"events": [e]}).raise_for_status()
    with psycopg.connect(region_dsn) as conn:
        before = projection_rows(conn)
        by_hall = {code: [r[1:] for t in ("tickets", "windows", "devices", "hall_days") for r in before[t]
                          if r[0] == hall_id] for hall_id, code in conn.execute("SELECT id, code FROM halls")}
        whole = {h["code"]: h for h in halls_live(conn, clock.now())}["whole"]
    assert by_hall["whole"] == by_hall["single"]
    tickets = {r[0]: r for r in by_hall["whole"][:6]}  # (ticket_id, day, zone, service, number, ..., state, ...)
    assert [tickets[i][7] for i in range(1, 7)] == ["finished", "cancelled", "waiting", "waiting", "waiting",
                                                    "waiting"]
    assert tickets[4][3] == "pension" and tickets[1][16] == 1  # transferred; rated 1
    assert (whole["waiting"], whole["open_windows"], whole["paused_windows"], whole["faulty_devices"]) == (4, 0, 1, 1)

    assert region_cli(["rebuild", "--dsn", region_dsn]) == 0
    assert "44 events" in capsys.readouterr().out
    with psycopg.connect(region_dsn) as conn:
        assert projection_rows(conn) == before


async def test_a_hall_clock_off_by_minutes_changes_no_wait_and_the_last_report_is_the_region_s_time(
        tmp_path, clock, hall_ca, region, region_dsn):  # noqa: F811
    """Two halls, one clock 7 minutes fast and one 5 minutes slow, each issue a ticket at the same true
    moment: the region shows both waiting the same true time, waits measured between the hall's own event
    times, and its own time for when each last reported."""
    from hub.client import HubClient

    halls = {code: joined_hub(tmp_path, SkewedClock(clock, timedelta(minutes=skew)), hall_ca, region,
                              credential_for(region_dsn, code, code, clock), name=code)
             for code, skew in (("fast", 7), ("slow", -5))}
    try:
        for hall in halls.values():
            hall.start()
        kiosks = {code: HubClient(h.url, h.pair("kiosk"), trust=h.trust) for code, h in halls.items()}
        callers = {code: HubClient(h.url, h.pair("caller", window=1), trust=h.trust) for code, h in halls.items()}
        for code in halls:
            await kiosks[code].issue_ticket("pension")
            await kiosks[code].issue_ticket("pension")
            await callers[code].login(1, "c001", "1111")
        clock.advance(minutes=3)
        for code in halls:
            await callers[code].call_next(1)  # the first ticket waited 3 minutes on every clock
        for code, hall in halls.items():  # (the test's clocks stand still while a batch is on its way)
            last = hall.server.service.store.last_seq
            await until(lambda: region_acked(region_dsn, code) == last)
        reported = clock.now()
        clock.advance(minutes=2)  # the second has waited 5 minutes
        with psycopg.connect(region_dsn) as conn:
            live = {h["code"]: h for h in halls_live(conn, clock.now())}
            days = {code: daily_service(conn, code) for code in halls}
        for code, skew in (("fast", 7), ("slow", -5)):
            assert live[code]["clock_offset_s"] == skew * 60
            assert live[code]["longest_wait_s"] == 5 * 60  # not 12 or 0 minutes
            assert datetime.fromisoformat(live[code]["last_received_at"]) == reported  # the region's own clock
            assert float(days[code][0]["avg_wait_s"]) == 3 * 60
        assert live["fast"]["last_event_at"] != live["slow"]["last_event_at"]  # the halls' own times, kept
        for client in (*kiosks.values(), *callers.values()):
            await client.aclose()
    finally:
        for hall in halls.values():
            hall.stop()


async def test_postgresql_restarted_mid_ingest_loses_and_doubles_nothing_and_the_hall_says_why_it_waits(
        tmp_path, clock, hall_ca, region, region_dsn, postgres):  # noqa: F811
    hall = joined_hub(tmp_path, clock, hall_ca, region, credential_for(region_dsn, "h", "大厅", clock))
    hall.shipping = {**FAST, "batch": 3}  # many small batches: the restart lands between and inside them
    hall.start()
    from hub.client import HubClient

    kiosk = HubClient(hall.url, hall.pair("kiosk"), trust=hall.trust)
    try:
        for _ in range(30):
            await kiosk.issue_ticket("pension")
        postgres.stop("immediate")  # as a crash: transactions in flight are lost
        for _ in range(10):
            await kiosk.issue_ticket("business-license")  # the hall goes on
        await until(lambda: "STORAGE" in (hall.server.upstream.problem or ""), timeout=20)
        assert "could not take" in hall.server.upstream.problem
        with up(region, hall.server.upstream.upstream.credential) as client:  # says the database is down
            r = client.get("/api/v1/upstream/ack")
        assert r.status_code == 503 and r.json()["code"] == "STORAGE" and r.headers["retry-after"]
        postgres.start()
        last = hall.server.service.store.last_seq
        await until(lambda: region_acked(region_dsn, "h") == last, timeout=30)
        await until(lambda: hall.server.upstream.problem is None)
        assert stored(region_dsn, "SELECT count(*), count(DISTINCT seq), max(seq) FROM events") == [(last, last, last)]
        assert stored(region_dsn, "SELECT service_id, count(*) FROM tickets GROUP BY 1 ORDER BY 1") == \
            [("business-license", 10), ("pension", 30)]
    finally:
        await kiosk.aclose()
        hall.stop()
