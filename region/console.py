"""The region console's routes: sign-in, every hall live and one drilled down, accounts, and the
cross-hall reports with their exports. Every one but the sign-in itself needs a signed-in account
(a session cookie); an admin's alone may manage accounts."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import psycopg
from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from . import accounts as people
from . import halls as hall_store
from .live import daily_service, hall_detail, halls_live
from .messages import Refusal, error_body
from .page import render_hall, render_login, render_overview, render_reports
from .reports import ReportError, cross_hall, to_csv, to_xlsx


class SignIn(BaseModel):
    name: str = Field(max_length=40)
    password: str = Field(max_length=200)


class NewAccount(SignIn):
    role: str


SESSION_COOKIE = "hallq_region"


def console_routes(app: FastAPI, pool: ConnectionPool, clock, zone: ZoneInfo) -> None:
    """Add the console's routes to `app`; `clock` (with now()) is the region's, `zone` its time zone."""
    def _signed_in(request: Request, conn: psycopg.Connection) -> people.Account | None:
        return people.session_account(conn, request.cookies.get(SESSION_COOKIE, ""), clock.now())

    def _viewer(request: Request, conn: psycopg.Connection) -> people.Account:
        account = _signed_in(request, conn)
        if account is None:
            raise Refusal(401, "SIGN_IN_NEEDED")
        return account

    def _admin(request: Request, conn: psycopg.Connection) -> people.Account:
        account = _viewer(request, conn)
        if account.role != "admin":
            raise Refusal(403, "ROLE_FORBIDDEN")
        return account

    def _start_session(response: Response, token: str) -> None:
        # SameSite=Strict: no other site's page can post a form with it (the console's only guard against CSRF
        # it needs, as it runs no script); HttpOnly, Secure: the region is HTTPS only.
        response.set_cookie(SESSION_COOKIE, token, httponly=True, secure=True, samesite="strict",
                            max_age=int(people.SESSION_MAX.total_seconds()))

    def _address(request: Request) -> str:
        return request.client.host if request.client else "?"

    @app.post("/api/v1/session")
    def sign_in(body: SignIn, request: Request, response: Response) -> dict:
        with pool.connection() as conn:
            token, account = people.sign_in(conn, body.name, body.password, _address(request), clock.now())
        _start_session(response, token)
        return {"name": account.name, "role": account.role}

    @app.delete("/api/v1/session")
    def sign_out_api(request: Request, response: Response) -> dict:
        with pool.connection() as conn:
            people.sign_out(conn, request.cookies.get(SESSION_COOKIE, ""))
        response.delete_cookie(SESSION_COOKIE)
        return {}

    @app.get("/login", response_class=HTMLResponse)
    def login_page() -> str:
        return render_login()

    @app.post("/login")
    async def login_form(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        name, password = form.get("name", [""])[0][:40], form.get("password", [""])[0][:200]

        def attempt():
            with pool.connection() as conn:
                return people.sign_in(conn, name, password, _address(request), clock.now())

        try:
            token, _ = await run_in_threadpool(attempt)  # the hash is slow on purpose: off the event loop
        except people.AccountError as e:
            return HTMLResponse(render_login(e.code, e.params), status_code=e.status)
        response = RedirectResponse("/", status_code=303)
        _start_session(response, token)
        return response

    @app.post("/logout")
    def logout(request: Request) -> Response:
        with pool.connection() as conn:
            people.sign_out(conn, request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/api/v1/accounts")
    def account_list(request: Request) -> dict:
        with pool.connection() as conn:
            _admin(request, conn)
            return {"accounts": people.accounts(conn)}

    @app.post("/api/v1/accounts", status_code=201)
    def account_add(body: NewAccount, request: Request) -> dict:
        with pool.connection() as conn:
            _admin(request, conn)
            account = people.add_account(conn, body.name, body.role, body.password, clock.now())
        return {"name": account.name, "role": account.role}

    @app.get("/api/v1/halls")
    def live(request: Request) -> dict:
        with pool.connection() as conn:
            _viewer(request, conn)
            return {"at": clock.now().isoformat(), "halls": halls_live(conn, clock.now())}

    @app.get("/api/v1/halls/{code}")
    def one_hall(code: str, request: Request) -> dict:
        with pool.connection() as conn:
            _viewer(request, conn)
            detail = hall_detail(conn, code, clock.now())
        if detail is None:
            raise Refusal(404, "NO_HALL", hall=code)
        detail["days"] = [{**d, "day": d["day"].isoformat()} for d in detail["days"]]
        return detail

    @app.get("/api/v1/halls/{code}/daily")
    def daily(code: str, request: Request) -> dict:
        with pool.connection() as conn:
            _viewer(request, conn)
            if not any(h.code == code for h in hall_store.halls(conn)):
                raise Refusal(404, "NO_HALL", hall=code)
            return {"hall": code, "days": daily_service(conn, code)}

    @app.get("/", response_class=HTMLResponse)
    def page(request: Request) -> Response:
        with pool.connection() as conn:
            account = _signed_in(request, conn)
            if account is None:
                return RedirectResponse("/login", status_code=303)
            return HTMLResponse(render_overview(halls_live(conn, clock.now()), zone, account))

    @app.get("/halls/{code}", response_class=HTMLResponse)
    def hall_page(code: str, request: Request) -> Response:
        with pool.connection() as conn:
            account = _signed_in(request, conn)
            if account is None:
                return RedirectResponse("/login", status_code=303)
            detail = hall_detail(conn, code, clock.now())
        if detail is None:
            raise Refusal(404, "NO_HALL", hall=code)
        return HTMLResponse(render_hall(detail, zone, account))

    def _range(first: str | None, last: str | None) -> tuple[str, str]:
        """Default: the 30 days up to today, in the region's time zone."""
        today = clock.now().astimezone(zone).date()
        return first or (today - timedelta(days=29)).isoformat(), last or today.isoformat()

    @app.get("/api/v1/reports")
    def report(request: Request, by: str = "hall", hall: str | None = None,
               first: str | None = Query(None, alias="from", max_length=10),
               last: str | None = Query(None, alias="to", max_length=10)) -> dict:
        with pool.connection() as conn:
            _viewer(request, conn)
            return cross_hall(conn, *_range(first, last), by, hall or None)

    def _export(request: Request, by: str, hall: str | None, first: str | None, last: str | None, suffix: str,
                media: str, render) -> Response:
        with pool.connection() as conn:
            _viewer(request, conn)
            data = cross_hall(conn, *_range(first, last), by, hall or None)
        name = f"hallq-region-{data['from']}-{data['to']}-{by}.{suffix}"
        return Response(render(data), media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/reports.csv")
    def report_csv(request: Request, by: str = "hall", hall: str | None = None,
                   first: str | None = Query(None, alias="from", max_length=10),
                   last: str | None = Query(None, alias="to", max_length=10)) -> Response:
        return _export(request, by, hall, first, last, "csv", "text/csv; charset=utf-8", to_csv)

    @app.get("/reports.xlsx")
    def report_xlsx(request: Request, by: str = "hall", hall: str | None = None,
                    first: str | None = Query(None, alias="from", max_length=10),
                    last: str | None = Query(None, alias="to", max_length=10)) -> Response:
        return _export(request, by, hall, first, last, "xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx)

    @app.get("/reports", response_class=HTMLResponse)
    def reports_page(request: Request, by: str = "hall", hall: str | None = None,
                     first: str | None = Query(None, alias="from", max_length=10),
                     last: str | None = Query(None, alias="to", max_length=10)) -> Response:
        with pool.connection() as conn:
            account = _signed_in(request, conn)
            if account is None:
                return RedirectResponse("/login", status_code=303)
            names = [(h.code, h.name) for h in hall_store.halls(conn)]
            try:
                data, error = cross_hall(conn, *_range(first, last), by, hall or None), ""
            except ReportError as e:  # the form again with the reason, and the default report
                body = error_body(e.code, **e.params)
                data = cross_hall(conn, *_range(None, None), "hall")
                error = f"{body['message']} / {body['message_en']}"
        return HTMLResponse(render_reports(data, names, account, error), status_code=400 if error else 200)
