"""`hallq hub backup` and `hallq hub restore`: the hall's database and its ID key, together.

A backup is taken while the hall runs: SQLite's online backup API copies the database in one step
under a read transaction, so the copy is the hall as of one commit (WAL included), never a torn file.
The key file goes with it on purpose: without it the restored hall would no longer recognise anyone
booked or seen before (their ID and phone hashes are made with it). Guard backups like the database.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from .idkey import key_path
from .store import in_use


# The hall CA and the hub's certificate, when the hub keeps them beside the database: copied too, so a
# hub restored on a new machine keeps the CA its devices pinned at pairing.
TLS_FILES = ("hall-ca.pem", "hall-ca.key", "hub-cert.pem", "hub-key.pem")


class BackupError(Exception):
    """A refusal with a message for the installer, zh_CN first."""


def backup(db_path: Path, to_dir: Path) -> list[Path]:
    """Copy the database (online) and its key file into `to_dir`; returns the files written."""
    db_path, to_dir = Path(db_path), Path(to_dir)
    key = key_path(db_path)
    if not db_path.is_file():
        raise BackupError(f"数据库不存在 / no database at {db_path}")
    if not key.is_file():
        raise BackupError(f"数据库旁没有密钥文件 / no key file {key} beside the database")
    to_dir.mkdir(parents=True, exist_ok=True)
    db_copy, key_copy = to_dir / db_path.name, to_dir / key.name
    taken = [p for p in (db_copy, key_copy) if p.exists()]
    if taken:
        raise BackupError(f"目标目录已有备份文件，请换一个目录 / {to_dir} already holds {taken[0].name}; "
                          "use a new directory for each backup")
    partial = db_copy.with_name(db_copy.name + ".partial")
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)  # pages=-1: one step, one consistent read of the hall
        target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file, no -wal beside it
        _check(target, partial)
    finally:
        target.close()
        source.close()
    os.replace(partial, db_copy)
    _copy_key(key, key_copy)
    written = [db_copy, key_copy]
    for name in TLS_FILES:
        if (db_path.parent / name).is_file():
            _copy_key(db_path.parent / name, to_dir / name)
            written.append(to_dir / name)
    return written


def restore(from_dir: Path, db_path: Path, *, force: bool = False) -> Path | None:
    """Put a backup in place at `db_path`; returns where the database it replaced was moved, if any."""
    from_dir, db_path = Path(from_dir), Path(db_path)
    found = sorted(from_dir.glob("*.db")) if from_dir.is_dir() else []
    if len(found) != 1:
        raise BackupError(f"{from_dir} 中应恰好有一个 .db 备份文件 / {from_dir} should hold exactly one .db backup "
                          f"(found {len(found)})")
    backup_db, backup_key = found[0], key_path(found[0])
    if not backup_key.is_file():
        raise BackupError(f"备份缺少密钥文件 {backup_key.name}：恢复后将无法识别已预约或已登记的身份证和手机号 / "
                          f"the backup has no key file {backup_key.name}; without it the hall cannot match "
                          "ID cards or phone numbers recorded before")
    with sqlite3.connect(f"file:{backup_db}?mode=ro", uri=True) as con:
        _check(con, backup_db)
    if in_use(db_path):
        raise BackupError(f"{db_path} 正被运行中的服务器使用，请先停止 hallq hub / {db_path} is open by a running hub; "
                          "stop it first (a hub's state in memory would not match the restored file)")
    moved = None
    if db_path.exists():
        if not force:
            raise BackupError(f"{db_path} 已存在；确认要用备份覆盖时加 --force（原文件会改名保留）/ "
                              f"{db_path} exists; add --force to replace it (the old one is kept, renamed)")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        moved = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
        try:
            for suffix in ("", "-wal", "-shm"):
                old = db_path.with_name(db_path.name + suffix)
                if old.exists():
                    os.replace(old, moved.with_name(moved.name + suffix))
            old_key = key_path(db_path)
            if old_key.exists():
                os.replace(old_key, moved.with_name(moved.name + ".key"))
        except OSError as e:  # on Windows: the file is open, most likely by the hub's service
            raise BackupError(f"无法移走 {db_path}，是否有服务器正在运行？/ cannot move {db_path} aside ({e}); "
                              "is a hub running on it? stop it first") from None
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(backup_db, db_path)
    _copy_key(backup_key, key_path(db_path))
    for name in TLS_FILES:  # a hall CA already beside the database stays: its devices pinned it
        if (from_dir / name).is_file() and not (db_path.parent / name).exists():
            _copy_key(from_dir / name, db_path.parent / name)
    return moved


def _check(con: sqlite3.Connection, path: Path) -> None:
    result = con.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} 已损坏 / {path} is damaged: {result}")


def _copy_key(source: Path, target: Path) -> None:
    data = source.read_bytes()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(target, 0o600)
