"""A real PostgreSQL server for the region's tests: Debian's `postgresql` package, initdb + pg_ctl in a
temp dir on a free loopback port, stopped after. PostgreSQL refuses to run as root, so on a machine
where the tests run as root (CI) the server runs as the package's `postgres` user."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from hub.server import free_port


def _bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} not found: install Debian's `postgresql` (scripts/setup.sh --test)")
    return found


class LocalPostgres:
    """One throwaway cluster; `dsn(db)` names a database in it, `create(db)` makes a fresh one."""

    def __init__(self):
        # /tmp, not $TMPDIR: the `postgres` user must reach it when the tests run as root
        self.root = Path(tempfile.mkdtemp(prefix="hallq-pg-", dir="/tmp" if os.geteuid() == 0 else None))
        self.data, self.logfile = self.root / "data", self.root / "server.log"
        self.port = free_port()
        self._as = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, cwd=self.root)

    def start(self, durable: bool = False) -> "LocalPostgres":
        if not self.data.exists():
            self._run(_bin("initdb"), "-D", str(self.data), "-U", "hallq", "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "-N")
        # fsync off for tests: a test cluster is thrown away. A bench measures with it on (`durable`).
        fast = "" if durable else " -c fsync=off -c full_page_writes=off"
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60", "start",
                  "-o", f"-p {self.port} -h 127.0.0.1 -k ''{fast}")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def dsn(self, db: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=hallq dbname={db}"

    def create(self, db: str) -> str:
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
            conn.execute(f'CREATE DATABASE "{db}"')
        return self.dsn(db)

    def close(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


# ---- fixtures (imported by the tests/test_region*.py modules) ---------------------------------
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def postgres():
    server = LocalPostgres().start()
    yield server
    server.close()


@pytest.fixture
def region_dsn(postgres, request) -> str:
    """A fresh, empty database for one test."""
    return postgres.create("t_" + "".join(c if c.isalnum() else "_" for c in request.node.name)[:50].lower())
