"""The hub's HTTP and WebSocket API. `create_app`: devices', citizens' and the console's routers, on the
hall LAN's HTTPS listener; `create_public_app`: the citizen's page and /api/v1/public/* only, for the
listener citizens' phones reach. Errors are always JSON `{code, message, message_en, params}`."""
from __future__ import annotations

import json
import logging
import re

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection

from ..app import Hub, StorageFailure
from ..console import admin, reports
from ..core.errors import DomainError
from ..messages import error_body
from ..protocol import API_PREFIX, API_VERSION
from ..writer import CommandsInProgress
from . import citizen, commands, events, queries
from .auth import ApiError
from .middleware import DEFAULT_MAX_BODY, BodyLimit, SecurityHeaders
from .web import STATIC

log = logging.getLogger("hallq.api")


def _validation_detail(exc: RequestValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    if err.get("type") == "json_invalid":
        return "MALFORMED_JSON", ""
    loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
    return "BAD_REQUEST", f"{loc}: {err.get('msg', '')}"


# A surrogate escape (\\ud800) or its raw UTF-8 form: only then is the body worth a second look.
_SURROGATE_HINT = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


async def reject_lone_surrogates(connection: HTTPConnection) -> None:
    """Python's JSON reader accepts a lone surrogate ("\\udc00"), which no UTF-8 text can hold: it
    would fail later in SQLite or in the answer, after the hall changed. Refuse it up front."""
    if not isinstance(connection, Request):  # a WebSocket: its messages are read by its route
        return
    body = await connection.body()  # cached: the route reads the same bytes
    if not _SURROGATE_HINT.search(body):
        return
    try:
        json.dumps(json.loads(body), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(422, "INVALID_TEXT") from None
    except ValueError:
        return  # not JSON: the route says so itself


def create_app(hub: Hub, tls=None, max_body: int = DEFAULT_MAX_BODY) -> FastAPI:
    """`tls`: the hub's HubTls (hub/tls.py), whose CA the pairing answer hands to devices."""
    docs = f"{API_PREFIX}/docs"
    app = FastAPI(title="HallQ hub", version=str(API_VERSION), openapi_url=f"{API_PREFIX}/openapi.json",
                  docs_url=docs, redoc_url=None, dependencies=[Depends(reject_lone_surrogates)])
    app.state.hub, app.state.tls = hub, tls
    _guard(app, hub, max_body, docs)
    _handle_errors(app)
    app.include_router(commands.router, prefix=API_PREFIX)
    app.include_router(queries.router, prefix=API_PREFIX)
    app.include_router(events.router, prefix=API_PREFIX)
    app.include_router(citizen.router, prefix=API_PREFIX)
    app.include_router(citizen.pages)
    app.include_router(admin.router)
    app.include_router(reports.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _guard(app: FastAPI, hub: Hub, max_body: int, docs: str | None) -> None:
    # Innermost: counts the commands that got past the limits (citizens' phones send some too).
    app.add_middleware(CommandsInProgress, writer=hub.writer)
    app.add_middleware(BodyLimit, limit=max_body)
    app.add_middleware(SecurityHeaders, docs_path=docs)  # added last = outermost: a 413 carries them too


CITIZEN_FILES = frozenset({"ticket.css", "ticket.js", "i18n.js", "hall.js", "book.js"})  # what the citizen pages load


def create_public_app(hub: Hub, max_body: int = DEFAULT_MAX_BODY) -> FastAPI:
    """What citizens' phones may reach: nothing of the console's or the devices' routes exists here."""
    app = FastAPI(title="HallQ citizen pages", version=str(API_VERSION), openapi_url=None, docs_url=None,
                  redoc_url=None, dependencies=[Depends(reject_lone_surrogates)])
    app.state.hub, app.state.tls = hub, None
    _guard(app, hub, max_body, None)
    _handle_errors(app)
    app.include_router(citizen.router, prefix=API_PREFIX)
    app.include_router(citizen.pages)

    @app.get("/static/{name}", include_in_schema=False)
    async def citizen_file(name: str):
        if name not in CITIZEN_FILES:
            raise StarletteHTTPException(404, "Not Found")
        return FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})

    return app


def _handle_errors(app: FastAPI) -> None:
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
        if exc.status_code == 400:  # the framework could not read the body (e.g. not UTF-8)
            return JSONResponse(error_body("MALFORMED_JSON"), status_code=422)
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "BAD_REQUEST")
        return JSONResponse(error_body(code, {"detail": str(exc.detail)}), status_code=exc.status_code)

    @app.exception_handler(StorageFailure)
    async def _storage(request: Request, exc: StorageFailure):
        return JSONResponse(error_body("STORAGE"), status_code=503)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse(error_body("INTERNAL"), status_code=500)


__all__ = ["create_app", "create_public_app"]
