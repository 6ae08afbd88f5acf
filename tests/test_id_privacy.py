"""An attacker's try at the full ID number: everything the database file and its WAL hold, everything a
kiosk, caller, display or console can fetch, and the hub's log, brute-forced the way the issue found it
done in seconds (every birth date x the 3 hidden region digits, checked by the visible check digit,
HMAC'd with any salt lying around). Against the old scheme (salt in `settings`) the same attack wins."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import shutil
import sqlite3
from datetime import date, datetime, timedelta

import httpx
from conftest import DATA, SMALL_HALL

from hardware.idcard import make_id_number
from hub.core.clock import ManualClock
from hub.idkey import key_path
from hub.server import HubServer, build_service

# The attacker is granted the holder's birth within three years (a senior's priority ticket says as
# much): generous to the attacker, and it keeps the search to ~100k HMACs per candidate key.
ATTACK_YEARS = range(1960, 1963)
VICTIM = make_id_number(region="110105", birth=date(1961, 7, 14), seq="123")
PHONE = "13812345678"

_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
MASKED = re.compile(r"\d{3}\*{11}[\dX]{4}")
HEX64 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
HEX32 = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def candidates(masked: str):
    """Every ID number with this masked form and a birth date in ATTACK_YEARS whose check digit fits."""
    head, seq, check = masked[:3], masked[-4:-1], masked[-1]
    fixed = sum(int(d) * w for d, w in zip(head, _WEIGHTS)) + sum(int(d) * w for d, w in zip(seq, _WEIGHTS[14:]))
    by_residue: dict[int, list[str]] = {}
    for r in range(1000):
        digits = f"{r:03d}"
        by_residue.setdefault(sum(int(d) * w for d, w in zip(digits, _WEIGHTS[3:6])) % 11, []).append(digits)
    want = 10 if check == "X" else int(check)
    day = date(ATTACK_YEARS.start, 1, 1)
    while day.year < ATTACK_YEARS.stop:
        born = day.strftime("%Y%m%d")
        partial = fixed + sum(int(d) * w for d, w in zip(born, _WEIGHTS[6:14]))
        for residue, regions in by_residue.items():
            if (12 - (partial + residue) % 11) % 11 == want:
                for region in regions:
                    yield head + region + born + seq + check
        day += timedelta(days=1)


def brute_force(corpus: str, keys: list[bytes]) -> set[str]:
    """What the attack recovers: numbers whose (keyed or plain) SHA-256 is among the corpus's hashes."""
    hashes = set(HEX64.findall(corpus))
    found = set()
    for masked in set(MASKED.findall(corpus)):
        for number in candidates(masked):
            raw = number.encode()
            if hashlib.sha256(raw).hexdigest() in hashes or any(
                    hmac.new(k, raw, hashlib.sha256).hexdigest() in hashes for k in keys):
                found.add(number)
    return found


def keys_in(db_file, corpus: str) -> list[bytes]:
    """Every salt an attacker would try: any id_salt handed out, every short value of the settings table
    (text or blob), and any 32-hex string kept there (the old salt's shape)."""
    found: set[str | bytes] = set(re.findall(r'"id_salt":\s*"([^"]+)"', corpus))
    with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as con:
        for (value,) in con.execute("SELECT value FROM settings"):
            if isinstance(value, bytes) or (value and len(value) < 200):
                found.add(value)
            found |= set(HEX32.findall(value)) if isinstance(value, str) else set()
    keys = [k if isinstance(k, bytes) else k.encode() for k in found]
    keys += [bytes.fromhex(k) for k in found if isinstance(k, str) and re.fullmatch(r"(?:[0-9a-f]{2})+", k)]
    return keys


