"""The region's HTTP API: halls ship events here, the county's pages read the projections.
Every request takes a pooled connection and gives it back: nothing is kept between requests, so any
number of region processes may serve one database."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from psycopg_pool import ConnectionPool, PoolTimeout
from pydantic import AwareDatetime, BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

import hub

from . import halls as hall_store
from .live import daily_service, halls_live
from .messages import error_body
from .page import render_page

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
        return {"hall": hall.code, "acked": hall.acked_seq}

    @app.post("/api/v1/upstream/events")
    def take(batch: Batch, request: Request) -> dict:
        events = [e.model_dump() for e in batch.events]
        seqs = [e["seq"] for e in events]
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            raise _Refusal(400, "BAD_BATCH", detail="seq must rise by one / seq 须逐一递增")
        with pool.connection() as conn:
            hall = _hall(conn, request)
            try:
                acked, stored = hall_store.ingest(conn, hall.id, events, clock.now())
            except hall_store.Gap as gap:
                raise _Refusal(409, "SEQ_GAP", acked=gap.acked, next=gap.acked + 1) from None
        return {"hall": hall.code, "acked": acked, "stored": stored}

    @app.get("/api/v1/halls")
    def live() -> dict:
        with pool.connection() as conn:
            return {"at": clock.now().isoformat(), "halls": halls_live(conn, clock.now())}

    @app.get("/api/v1/halls/{code}/daily")
    def daily(code: str) -> dict:
        with pool.connection() as conn:
            if not any(h.code == code for h in hall_store.halls(conn)):
                raise _Refusal(404, "NO_HALL", hall=code)
            return {"hall": code, "days": daily_service(conn, code)}

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        with pool.connection() as conn:
            return render_page(halls_live(conn, clock.now()), zone)

    @app.get("/static/console.css")
    def css() -> FileResponse:
        return FileResponse(CONSOLE_CSS, media_type="text/css")

    return app
