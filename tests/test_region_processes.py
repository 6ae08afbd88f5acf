"""The region's schema and its statelessness: versioned migrations on a real PostgreSQL, and two region
processes (`hallq region run`) serving the same halls from one database."""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timezone
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from hub.client.trust import HallTrust
from hub.protocol import ca_fingerprint
from hub.server import free_port
from hub.tls import CA_CERT
from region.accounts import add_account
from region.cli import main as region_cli
from region.schema import SchemaError, migrate, migrations
from tests.region_pg import postgres, region_dsn  # noqa: F401  (fixtures)
from tests.test_region_upstream import events


def test_migrations_apply_once_in_order_even_when_two_processes_start_together(region_dsn):  # noqa: F811
    def start() -> int:
        with psycopg.connect(region_dsn, autocommit=True) as conn:
            return migrate(conn)

    with ThreadPoolExecutor(2) as pool:
        versions = list(pool.map(lambda _: start(), range(2)))
    newest = len(migrations())
    assert versions == [newest, newest]
    with psycopg.connect(region_dsn, autocommit=True) as conn:
        assert [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY version")] == \
            list(range(1, newest + 1))
        assert migrate(conn) == newest  # again: nothing to do
        # A database a newer region has written is refused, not half-used.
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (newest + 1,))
        with pytest.raises(SchemaError, match="newer"):
            migrate(conn)


class RegionProcess:
    def __init__(self, dsn: str, directory, port: int):
        self.url = f"https://127.0.0.1:{port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "region.cli", "run", "--dsn", dsn, "--dir", str(directory),
                                      "--host", "127.0.0.1", "--port", str(port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=15)


def wait_up(client: httpx.Client, proc: RegionProcess, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if client.get(proc.url + "/api/v1/upstream/ack").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.proc.poll() is None, proc.proc.stdout.read().decode()
        assert time.monotonic() < deadline, "the region process did not start"
        time.sleep(0.1)


def test_two_region_processes_on_one_database_serve_the_same_halls(region_dsn, tmp_path, capsys):  # noqa: F811
    directory = tmp_path / "region"
    assert region_cli(["hall", "add", "h1", "--name", "一号大厅", "--dsn", region_dsn, "--dir", str(directory)]) == 0
    credential = capsys.readouterr().out.strip()
    ca = (directory / CA_CERT).read_text()
    a, b = (RegionProcess(region_dsn, directory, free_port()) for _ in range(2))

    client = httpx.Client(verify=HallTrust(ca, ca_fingerprint(ca)).context(),
                          headers={"Authorization": f"Bearer {credential}"}, timeout=30)
    try:
        wait_up(client, a)
        wait_up(client, b)

        def send(proc: RegionProcess, first: int, last: int) -> dict:
            return client.post(proc.url + "/api/v1/upstream/events", json={"events": events(first, last)}).json()

        assert send(a, 1, 50)["acked"] == 50
        assert send(b, 51, 100)["acked"] == 100  # the next batch lands on the other process
        assert send(b, 41, 60)["stored"] == 0  # a replay there finds what the first one stored
        # The same new batch reaching both at once (a retry racing its original) is stored once.
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda p: send(p, 101, 150), (a, b)))
        assert sorted(x["stored"] for x in answers) == [0, 50] and {x["acked"] for x in answers} == {150}

        # A session started on one process is good on the other: sessions live in the database.
        with psycopg.connect(region_dsn, autocommit=True) as conn:
            add_account(conn, "county", "viewer", "county-pass-1", datetime.now(timezone.utc))
        del client.headers["Authorization"]
        assert client.post(a.url + "/api/v1/session", json={"name": "county", "password": "county-pass-1"}) \
            .status_code == 200
        # (each measures the longest wait on its own clock, a moment apart)
        views = [[{k: v for k, v in h.items() if k != "longest_wait_s"} for h in
                  client.get(p.url + "/api/v1/halls").json()["halls"]] for p in (a, b)]
        assert views[0] == views[1] and views[0][0]["waiting"] == 150 and views[0][0]["acked_seq"] == 150
    finally:
        client.close()
        a.stop()
        b.stop()
    with psycopg.connect(region_dsn) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT seq) FROM events").fetchone() == (150, 150)


def test_the_region_depends_on_the_hub_only_for_certificates_and_the_console_s_look():
    """The region runs on its own machine and reads halls' events in their wire form: a region that
    imported the hub's engine or store would break with the first change inside a hall."""
    from tests.test_boundaries import ROOT, files, imports

    allowed = {"hub", "hub.tls", "hub.passwords"}  # the CA helpers, hub/static/console.css, password hashes
    bad = {f"{p.relative_to(ROOT)}: {n}" for p in files("region") for n in imports(p) if n not in allowed}
    assert not bad, sorted(bad)