def files_of(db_file) -> str:
    """The database file, its WAL and shared memory, as an attacker copying the directory gets them
    (the key file beside them is what a backup must guard; the attacker here does not have it)."""
    parts = []
    for suffix in ("", "-wal", "-shm"):
        path = db_file.with_name(db_file.name + suffix)
        if path.exists():
            parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def test_the_attack_recovers_the_number_under_the_old_salt_and_fails_once_the_hub_has_migrated(tmp_path):
    db = tmp_path / "legacy.db"
    shutil.copy(DATA / "legacy_day.db", db)
    with sqlite3.connect(db) as con:  # a card holder's ticket as the old hub kept it: masked + HMAC(salt)
        (salt,) = con.execute("SELECT value FROM settings WHERE key='id_salt'").fetchone()
        old_hash = hmac.new(salt.encode(), VICTIM.encode(), hashlib.sha256).hexdigest()
        masked = VICTIM[:3] + "*" * 11 + VICTIM[-4:]
        con.execute("UPDATE tickets SET id_masked=?, id_hash=? WHERE id=1", (masked, old_hash))
        seq, data = con.execute("SELECT seq, data FROM events WHERE type='ticket.issued' ORDER BY seq").fetchone()
        data = json.loads(data)
        data["ticket"].update(id_masked=masked, id_hash=old_hash)
        con.execute("UPDATE events SET data=? WHERE seq=?", (json.dumps(data, ensure_ascii=False), seq))
    before = files_of(db)
    assert brute_force(before, keys_in(db, before)) == {VICTIM}  # the old scheme: recovered

    service = build_service(db, SMALL_HALL, ManualClock(datetime(2026, 11, 24, 10, 0).astimezone()))
    server = HubServer(service).start()
    try:
        kiosk = server.pair("kiosk", "kiosk-1")
        hall = httpx.get(f"{server.url}/api/v1/hall", headers={"Authorization": f"Bearer {kiosk}"},
                         verify=server.trust.context()).json()
        corpus = files_of(db) + json.dumps(hall)
        assert "id_salt" not in hall and salt not in corpus  # the old salt is gone from the disk too
        assert masked in corpus  # the ticket keeps its masked form
        assert brute_force(corpus, keys_in(db, corpus)) == set()
    finally:
        server.stop()


async def test_db_wal_logs_and_everything_a_device_fetches_do_not_give_the_number_away(hub, clients, clock,
                                                                                       caplog):
    caplog.set_level(logging.DEBUG)
    kiosk, caller, display, console = (clients("kiosk"), clients("caller", window=2), clients("display"),
                                       clients("console"))
    streams: dict[str, list] = {}
    for name, device in (("kiosk", kiosk), ("caller", caller), ("display", display), ("console", console)):
        streams[name] = []
        device.on_event(streams[name].append)
        device.start_events(since=0)
    fetched: list = []

    issued = await kiosk.issue_ticket("pension", priority_reason="senior", holder={"name_masked": "张*",
                                                                                   "id_number": VICTIM})
    ticket = issued["ticket"]
    assert ticket["id_masked"] == VICTIM[:3] + "*" * 11 + VICTIM[-4:] and ticket["priority"]
    fetched.append(issued)
    # Bad input: a number with a wrong check digit; the refusal must not repeat it.
    wrong = VICTIM[:-1] + ("0" if VICTIM[-1] != "0" else "1")
    refused = httpx.post(f"{hub.url}/api/v1/tickets", headers={"Authorization": f"Bearer {kiosk.token}"},
                         json={"request_id": "bad-card-0001", "service_id": "pension",
                               "holder": {"id_number": wrong}}, verify=hub.ssl)
    assert refused.status_code == 422 and "check digit" in refused.text
    fetched.append(refused.text)
    # An appointment by phone and card, checked in with the card: the hub matches its own hashes.
    start = clock.now().replace(minute=0, second=0) + timedelta(hours=1)
    fetched.append(await console.book("pension", start.isoformat(), (start + timedelta(minutes=30)).isoformat(),
                                      name="张三", phone=PHONE, id_number=VICTIM))
    clock.advance(minutes=40)
    checked_in = await kiosk.check_in(id_number=VICTIM)
    assert checked_in["ticket"]["appointment_id"] == checked_in["appointment"]["id"]
    fetched.append(checked_in)
    await caller.login(2, "c002", "2222")
    fetched.append(await caller.call_next(2))
    for device in (kiosk, caller, display, console):
        fetched += [await device.hall(), await device.snapshot(), await device.ticket(ticket["id"]),
                    await device.window_queue(2), await device.zones()]
    head = (await console.snapshot())["seq"]
    for name, seen in streams.items():
        async def caught_up(seen=seen):
            while not any(e.get("seq") == head for e in seen):
                await asyncio.sleep(0.02)
        await asyncio.wait_for(caught_up(), 10)
        fetched += seen

    corpus = files_of(hub.db_path) + json.dumps(fetched, ensure_ascii=False) + caplog.text
    assert VICTIM[:3] + "*" * 11 + VICTIM[-4:] in corpus and HEX64.search(corpus)  # the attacker has material
    key = key_path(hub.db_path).read_bytes()
    for trace in (VICTIM, wrong, PHONE, key.hex()):
        assert trace not in corpus
    assert key.decode("latin-1") not in corpus
    assert brute_force(corpus, keys_in(hub.db_path, corpus)) == set()
    # ... while with the key file too, the same search would find it: the hashes are the number's.
    assert brute_force(corpus, [key]) == {VICTIM}
