"""Running the region: HTTPS with the region's own CA (made at first start beside its data, as a hall's
hub makes its hall CA; halls pin it), in the foreground or in a thread for tests."""
from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

import psycopg
import uvicorn
from psycopg_pool import ConnectionPool

from hub.tls import HubTls, hall_tls, hub_names

from .api import Clock, create_app
from .schema import migrate

DEFAULT_PORT = 8700
POOL_MAX = 8
POOL_WAIT_S = 3


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def region_tls(directory: str | Path, host: str = "", names: list[str] | tuple[str, ...] = ()) -> HubTls:
    """The region CA (`hall-ca.pem` in `directory`, pinned by every hall) and the server certificate it signs."""
    return hall_tls(directory, hub_names(host, list(names)), hall_name="region 区域")


def open_pool(dsn: str) -> ConnectionPool:
    """Migrates the schema first, so every process serves the schema its code expects."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        migrate(conn)
    # check: a connection PostgreSQL dropped (a restart) is replaced before a request gets it;
    # timeout: with the database down a request answers 503 STORAGE after that long, not later
    return ConnectionPool(dsn, min_size=1, max_size=POOL_MAX, open=True, check=ConnectionPool.check_connection,
                          timeout=POOL_WAIT_S, kwargs={"autocommit": True})


def _uvicorn(app, host: str, port: int, tls: HubTls, log_level: str) -> uvicorn.Server:
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off",
                                         ssl_certfile=str(tls.certfile), ssl_keyfile=str(tls.keyfile),
                                         timeout_graceful_shutdown=5))


class RegionServer:
    """A region process's server in a background thread (tests, bench)."""

    def __init__(self, dsn: str, directory: str | Path, host: str = "127.0.0.1", port: int | None = None,
                 clock: Clock | None = None):
        self.host, self.port = host, port or _free_port(host)
        self.tls = region_tls(directory, host)
        self.pool = open_pool(dsn)
        self.server = _uvicorn(create_app(self.pool, clock), host, self.port, self.tls, "warning")
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> "RegionServer":
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve()), name=f"region-{self.port}",
                                       daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"region did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread:
            self.thread.join(timeout=10)
        self.pool.close()


def serve_forever(dsn: str, directory: Path, host: str, port: int, names: list[str], tz: str) -> None:
    tls = region_tls(directory, host, names)
    pool = open_pool(dsn)
    print(f"region: https://{host}:{port} — region CA / 区域证书: {tls.certfile.parent / 'hall-ca.pem'} "
          f"fingerprint / 指纹 {tls.fingerprint}", flush=True)
    try:
        _uvicorn(create_app(pool, tz=tz), host, port, tls, "info").run()
    finally:
        pool.close()
