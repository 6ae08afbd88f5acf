"""The hub's HTTP and WebSocket API: devices', citizens' and the console's routers on one app. Errors are always JSON `{code, message, message_en}`."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..app import Hub, StorageFailure
from ..console import admin, reports
from ..core.errors import DomainError
from ..messages import error_body
from ..protocol import API_PREFIX, API_VERSION
from ..writer import CommandsInProgress
from . import citizen, commands, events, queries
from .auth import ApiError
from .web import STATIC

log = logging.getLogger("hallq.api")


def _validation_detail(exc: RequestValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    if err.get("type") == "json_invalid":
        return "MALFORMED_JSON", ""
    loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
    return "BAD_REQUEST", f"{loc}: {err.get('msg', '')}"


def create_app(hub: Hub) -> FastAPI:
    app = FastAPI(title="HallQ hub", version=str(API_VERSION), openapi_url=f"{API_PREFIX}/openapi.json",
                  docs_url=f"{API_PREFIX}/docs", redoc_url=None)
    app.state.hub = hub
    app.add_middleware(CommandsInProgress, writer=hub.writer)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse(error_body(exc.code, exc.params), status_code=exc.status)

    @app.exception_handler(DomainError)
    async def _refused(request: Request, exc: DomainError):
        return JSONResponse(error_body(exc.code, exc.params), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        code, detail = _validation_detail(exc)
        return JSONResponse(error_body(code, {"detail": detail}), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "BAD_REQUEST")
        return JSONResponse(error_body(code, {"detail": str(exc.detail)}), status_code=exc.status_code)

    @app.exception_handler(StorageFailure)
    async def _storage(request: Request, exc: StorageFailure):
        return JSONResponse(error_body("STORAGE"), status_code=503)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse(error_body("INTERNAL"), status_code=500)

    app.include_router(commands.router, prefix=API_PREFIX)
    app.include_router(queries.router, prefix=API_PREFIX)
    app.include_router(events.router, prefix=API_PREFIX)
    app.include_router(citizen.router, prefix=API_PREFIX)
    app.include_router(citizen.pages)
    app.include_router(admin.router)
    app.include_router(reports.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


__all__ = ["create_app"]
