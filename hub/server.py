"""Starting the hub: in the foreground for `hallq hub`, or in a thread for tests and the demo."""
from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path

import uvicorn

import assets

from .api.app import create_app
from .core.clock import Clock, SystemClock
from .core.config import HallConfig, load_hall
from .protocol import Role
from .app import Hub
from .store import Store

log = logging.getLogger("hallq.hub")

DEFAULT_HALL = assets.path("halls", "default.toml")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def build_service(db_path: str | Path, hall: HallConfig | str | Path | None = None, clock: Clock | None = None,
                  public_url: str = "") -> Hub:
    config = hall if isinstance(hall, HallConfig) else load_hall(hall or DEFAULT_HALL)
    store = Store(db_path)
    edited = store.hall_layout()  # saved by the console; it wins over the file
    if edited:
        try:
            config = HallConfig.model_validate_json(edited)
            log.info("using the hall layout edited in the console (stored in %s)", db_path)
        except ValueError as e:
            log.error("the hall layout stored by the console is unusable (%s); using the hall file", e)
    return Hub(config, store, clock or SystemClock(config.tz), public_url=public_url)


# Compressing each event again for every display (a zlib stream per connection) was most of the
# fan-out's cost (bench/fanout_lag.py: median lag at 200 displays 104 -> 19 ms without it); events
# are small and the LAN is not the bottleneck.
WS_DEFLATE = False


class HubServer:
    """A real hub on a port, in a background thread: the way tests and the demo run one."""

    def __init__(self, service: Hub, host: str = "127.0.0.1", port: int | None = None):
        self.service = service
        self.host, self.port = host, port or free_port(host)
        if not service.public_url:
            service.public_url = f"http://{host}:{self.port}"
        self.app = create_app(service)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host=host, port=self.port, log_level="warning",
                                                    ws_ping_interval=10, ws_ping_timeout=10, lifespan="off",
                                                    access_log=False, ws_per_message_deflate=WS_DEFLATE))
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> "HubServer":
        self.thread = threading.Thread(target=self.server.run, name=f"hub-{self.port}", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"hub did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread:
            self.thread.join(timeout=10)
        self.service.close()

    def pair(self, role: str, name: str, window_id: int | None = None) -> str:
        _, token = self.service.pair_device_directly(Role(role), name, window_id)
        return token


def serve_forever(service: Hub, host: str, port: int, advertise: bool = True,
                  addresses: list[str] | None = None, access_log: bool = False) -> None:
    from .discovery import Advertiser

    app = create_app(service)
    advertiser = Advertiser(service.config.hall.name, port, addresses) if advertise else None
    if advertiser:
        try:
            advertiser.start()
        except OSError as e:
            log.warning("zeroconf advertisement failed (%s); devices need the hub's address", e)
            advertiser = None
    try:
        # A line per request costs more hub CPU than issuing the ticket, so it is off unless asked for.
        uvicorn.run(app, host=host, port=port, log_level="info", ws_ping_interval=10, ws_ping_timeout=10,
                    access_log=access_log, ws_per_message_deflate=WS_DEFLATE)
    finally:
        if advertiser:
            advertiser.stop()
        service.close()


__all__ = ["HubServer", "build_service", "serve_forever", "free_port", "DEFAULT_HALL"]
