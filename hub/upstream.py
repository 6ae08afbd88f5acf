"""The hall's outbox to the county's region: ships the event log by seq, in batches, over HTTPS with the
region's CA pinned and the hall's credential; resumes from the seq the region acknowledges.

The outbox is the event log itself: nothing is queued beside it, so a hall whose WAN is down for a day
runs as usual and ships the day when the region answers again. The region stores each (hall, seq) once,
so a batch sent twice (an answer lost on the way back) does no harm.

What leaves the hall: each event's facts at today's version, without the private ones (ticket page
tokens, keyed hashes, appointment codes) and without masked personal data, which the region does not need;
and, once the events are up to date, the console's 差评 follow-ups (ticket, state, time; not the
manager's note or name), which the hall keeps as records beside its events, for the county's 处置率 and
整改率; and, when it changes, the hall's public profile (hall_profile: name, address, zones' hours,
services) for the region's 就近办 page.

Settings live in `upstream.json` beside the database (`hallq hub region ...` writes it), not in the hall
file: the hall file's layout goes to every device, and the credential must not.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from .client.trust import HallTrust
from .core.clock import Clock, SystemClock
from .core.config import HallConfig
from .core.events import PRIVATE_FACTS, decode, encode
from .protocol import ca_fingerprint

log = logging.getLogger("hallq.upstream")

SETTINGS_FILE = "upstream.json"
WITHHELD = PRIVATE_FACTS | {"id_masked", "name_masked", "phone_masked"}
BATCH = 500


@dataclass(frozen=True)
class Upstream:
    url: str
    credential: str
    ca_pem: str

    @property
    def fingerprint(self) -> str:
        return ca_fingerprint(self.ca_pem)


def settings_path(db_path: str | Path) -> Path:
    return Path(db_path).parent / SETTINGS_FILE


def save_settings(db_path: str | Path, upstream: Upstream) -> Path:
    path = settings_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds the hall's credential
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": upstream.url.rstrip("/"), "credential": upstream.credential, "ca_pem": upstream.ca_pem}, f)
    return path


def load_settings(db_path: str | Path) -> Upstream | None:
    path = settings_path(db_path)
    if not path.exists():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Upstream(raw["url"], raw["credential"], raw["ca_pem"])


def outgoing(seq: int, kind: str, at: str, version: int, data: str) -> dict:
    """One stored event as the region receives it."""
    event = decode(kind, version, json.loads(data), at)
    kind, version, facts = encode(event)
    return {"seq": seq, "type": kind, "v": version, "at": at,
            "data": {k: v for k, v in facts.items() if k not in WITHHELD}}


def hall_profile(config: HallConfig, public_url: str = "") -> dict:
    """What a citizen may know of the hall, for the region's 就近办 page: its name, time zone and address,
    each zone's opening hours, and the services it offers (no windows, no clerks)."""
    return {"name": config.hall.name, "name_en": config.hall.name_en, "timezone": config.hall.timezone,
            "url": public_url,
            "zones": [{"id": z.id, "name": z.name, "name_en": z.name_en, "always_open": z.always_open,
                       "hours": [{"days": h.days, "open": h.open, "close": h.close} for h in z.hours]}
                      for z in config.zones],
            "services": [{"id": v.id, "name": v.name, "name_en": v.name_en, "zone": v.zone} for v in config.services]}


