"""`hallq hub backup` while the hall runs, `hallq hub restore` into a new place, and the hall goes on there:
numbers continue, the morning's tickets are there, and a card booked before the backup still matches."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from conftest import HubHandle

from hub.client import HubClient
from hub.idkey import key_path

ROOT = Path(__file__).resolve().parent.parent
CARD = "110105196107061234"


def hallq(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hub.cli", "hub", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


async def test_a_mid_day_backup_restored_elsewhere_carries_the_hall_on(hub, clients, clock, tmp_path):
    kiosk, console = clients("kiosk"), clients("console")
    morning = [(await kiosk.issue_ticket("pension"))["ticket"] for _ in range(2)]
    start = clock.now().replace(minute=0, second=0) + timedelta(hours=1)
    await console.book("pension", start.isoformat(), (start + timedelta(minutes=30)).isoformat(), name="张三",
                       id_number=CARD)

    backup_dir = tmp_path / "backup-1"
    done = hallq("backup", "--db", hub.db_path, "--to", backup_dir)
    assert done.returncode == 0, done.stderr
    # the database, the ID key, and the hall CA with the hub's certificate (so paired devices keep their pin)
    assert sorted(p.name for p in backup_dir.iterdir()) == ["hall-ca.key", "hall-ca.pem", "hall.db", "hall.key",
                                                            "hub-cert.pem", "hub-key.pem"]
    assert stat.S_IMODE(os.stat(backup_dir / "hall.key").st_mode) == 0o600
    after = (await kiosk.issue_ticket("pension"))["ticket"]  # the hall ran on after the backup

    # Bad input: restoring over the running hub's database is refused, and loses nothing.
    refused = hallq("restore", "--from", backup_dir, "--db", hub.db_path, "--force")
    assert refused.returncode == 2 and "running hub" in refused.stderr
    assert (await kiosk.ticket(after["id"]))["state"] == "waiting"

    new_db = tmp_path / "elsewhere" / "hall.db"
    restored = hallq("restore", "--from", backup_dir, "--db", new_db)
    assert restored.returncode == 0, restored.stderr
    assert key_path(new_db).read_bytes() == key_path(hub.db_path).read_bytes()
    # Bad input: a second restore over that one without --force.
    again = hallq("restore", "--from", backup_dir, "--db", new_db)
    assert again.returncode == 2 and "--force" in again.stderr

    hub.stop()
    there = HubHandle(new_db, clock)
    there.start()
    try:
        kiosk2 = HubClient(there.url, there.pair("kiosk", "kiosk-restored"), trust=there.trust, retry_delay=0.05)
        try:
            snapshot = await kiosk2.snapshot()
            assert [t["number"] for t in snapshot["tickets"]] == [t["number"] for t in morning]
            # numbers continue from the backup (the ticket issued after it is not in it)
            assert (await kiosk2.issue_ticket("pension"))["ticket"]["number"] == after["number"]
            clock.advance(minutes=40)
            checked_in = await kiosk2.check_in(id_number=CARD)  # the ID hash made before still matches
            assert checked_in["appointment"]["name_masked"] == "张*"
        finally:
            await kiosk2.aclose()
    finally:
        there.stop()


def test_a_backup_without_its_key_file_is_not_restored(tmp_path):
    """Bad input: a backup directory whose key file was left behind, and one with no database."""
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "hall.db").write_bytes(b"")
    missing_key = hallq("restore", "--from", tmp_path / "b", "--db", tmp_path / "new.db")
    assert missing_key.returncode == 2 and "no key file" in missing_key.stderr
    assert not (tmp_path / "new.db").exists()
    empty = hallq("restore", "--from", tmp_path / "nothing", "--db", tmp_path / "new.db")
    assert empty.returncode == 2 and "exactly one .db" in empty.stderr
    no_db = hallq("backup", "--db", tmp_path / "absent.db", "--to", tmp_path / "c")
    assert no_db.returncode == 2 and "no database" in no_db.stderr
