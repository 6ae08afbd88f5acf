"""Starting the hub (HTTPS for devices and the console, and optionally a citizen listener): in the
foreground for `hallq hub`, or in a thread for tests and the demo."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from pathlib import Path
from typing import Callable

import uvicorn
from websockets.exceptions import InvalidState

import assets

from .api.app import create_app, create_public_app
from .core.clock import Clock, SystemClock
from .core.config import HallConfig, load_hall
from .protocol import Role
from .app import Hub
from .store import Store
from .tls import HubTls, hall_tls, hub_names
from .upstream import hall_profile, start_shipper

log = logging.getLogger("hallq.hub")

DEFAULT_HALL = assets.path("halls", "default.toml")
RENEW_CHECK_SECONDS = 24 * 3600


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


class _Companion(uvicorn.Server):
    """The citizen listener, served beside the device listener in the same loop: the device listener
    owns the process's signals, and stopping it stops this one."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


def _uvicorn(app, host: str, port: int, tls: HubTls | None, log_level: str, cls=uvicorn.Server,
             access_log: bool = False) -> uvicorn.Server:
    files = {"ssl_certfile": str(tls.certfile), "ssl_keyfile": str(tls.keyfile)} if tls else {}
    # A TLS connection closes when its peer answers; a stopping hub does not wait long for one that doesn't.
    return cls(uvicorn.Config(app, host=host, port=port, log_level=log_level, ws_ping_interval=10, ws_ping_timeout=10,
                              lifespan="off", timeout_graceful_shutdown=5, access_log=access_log,
                              ws_per_message_deflate=WS_DEFLATE, **files))


async def _serve(server: uvicorn.Server) -> None:
    try:
        await server.serve()
    except InvalidState:
        # uvicorn's shutdown sends a close to every WebSocket and trips over one already closing
        # (over TLS a close takes a round trip, so a device that just left is often caught so);
        # the listener is closed by then and the hub is stopping anyway.
        log.debug("a WebSocket was already closing when the hub stopped")


async def _renew_daily(server: uvicorn.Server, renew: Callable[[], HubTls]) -> None:
    """A hub that runs for months renews its certificate in place: new connections get the new one."""
    while True:
        await asyncio.sleep(RENEW_CHECK_SECONDS)
        try:
            tls = await asyncio.to_thread(renew)
            server.config.ssl.load_cert_chain(tls.certfile, tls.keyfile)
        except Exception:
            log.exception("could not renew the hub's certificate; the current one stays in use")


async def _serve_together(main: uvicorn.Server, companion: uvicorn.Server | None,
                          renew: Callable[[], HubTls] | None = None) -> None:
    others = [asyncio.ensure_future(_serve(companion))] if companion else []
    renewing = asyncio.ensure_future(_renew_daily(main, renew)) if renew else None
    try:
        await _serve(main)
    finally:
        if renewing:
            renewing.cancel()
        if companion:
            companion.should_exit = True
        await asyncio.gather(*others, *([renewing] if renewing else []), return_exceptions=True)