class Shipper:
    """Ships in a thread of its own, reading the log on its own SQLite connection, so the hall's
    commands never wait for the WAN. `acked`: the last seq the region confirmed (None until it answers)."""

    def __init__(self, db_path: str | Path, upstream: Upstream, *, clock: Clock | None = None,
                 profile: Callable[[], dict] | None = None, batch: int = BATCH, idle: float = 1.0,
                 first_backoff: float = 0.5, max_backoff: float = 60.0):
        self.db_path, self.upstream, self.batch, self.idle = Path(db_path), upstream, batch, idle
        self.clock = clock or SystemClock()
        self.profile = profile  # the hall's public profile now (hall_profile), sent when it changes
        self._profile_sent: str | None = None
        self.first_backoff, self.max_backoff = first_backoff, max_backoff
        self.acked: int | None = None
        self.followups_mark: tuple[str, int] = ("", 0)  # the last follow-up the region holds: (updated_at, ticket)
        self.problem: str | None = None  # why shipping is stalled, for the operator
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Shipper":
        self._thread = threading.Thread(target=self._run, name="upstream", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        conn = sqlite3.connect(self.db_path, check_same_thread=False)
        pinned = HallTrust(self.upstream.ca_pem, self.upstream.fingerprint).context()
        client = httpx.Client(base_url=self.upstream.url, verify=pinned,
                              headers={"Authorization": f"Bearer {self.upstream.credential}"}, timeout=30)
        backoff = self.first_backoff
        try:
            while not self._stop.is_set():
                try:
                    shipped = self._step(conn, client)
                except httpx.TransportError as e:
                    self._stalled(f"the region is unreachable ({type(e).__name__}); the hall goes on and ships later")
                    shipped = None
                if shipped is None:  # a failure: wait longer each time, up to max_backoff
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
                    continue
                backoff = self.first_backoff
                if self.problem:
                    log.info("shipping to the region again (acknowledged up to seq %s)", self.acked)
                    self.problem = None
                if shipped == 0:
                    self._stop.wait(self.idle)
        finally:
            client.close()
            conn.close()

    def _stalled(self, why: str) -> None:
        if why != self.problem:
            log.warning("upstream: %s", why)
        self.problem = why

    def _step(self, conn: sqlite3.Connection, client: httpx.Client) -> int | None:
        """Ship one batch; returns how many events went (0: nothing to send) or None on a refusal."""
        if self.acked is None:
            r = client.get("/api/v1/upstream/ack")
            if r.status_code != 200:
                return self._refused(r)
            self.acked = r.json()["acked"]
            self.followups_mark = tuple(r.json().get("followups") or ("", 0))
        rows = conn.execute("SELECT seq, type, at, version, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                            (self.acked, self.batch)).fetchall()
        if not rows:
            followups = self._ship_followups(conn, client)
            return followups if followups != 0 else self._ship_profile(client)
        # sent_at: the hall's clock now, so the region can tell how far it is from its own
        r = client.post("/api/v1/upstream/events", json={"events": [outgoing(*row) for row in rows],
                                                        "sent_at": self.clock.now().isoformat()})
        if r.status_code == 409:  # the region holds less (or more) than we thought: resume where it says
            self.acked = r.json()["params"]["acked"]
            return len(rows)
        if r.status_code != 200:
            return self._refused(r)
        self.acked = r.json()["acked"]
        return len(rows)

    def _ship_followups(self, conn: sqlite3.Connection, client: httpx.Client) -> int | None:
        """The console's 差评 follow-ups are records, not events: they go once the events are up to date, in
        (updated_at, ticket) order from the region's mark, without the manager's note or name."""
        rows = conn.execute("SELECT ticket_id, state, updated_at FROM evaluation_followups"
                            " WHERE (updated_at, ticket_id) > (?, ?) ORDER BY updated_at, ticket_id LIMIT ?",
                            (*self.followups_mark, self.batch)).fetchall()
        if not rows:
            return 0
        r = client.post("/api/v1/upstream/followups", json={"followups": [
            {"ticket_id": t, "state": state, "updated_at": at} for t, state, at in rows]})
        if r.status_code != 200:
            return self._refused(r)
        self.followups_mark = tuple(r.json()["followups"])
        return len(rows)

    def _ship_profile(self, client: httpx.Client) -> int | None:
        if self.profile is None:
            return 0
        profile = self.profile()
        digest = hashlib.sha256(json.dumps(profile, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        if digest == self._profile_sent:
            return 0
        r = client.put("/api/v1/upstream/profile", json=profile)
        if r.status_code != 200:
            return self._refused(r)
        self._profile_sent = digest
        return 1

    def _refused(self, r: httpx.Response) -> None:
        try:
            body = r.json()
            why = f"{body['code']}: {body['message']} / {body['message_en']}"
        except (ValueError, KeyError, TypeError):
            why = f"HTTP {r.status_code}"
        verb = "could not take" if r.status_code >= 500 else "refused"
        self._stalled(f"the region {verb} the events ({why})")
        return None


def start_shipper(db_path: str | Path, **options) -> Shipper | None:
    """The hall's shipper if `upstream.json` names a region, else None."""
    upstream = load_settings(db_path)
    if upstream is None:
        return None
    log.info("shipping the event log to the region %s (region CA %s)", upstream.url, upstream.fingerprint[:16])
    return Shipper(db_path, upstream, **options).start()
