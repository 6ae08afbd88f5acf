"""Who may see the region: every console route needs a named sign-in (ingest takes a hall credential
instead), accounts need an admin, sessions end, and guessing is limited — on a real region and PostgreSQL."""
from __future__ import annotations

import io
import sys
from datetime import timedelta

import psycopg

from region.accounts import add_account
from region.cli import main as region_cli
from tests.region_pg import postgres, region_dsn  # noqa: F401  (fixtures)
from region.halls import add_hall
from tests.test_region_upstream import a_morning, console, region, up  # noqa: F401  (region: a fixture)


def test_nothing_but_ingest_is_served_without_a_sign_in(region, region_dsn, clock):  # noqa: F811
    with up(region, None) as anyone:
        for path in ("/api/v1/halls", "/api/v1/halls/h1", "/api/v1/halls/h1/daily", "/api/v1/accounts"):
            r = anyone.get(path)
            assert (r.status_code, r.json()["code"]) == (401, "SIGN_IN_NEEDED"), path
        for path in ("/", "/halls/h1"):
            r = anyone.get(path)
            assert (r.status_code, r.headers["location"]) == (303, "/login"), path
        assert anyone.get("/login").status_code == 200
        assert anyone.get("/nearby").status_code == 200  # 就近办 is the citizens' page
    with up(region, "hqr_wrong") as hall:  # a hall credential is no sign-in either way round
        assert hall.get("/api/v1/halls").status_code == 401


def test_a_viewer_sees_halls_but_only_an_admin_manages_accounts(region, region_dsn, clock):  # noqa: F811
    with console(region, region_dsn, clock, "viewer", "viewer") as viewer:
        assert viewer.get("/api/v1/halls").status_code == 200
        r = viewer.post("/api/v1/accounts", json={"name": "x", "role": "admin", "password": "long-enough-1"})
        assert (r.status_code, r.json()["code"]) == (403, "ROLE_FORBIDDEN")
        assert viewer.get("/api/v1/accounts").status_code == 403
    with console(region, region_dsn, clock, "admin", "admin") as admin:
        assert admin.post("/api/v1/accounts", json={"name": "李四", "role": "viewer", "password": "long-enough-1"}) \
            .status_code == 201
        again = admin.post("/api/v1/accounts", json={"name": "李四", "role": "admin", "password": "other-pass-1"})
        short = admin.post("/api/v1/accounts", json={"name": "王五", "role": "viewer", "password": "short"})
        role = admin.post("/api/v1/accounts", json={"name": "王五", "role": "owner", "password": "long-enough-1"})
        assert (again.status_code, again.json()["code"]) == (409, "ACCOUNT_EXISTS")
        assert (short.status_code, short.json()["code"]) == (400, "PASSWORD_SHORT") and "8" in short.json()["message"]
        assert (role.status_code, role.json()["code"]) == (400, "ACCOUNT_ROLE")
        names = {a["name"]: a["role"] for a in admin.get("/api/v1/accounts").json()["accounts"]}
        assert names == {"viewer": "viewer", "admin": "admin", "李四": "viewer"}  # the refused ones stored nothing

        assert admin.delete("/api/v1/session").status_code == 200  # signed out: the cookie is worth nothing
        assert admin.get("/api/v1/halls").status_code == 401


def test_a_session_ends_when_idle_or_too_old_and_guessing_is_limited(region, region_dsn, clock):  # noqa: F811
    with console(region, region_dsn, clock) as person:
        clock.advance(minutes=29)
        assert person.get("/api/v1/halls").status_code == 200  # in use: kept alive
        steps = 1
        while person.get("/api/v1/halls").status_code == 200:
            clock.advance(minutes=25)
            steps += 1
        assert 29 + 25 * (steps - 1) >= 12 * 60 > 29 + 25 * (steps - 2)  # ended at 12 hours, though in use

    with psycopg.connect(region_dsn, autocommit=True) as conn:
        add_account(conn, "guessed", "viewer", "the-right-one", clock.now())
    with up(region, None) as guesser:
        for _ in range(5):
            r = guesser.post("/api/v1/session", json={"name": "guessed", "password": "a-wrong-one"})
            assert (r.status_code, r.json()["code"]) == (401, "SIGN_IN_WRONG")
        r = guesser.post("/api/v1/session", json={"name": "guessed", "password": "the-right-one"})
        assert (r.status_code, r.json()["code"]) == (429, "SIGN_IN_LOCKED")  # even the right one, for now
        assert r.json()["params"]["minutes"] == 10 and "10 分钟" in r.json()["message"]
        clock.advance(minutes=10)
        assert guesser.post("/api/v1/session", json={"name": "guessed", "password": "the-right-one"}) \
            .status_code == 200


def test_hallq_region_account_add_makes_an_account_that_signs_in(region, region_dsn, clock, monkeypatch,  # noqa: F811
                                                                  capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("boss-password\n"))  # the password, piped in
    assert region_cli(["account", "add", "boss", "--role", "admin", "--dsn", region_dsn]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert region_cli(["account", "add", "clerk", "--dsn", region_dsn]) == 2
    assert "密码至少 8 个字符" in capsys.readouterr().err
    assert region_cli(["account", "list", "--dsn", region_dsn]) == 0
    assert capsys.readouterr().out.splitlines() == ["boss\tadmin"]
    with up(region, None) as boss:
        r = boss.post("/api/v1/session", json={"name": "boss", "password": "boss-password"})
        assert r.json() == {"name": "boss", "role": "admin"}


def test_the_county_is_alerted_to_a_long_wait_a_silent_hall_a_fault_and_a_wrong_clock(region, region_dsn,  # noqa: F811
                                                                                     clock):
    with psycopg.connect(region_dsn, autocommit=True) as conn:
        credential = add_hall(conn, "h", "大厅", clock.now())
    day = a_morning()  # four left waiting since 09:30; kiosk-1 out of paper at 09:49
    with up(region, credential) as hall:
        hall.post("/api/v1/upstream/events", json={"events": day[:19]}).raise_for_status()  # up to 09:48
    with console(region, region_dsn, clock) as county:
        def alerts() -> list[str]:
            return county.get("/api/v1/halls").json()["halls"][0]["alerts"]

        assert alerts() == []  # 09:30 on the region's clock: just heard from, nobody waiting long
        clock.advance(minutes=15)
        assert alerts() == ["silent"]  # people wait, and nothing came for 15 minutes
        sent_at = (clock.now() + timedelta(minutes=2)).isoformat()  # the hall's clock 2 minutes fast
        with up(region, credential) as hall:
            hall.post("/api/v1/upstream/events", json={"events": day[19:20], "sent_at": sent_at}).raise_for_status()
        assert alerts() == ["faulty", "clock"]
        clock.advance(minutes=13)  # 09:58 here, 10:00 at the hall: the first has waited 30 minutes
        assert alerts() == ["long_wait", "faulty", "clock"]
