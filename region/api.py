"""The region's HTTP API: halls ship events, follow-ups and their public profile here (with a hall
credential); citizens read the 就近办 page; the console (region/console.py) needs a sign-in.
Every request takes a pooled connection and gives it back: nothing is kept between requests, so any
number of region processes may serve one database."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

import psycopg
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout
from pydantic import AwareDatetime, BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

import hub

from . import accounts as people
from . import halls as hall_store
from .console import console_routes
from .messages import Refusal, error_body
from .nearby import catalogue, halls_offering
from .page import render_nearby
from .reports import ReportError

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

    @app.exception_handler(Refusal)
    async def _refused(_: Request, e: Refusal):
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
            raise Refusal(401, "BAD_CREDENTIAL")
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
            raise Refusal(400, "BAD_BATCH", detail="seq must rise by one / seq 须逐一递增")
        with pool.connection() as conn:
            hall = _hall(conn, request)
            try:
                acked, stored = hall_store.ingest(conn, hall.id, events, clock.now(), batch.sent_at)
            except hall_store.Gap as gap:
                raise Refusal(409, "SEQ_GAP", acked=gap.acked, next=gap.acked + 1) from None
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

    console_routes(app, pool, clock, zone)

    @app.get("/static/console.css")
    def css() -> FileResponse:
        return FileResponse(CONSOLE_CSS, media_type="text/css")

    return app