class HubServer:
    """A real hub in a background thread, the way tests and the demo run one: HTTPS for devices and
    the console on `port`; with `public_port`, a second listener for citizens' phones only.

    `tls`: the hub's certificates (default: the hall CA beside the database, made at first start);
    `names`: more names or addresses the certificate must cover; `public_tls`: the citizen
    listener's own certificate (default: plain HTTP, as phones do not trust the hall CA)."""

    def __init__(self, service: Hub, host: str = "127.0.0.1", port: int | None = None, *, tls: HubTls | None = None,
                 names: list[str] | tuple[str, ...] = (), public_port: int | None = None,
                 public_host: str | None = None, public_tls: HubTls | None = None,
                 upstream_options: dict | None = None):
        self.service = service
        self.host, self.port = host, port or free_port(host)
        self.tls = tls or hall_tls(service.store.path.parent, hub_names(host, names), hall_name=service.hall_name)
        self.server = _uvicorn(create_app(service, self.tls), host, self.port, self.tls, "warning")
        self.public_server = None
        if public_port is not None:
            self.public_host = public_host or host
            self.public_port = public_port or free_port(self.public_host)
            self.public_scheme = "https" if public_tls else "http"
            self.public_server = _uvicorn(create_public_app(service), self.public_host, self.public_port, public_tls,
                                          "warning", _Companion)
        if not service.public_url:
            service.public_url = self.public_url if self.public_server else self.url
        self.thread: threading.Thread | None = None
        self.upstream = None  # the outbox to the region, when upstream.json beside the database names one
        self.upstream_options = upstream_options or {}

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def public_url(self) -> str:
        """The citizen listener's address (QR links point here)."""
        return f"{self.public_scheme}://{self.public_host}:{self.public_port}" if self.public_server else self.url

    @property
    def trust(self):
        """What a device paired with this hub pins (tests and the demo pair on the hub's own machine)."""
        from .client.trust import HallTrust

        return HallTrust(self.tls.ca_pem, self.tls.fingerprint)

    def client(self, role: str, name: str, window_id: int | None = None, **options):
        """A HubClient for a device paired here, pinned to this hub's CA."""
        from .client import HubClient

        return HubClient(self.url, self.pair(role, name, window_id), trust=self.trust, **options)

    def _servers(self) -> list[uvicorn.Server]:
        return [s for s in (self.server, self.public_server) if s is not None]

    def start(self, timeout: float = 15.0) -> "HubServer":
        self.thread = threading.Thread(target=lambda: asyncio.run(_serve_together(self.server, self.public_server)),
                                       name=f"hub-{self.port}", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not all(s.started for s in self._servers()):
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"hub did not start on {self.url}")
            time.sleep(0.02)
        self.upstream = start_shipper(self.service.store.path, clock=self.service.clock,
                                      profile=lambda: hall_profile(self.service.config, self.service.public_url),
                                      **self.upstream_options)
        return self

    def stop(self) -> None:
        if self.upstream:
            self.upstream.stop()
        for s in self._servers():
            s.should_exit = True
        if self.thread:
            self.thread.join(timeout=1)
            # A TLS connection closes only when its peer answers the close; a device whose loop is
            # paused (or gone) never does, so after a moment the hub stops without waiting for it.
            for s in self._servers():
                s.force_exit = True
            self.thread.join(timeout=10)
        self.service.close()

    def pair(self, role: str, name: str, window_id: int | None = None) -> str:
        _, token = self.service.pair_device_directly(Role(role), name, window_id)
        return token


def serve_forever(service: Hub, host: str, port: int, tls: HubTls, advertise: bool = True,
                  addresses: list[str] | None = None, public: tuple[str, int, HubTls | None] | None = None,
                  renew: Callable[[], HubTls] | None = None, access_log: bool = False) -> None:
    """The hub in the foreground (`hallq hub`); `public`: the citizen listener's (host, port, certificate or
    None); `renew`: re-issues the hall CA's server certificate if due (checked daily); `access_log`: a line per
    request (off by default: it costs more hub CPU than issuing the ticket)."""
    main = _uvicorn(create_app(service, tls), host, port, tls, "info", access_log=access_log)
    companion = None
    if public:
        public_host, public_port, public_tls = public
        companion = _uvicorn(create_public_app(service), public_host, public_port, public_tls, "info", _Companion,
                             access_log)
    advertiser = None
    if advertise:
        from .discovery import Advertiser  # zeroconf: imported only by a hub that advertises

        advertiser = Advertiser(service.config.hall.name, port, addresses, tls.fingerprint)
    if advertiser:
        try:
            advertiser.start()
        except OSError as e:
            log.warning("zeroconf advertisement failed (%s); devices need the hub's address", e)
            advertiser = None
    upstream = start_shipper(service.store.path, clock=service.clock,
                             profile=lambda: hall_profile(service.config, service.public_url))
    try:
        # uvicorn's own choice of loop, as `uvicorn.run` would make it: uvloop where installed (uvicorn[standard]
        # brings it; not on Windows), whose event loop and TLS cost less CPU per request than asyncio's.
        with asyncio.Runner(loop_factory=main.config.get_loop_factory()) as runner:
            runner.run(_serve_together(main, companion, renew))
    finally:
        if upstream:
            upstream.stop()
        if advertiser:
            advertiser.stop()
        service.close()


__all__ = ["HubServer", "build_service", "serve_forever", "free_port", "DEFAULT_HALL"]
