"""Shared fixtures: a real hub (HTTPS, its hall CA in the tmp dir) on a free loopback port, a temp SQLite
file, a hand-moved clock."""
from __future__ import annotations

import asyncio
import gc
import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hub.core.clock import ManualClock  # noqa: E402
from hub.client.qtgc import collect_from_event_loop  # noqa: E402
from hub.server import HubServer, build_service  # noqa: E402

DATA = Path(__file__).parent / "data"
SMALL_HALL = DATA / "small_hall.toml"


def default_hall_issuing_early(folder: Path, name: str | None = None) -> Path:
    """The shipped default hall, written into `folder`, issuing before any clerk has logged in (for
    kiosk tests, which are not about the rule that refuses while no window serves); `name` renames it."""
    import assets

    text = assets.path("halls/default.toml").read_text(encoding="utf-8")
    text = text.replace("\nissue_when_closed = false\n", "\nissue_when_closed = true\n", 1)
    if name:
        text = text.replace('name = "新丰县政务服务中心"', f'name = "{name}"', 1)
    hall = folder / "hall.toml"
    hall.write_text(text, encoding="utf-8")
    return hall
TZ = ZoneInfo("Asia/Shanghai")


async def until(condition, timeout: float = 8.0) -> None:
    """Wait (polling on the running loop) until `condition()` holds; fail the test after `timeout` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment in the hall's time zone in November 2026 (the 23rd is a Monday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at(23, 9, 30))


@pytest.fixture
def hall_file(request, tmp_path) -> Path:
    """The test hall, with the [queue] rules a `@pytest.mark.hall_queue(rule=value)` changes."""
    marker = request.node.get_closest_marker("hall_queue")
    if marker is None:
        return SMALL_HALL
    text = SMALL_HALL.read_text(encoding="utf-8")
    for rule, value in marker.kwargs.items():
        line = f"{rule} = {str(value).lower() if isinstance(value, bool) else value!r}"
        text, found = re.subn(rf"^{rule} = .*$", line, text, flags=re.M)
        if not found:
            text = text.replace("[queue]\n", f"[queue]\n{line}\n", 1)
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "hall.db"


@pytest.fixture(scope="session")
def hall_ca(tmp_path_factory) -> Path:
    """One hall CA for the session's test hubs (each issues its own server certificate from it),
    so a browser started once can trust it, as a hall's PCs trust their hall's CA."""
    from hub.tls import CA_CERT, hall_tls

    directory = tmp_path_factory.mktemp("hall-ca")
    hall_tls(directory, ["localhost", "127.0.0.1"])
    return directory / CA_CERT


class HubHandle:
    """Starts and restarts a real hub on one port and one database, as in a hall."""

    def __init__(self, db_path: Path, clock: ManualClock, hall=SMALL_HALL, ca: Path | None = None):
        self.db_path, self.clock, self.hall = db_path, clock, hall
        self.server: HubServer | None = None
        self.port: int | None = None
        if ca is not None:  # the hub finds its CA beside the database, as after its first start
            from hub.tls import CA_KEY

            db_path.parent.mkdir(parents=True, exist_ok=True)
            for name in (ca.name, CA_KEY):
                target = db_path.parent / name
                target.write_bytes((ca.parent / name).read_bytes())
                target.chmod(0o600)

    def start(self) -> HubServer:
        self.server = HubServer(build_service(self.db_path, self.hall, self.clock), port=self.port).start()
        self.port = self.server.port
        return self.server

    def stop(self) -> None:
        if self.server:
            self.server.stop()
            self.server = None

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def trust(self):
        """The hall CA as a device paired with this hub pins it."""
        return self.server.trust

    @property
    def ssl(self):
        """An SSL context trusting this hall's CA only: `verify=` for httpx, `ssl=` for websockets."""
        return self.server.trust.context()

    def pair(self, role: str, name: str | None = None, window: int | None = None) -> str:
        return self.server.pair(role, name or f"{role}-{window or ''}", window)


@pytest.fixture
def hub(db_path, clock, hall_ca, hall_file):
    handle = HubHandle(db_path, clock, hall=hall_file, ca=hall_ca)
    handle.start()
    yield handle
    handle.stop()


@pytest.fixture
async def clients(hub):
    """Makes hub clients for paired devices and closes them after the test."""
    from hub.client import HubClient

    made: list[HubClient] = []

    def make(role: str, window: int | None = None, name: str | None = None) -> HubClient:
        client = HubClient(hub.url, hub.pair(role, name, window), trust=hub.trust, retry_delay=0.05, max_backoff=0.5)
        made.append(client)
        return client

    yield make
    for c in made:
        await c.aclose()


def pytest_sessionfinish(session, exitstatus):
    """Nothing left for the collector's last pass at exit: over the session's kept panels and
    qasync loop it aborted the interpreter (PySide6 none_dealloc) after every test had passed."""
    gc.freeze()


_QLOOP = None  # one qasync loop for the whole session: closing and collecting them mid-run crashes Qt


@pytest.fixture
def qloop(qapp):
    """An asyncio loop running inside Qt's (qasync), as in the device apps.

    Use `qloop.run(coro)` from a plain (non-async) test: the Qt widgets and the hub client
    share this loop, so clicks, hub answers and repaints interleave as on a real screen.
    Run a whole scenario inside one `run()`: between runs the asyncio loop is stopped."""

    import concurrent.futures

    import qasync

    global _QLOOP
    if _QLOOP is None or _QLOOP.is_closed():
        _QLOOP = qasync.QEventLoop(qapp)
        collect_from_event_loop(qapp)  # as the device apps do: never collect inside a Qt callback
        # qasync's own executor runs QThreads, which abort the interpreter if still alive at exit;
        # Python's pool threads are joined cleanly.
        _QLOOP.set_default_executor(concurrent.futures.ThreadPoolExecutor(thread_name_prefix="qloop"))

        def run(coro, timeout: float = 30.0):
            return _QLOOP.run_until_complete(asyncio.wait_for(coro, timeout))

        _QLOOP.run = run  # type: ignore[attr-defined]
    asyncio.set_event_loop(_QLOOP)
    yield _QLOOP
    pending = [t for t in asyncio.all_tasks(_QLOOP) if not t.done()]
    for t in pending:
        t.cancel()
    if pending:
        _QLOOP.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    asyncio.set_event_loop(None)


def make_client(hub, role: str, window: int | None = None, name: str | None = None):
    from hub.client import HubClient

    return HubClient(hub.url, hub.pair(role, name, window), trust=hub.trust, retry_delay=0.05, max_backoff=0.5)
