"""The region's HTTP API: halls ship events here, the county's pages read the projections.
Every request takes a pooled connection and gives it back: nothing is kept between requests, so any
number of region processes may serve one database."""
from __future__ import annotations

import logging
from urllib.parse import parse_qs
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

import psycopg
from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout
from pydantic import AwareDatetime, BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

import hub

from . import accounts as people
from . import halls as hall_store
from .live import daily_service, hall_detail, halls_live
from .messages import error_body
from .nearby import catalogue, halls_offering
from .page import render_hall, render_login, render_nearby, render_overview, render_reports
from .reports import ReportError, cross_hall, to_csv, to_xlsx

log = logging.getLogger("hallq.region")

MAX_BATCH = 1_000
DEFAULT_TZ = "Asia/Shanghai"
# As the hall console's: the page runs no script and is framed by no one.
SECURITY_HEADERS = {"x-frame-options": "DENY", "referrer-policy": "no-referrer", "x-content-type-options": "nosniff",
                    "content-security-policy": "default-src 'self'; script-src 'none'; frame-ancestors 'none'"}
CONSOLE_CSS = Path(hub.__file__).resolve().parent / "static" / "console.css"  # the hall console's look


class Clock(Protocol):
    def now(self) -> datetime: ...


class UtcClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class UpEvent(BaseModel):
    seq: int = Field(ge=1)
    type: str = Field(min_length=1, max_length=64)
    v: int = Field(ge=1)
    at: AwareDatetime
    data: dict


class Batch(BaseModel):
    events: list[UpEvent] = Field(min_length=1, max_length=MAX_BATCH)
    sent_at: AwareDatetime | None = None  # the hall's clock as it sent the batch


class UpFollowUp(BaseModel):
    ticket_id: int = Field(ge=1)
    state: Literal["open", "handled", "rectified"]
    updated_at: str = Field(min_length=10, max_length=40)


class FollowUps(BaseModel):
    followups: list[UpFollowUp] = Field(min_length=1, max_length=MAX_BATCH)


class Span(BaseModel):
    days: str = Field(max_length=40)
    open: str = Field(max_length=5)
    close: str = Field(max_length=5)


class ProfileZone(BaseModel):
    id: str = Field(max_length=64)
    name: str = Field(max_length=100)
    name_en: str = Field("", max_length=100)
    always_open: bool = False
    hours: list[Span] = Field(default_factory=list, max_length=20)


class ProfileService(BaseModel):
    id: str = Field(max_length=64)
    name: str = Field(max_length=100)
    name_en: str = Field("", max_length=100)
    zone: str = Field(max_length=64)


class HallProfile(BaseModel):
    name: str = Field(max_length=100)
    name_en: str = Field("", max_length=100)
    timezone: str = Field(max_length=64)
    url: str = Field("", max_length=300, pattern=r"^(https?://\S+)?$")  # links on a public page: web addresses only
    zones: list[ProfileZone] = Field(max_length=200)
    services: list[ProfileService] = Field(max_length=2000)


class SignIn(BaseModel):
    name: str = Field(max_length=40)
    password: str = Field(max_length=200)


class NewAccount(SignIn):
    role: str


SESSION_COOKIE = "hallq_region"


class _Refusal(Exception):
    def __init__(self, status: int, code: str, **params):
        self.status, self.code, self.params = status, code, params


def _credential(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def create_app(pool: ConnectionPool, clock: Clock | None = None, tz: str = DEFAULT_TZ) -> FastAPI:
    """`tz`: the region's time zone, for the times its pages show."""
    clock = clock or UtcClock()
    zone = ZoneInfo(tz)
    app = FastAPI(title="HallQ region", docs_url=None, redoc_url=None)

    @app.middleware("http")
    async def _secured(request: Request, call_next):
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(_Refusal)
    async def _refused(_: Request, e: _Refusal):
        headers = {"WWW-Authenticate": "Bearer"} if e.status == 401 else None
        return JSONResponse(error_body(e.code, **e.params), status_code=e.status, headers=headers)

    @app.exception_handler(people.AccountError)
    async def _account_refused(_: Request, e: people.AccountError):
        return JSONResponse(error_body(e.code, **e.params), status_code=e.status)

    @app.exception_handler(ReportError)
    async def _bad_report(_: Request, e: ReportError):
        return JSONResponse(error_body(e.code, **e.params), status_code=400)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, e: RequestValidationError):
        first = e.errors()[0] if e.errors() else {}
        detail = f"{'.'.join(str(p) for p in first.get('loc', ())[1:])}: {first.get('msg', '')}"
        return JSONResponse(error_body("BAD_BATCH", detail=detail), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, e: StarletteHTTPException):
        return JSONResponse(error_body("NOT_FOUND"), status_code=e.status_code)

    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _storage(_: Request, e: Exception):
        return JSONResponse(error_body("STORAGE"), status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _internal(_: Request, e: Exception):
        log.exception("region request failed")  # events hold no ID numbers: logging the failure is safe
        return JSONResponse(error_body("INTERNAL"), status_code=500)

    def _hall(conn: psycopg.Connection, request: Request) -> hall_store.Hall:
        hall = hall_store.hall_for(conn, _credential(request))
        if hall is None:
            raise _Refusal(401, "BAD_CREDENTIAL")
        return hall

    @app.get("/api/v1/upstream/ack")
    def acked(request: Request) -> dict:
        """Where a hall resumes: the last seq the region holds of it."""
        with pool.connection() as conn:
            hall = _hall(conn, request)
            mark = hall_store.followups_mark(conn, hall.id)
        return {"hall": hall.code, "acked": hall.acked_seq, "followups": list(mark)}

    @app.post("/api/v1/upstream/events")
    def take(batch: Batch, request: Request) -> dict:
        events = [e.model_dump() for e in batch.events]
        seqs = [e["seq"] for e in events]
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            raise _Refusal(400, "BAD_BATCH", detail="seq must rise by one / seq 须逐一递增")
        with pool.connection() as conn:
            hall = _hall(conn, request)
            try:
                acked, stored = hall_store.ingest(conn, hall.id, events, clock.now(), batch.sent_at)
            except hall_store.Gap as gap:
                raise _Refusal(409, "SEQ_GAP", acked=gap.acked, next=gap.acked + 1) from None
        return {"hall": hall.code, "acked": acked, "stored": stored}

    @app.post("/api/v1/upstream/followups")
    def take_followups(batch: FollowUps, request: Request) -> dict:
        with pool.connection() as conn:
            hall = _hall(conn, request)
            mark = hall_store.take_followups(conn, hall.id, [f.model_dump() for f in batch.followups])
        return {"hall": hall.code, "followups": list(mark)}

    @app.put("/api/v1/upstream/profile")
    def take_profile(profile: HallProfile, request: Request) -> dict:
        with pool.connection() as conn:
            hall = _hall(conn, request)
            conn.execute("UPDATE halls SET profile = %s, profile_at = %s WHERE id = %s",
                         (Jsonb(profile.model_dump()), clock.now(), hall.id))
        return {"hall": hall.code, "services": len(profile.services)}

    # ---- 就近办: the citizens' page, open to anyone ------------------------------------------------
    @app.get("/nearby", response_class=HTMLResponse)
    def nearby(service: str | None = Query(None, max_length=64)) -> str:
        with pool.connection() as conn:
            services = catalogue(conn)
            offering = halls_offering(conn, service, clock.now()) if service else []
        return render_nearby(services, service, offering)

    # ---- the console: every route below needs a sign-in, except the sign-in itself ----------------
    def _signed_in(request: Request, conn: psycopg.Connection) -> people.Account | None:
        return people.session_account(conn, request.cookies.get(SESSION_COOKIE, ""), clock.now())

    def _viewer(request: Request, conn: psycopg.Connection) -> people.Account:
        account = _signed_in(request, conn)
        if account is None:
            raise _Refusal(401, "SIGN_IN_NEEDED")
        return account

    def _admin(request: Request, conn: psycopg.Connection) -> people.Account:
        account = _viewer(request, conn)
        if account.role != "admin":
            raise _Refusal(403, "ROLE_FORBIDDEN")
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
            raise _Refusal(404, "NO_HALL", hall=code)
        detail["days"] = [{**d, "day": d["day"].isoformat()} for d in detail["days"]]
        return detail

    @app.get("/api/v1/halls/{code}/daily")
    def daily(code: str, request: Request) -> dict:
        with pool.connection() as conn:
            _viewer(request, conn)
            if not any(h.code == code for h in hall_store.halls(conn)):
                raise _Refusal(404, "NO_HALL", hall=code)
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
            raise _Refusal(404, "NO_HALL", hall=code)
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

    @app.get("/static/console.css")
    def css() -> FileResponse:
        return FileResponse(CONSOLE_CSS, media_type="text/css")

    return app
