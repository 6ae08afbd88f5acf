"""The hall configuration (TOML): zones, services, windows, clerks, queue rules.

A bad file is refused as a whole with a message naming the line and the field, so the
hub never starts half-configured.
"""
from __future__ import annotations

import functools

import re
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
MAX_KEYWORDS, MAX_KEYWORD_LENGTH = 30, 20  # a kiosk search list, not a thesaurus
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


class ConfigError(Exception):
    """A hall file that cannot be used; `str()` is the message an installer reads."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None, source: str = ""):
        self.line, self.field = line, field
        where = ", ".join(p for p in (source, f"line {line}" if line else "", field or "") if p)
        super().__init__(f"{where}: {message}" if where else message)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _parse_days(spec: str) -> frozenset[int]:
    days: set[int] = set()
    for part in spec.lower().replace(" ", "").split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            if a not in DAY_NAMES or b not in DAY_NAMES:
                raise ValueError(f"unknown day in {spec!r}; use mon..sun, e.g. 'mon-fri' or 'sat'")
            i, j = DAY_NAMES.index(a), DAY_NAMES.index(b)
            days.update(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif part in DAY_NAMES:
            days.add(DAY_NAMES.index(part))
        else:
            raise ValueError(f"unknown day {part!r}; use mon..sun, e.g. 'mon-fri' or 'sat'")
    return frozenset(days)


def _hhmm(value: str) -> time:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError(f"{value!r} is not a time of day like '09:00'")
    if value == "24:00":
        return time.max
    return time.fromisoformat(value)


class OpeningSpan(_Model):
    days: str = "mon-fri"
    open: str
    close: str
    label: str = ""  # e.g. 午间延时服务, shown on the kiosk
    label_en: str = ""

    @field_validator("days")
    @classmethod
    def _days(cls, v: str) -> str:
        _parse_days(v)
        return v

    @field_validator("open", "close")
    @classmethod
    def _times(cls, v: str) -> str:
        _hhmm(v)
        return v

    @model_validator(mode="after")
    def _order(self):
        if _hhmm(self.close) <= _hhmm(self.open):
            raise ValueError(f"close {self.close} must be after open {self.open}")
        return self

    def covers(self, local: datetime, weekday: int | None = None) -> bool:
        """`weekday`: the day of the week whose hours apply (a working weekend day keeps a weekday's)."""
        day = local.weekday() if weekday is None else weekday
        return day in _parse_days(self.days) and _hhmm(self.open) <= local.time() < _hhmm(self.close)


class Zone(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    prefix: str = Field(pattern=r"^[A-Z]$")
    name: str
    name_en: str = ""
    always_open: bool = False  # 24 小时自助服务区
    hours: tuple[OpeningSpan, ...] = ()
    description: str = ""
    description_en: str = ""

    @model_validator(mode="after")
    def _has_hours(self):
        if not self.always_open and not self.hours:
            raise ValueError(f"zone {self.id!r} needs hours, or always_open = true")
        return self


class Service(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    zone: str
    name: str
    name_en: str = ""
    minutes: float = Field(default=8, gt=0, le=480)  # typical handling time, seeds the wait estimate
    bundle: tuple[str, ...] = ()  # 一件事: the single services this bundle covers
    # everyday words and common names citizens search the kiosk by (医保, 社保卡, 结婚 ...)
    keywords: tuple[str, ...] = Field(default=(), max_length=MAX_KEYWORDS)
    # Issue tickets while no window serving it is open (e.g. 取件 handled by whoever comes back);
    # unset: the hall's queue.issue_when_closed.
    issue_when_closed: bool | None = None

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for word in v:
            if not word.strip() or word != word.strip():
                raise ValueError(f"keyword {word!r} is empty or has spaces around it")
            if len(word) > MAX_KEYWORD_LENGTH:
                raise ValueError(f"keyword {word!r} is longer than {MAX_KEYWORD_LENGTH} characters")
            if any(not ch.isprintable() for ch in word):
                raise ValueError(f"keyword {word!r} holds a control character")
            if word.lower() in seen:
                raise ValueError(f"keyword {word!r} is listed twice")
            seen.add(word.lower())
        return v


class Window(_Model):
    id: int = Field(ge=1, le=9999)  # the number on the wall: 5 号窗口
    name: str = ""
    name_en: str = ""
    zones: tuple[str, ...] = ()  # every service of these zones (综合窗口 serve many)
    services: tuple[str, ...] = ()


class Clerk(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    name: str
    pin: str = Field(pattern=r"^\d{4,8}$")
    disabled: bool = False  # set in the console: the clerk can no longer log in


class QueueRules(_Model):
    number_width: int = Field(default=3, ge=2, le=5)
    priority_ratio: str = Field(default="1:1", pattern=r"^\d+:\d+$")  # priority:normal calls while both wait
    senior_age: int = Field(default=65, ge=50, le=100)
    no_show_requeue_after: int = Field(default=3, ge=0, le=100)  # back in the queue behind N tickets
    no_show_max_requeues: int = Field(default=1, ge=0, le=10)
    # ...and not before this many minutes, even in a quiet hall where N tickets go by in seconds.
    no_show_grace_minutes: int = Field(default=5, ge=0, le=120)
    # A ticket waiting longer than this is called before newer transfers and priority (0: never).
    age_limit_minutes: int = Field(default=60, ge=0, le=600)
    # Issue tickets for a service no open window serves (each service may say otherwise).
    issue_when_closed: bool = False
    appointment_early_minutes: int = Field(default=30, ge=0, le=240)
    appointment_late_minutes: int = Field(default=15, ge=0, le=240)
    wait_sample_size: int = Field(default=20, ge=1, le=500)
    kiosk_cancel_minutes: int = Field(default=10, ge=0, le=240)  # a kiosk cancels its own tickets this soon only

    @property
    def ratio(self) -> tuple[int, int]:
        p, n = (int(x) for x in self.priority_ratio.split(":"))
        return max(p, 1), n


MAX_HOLIDAY_DAYS = 31  # a longer closure is more likely a typed year than a holiday


def _as_day(value):
    """A TOML date (2026-10-01) or the same as text; anything else is refused in plain words."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a date like 2026-10-01") from None


class ClosedDays(_Model):
    """A holiday the hall is closed (法定节假日): one day, or `start` to `end` inclusive."""

    name: str = Field(min_length=1, max_length=40)
    name_en: str = ""
    start: date
    end: date | None = None

    @model_validator(mode="after")
    def _span(self):
        last = self.end or self.start
        if last < self.start:
            raise ValueError(f"holiday {self.name!r} ends ({last}) before it starts ({self.start})")
        if (last - self.start).days + 1 > MAX_HOLIDAY_DAYS:
            raise ValueError(f"holiday {self.name!r} is longer than {MAX_HOLIDAY_DAYS} days; check the dates")
        return self

    _days = field_validator("start", "end", mode="before")(lambda cls, v: v if v is None else _as_day(v))

    def covers(self, day: date) -> bool:
        return self.start <= day <= (self.end or self.start)


class Calendar(_Model):
    """Days that break the week: closed holidays, and weekend days the hall works (调休上班), which
    keep the hours of `working_as` (a weekday). Zones open 24 hours keep them on holidays too."""

    closed: tuple[ClosedDays, ...] = ()
    working: tuple[date, ...] = ()
    working_as: str = "mon"

    @field_validator("working", mode="before")
    @classmethod
    def _days(cls, v):
        return tuple(_as_day(day) for day in v) if isinstance(v, (list, tuple)) else v

    @field_validator("working_as")
    @classmethod
    def _weekday(cls, v: str) -> str:
        if v not in DAY_NAMES[:5]:
            raise ValueError(f"working_as {v!r} must be a weekday, mon..fri")
        return v

    @model_validator(mode="after")
    def _consistent(self):
        seen: set[date] = set()
        for day in self.working:
            if day in seen:
                raise ValueError(f"working day {day} is listed twice")
            seen.add(day)
            if day.weekday() < 5:
                raise ValueError(f"working day {day} is a {DAY_NAMES[day.weekday()]}; list only weekend days "
                                 "the hall works (调休上班)")
            holiday = self.holiday(day)
            if holiday is not None:
                raise ValueError(f"working day {day} falls in the holiday {holiday.name!r}")
        return self

    def holiday(self, day: date) -> ClosedDays | None:
        return next((c for c in self.closed if c.covers(day)), None)

    def weekday(self, day: date) -> int | None:
        """The weekday whose hours the hall keeps on `day`; None when it is closed all day."""
        if self.holiday(day) is not None:
            return None
        return DAY_NAMES.index(self.working_as) if day in self.working else day.weekday()


class SlotSpan(_Model):
    """Bookable slots (预约时段): from `start` to `end` in steps of `minutes`, each taking `capacity`
    bookings of each of `services`, on `days` (a 调休 working day takes its weekday's)."""

    services: tuple[str, ...] = Field(min_length=1)
    days: str = "mon-fri"
    start: str
    end: str
    minutes: int = Field(default=30, ge=5, le=480)
    capacity: int = Field(ge=1, le=500)

    _checked_days = field_validator("days")(lambda cls, v: (_parse_days(v), v)[1])
    _checked_times = field_validator("start", "end")(lambda cls, v: (_hhmm(v), v)[1])

    @model_validator(mode="after")
    def _fits(self):
        length = _minutes_of(self.end) - _minutes_of(self.start)
        if length < self.minutes:
            raise ValueError(f"slots {self.start}-{self.end} hold no {self.minutes}-minute slot; end must be at least "
                             f"{self.minutes} minutes after start")
        return self

    def times(self) -> list[tuple[str, str]]:
        first, last = _minutes_of(self.start), _minutes_of(self.end)
        return [(_hm(m), _hm(m + self.minutes)) for m in range(first, last - self.minutes + 1, self.minutes)]


def _minutes_of(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class BookingRules(_Model):
    """Online booking (预约): which slots, how far ahead, until when, and who may book."""

    days_ahead: int = Field(default=7, ge=0, le=90)  # today is day 0
    cutoff_minutes: int = Field(default=60, ge=0, le=2880)  # a slot is booked at least this long before it
    # 爽约: this many missed bookings within no_show_days block booking for block_days (0: never)
    no_show_limit: int = Field(default=3, ge=0, le=20)
    no_show_days: int = Field(default=30, ge=1, le=365)
    block_days: int = Field(default=30, ge=1, le=365)
    per_phone_open: int = Field(default=2, ge=1, le=20)  # bookings a phone number holds at once
    per_address_hour: int = Field(default=20, ge=1, le=1000)  # booking attempts from one address an hour
    slots: tuple[SlotSpan, ...] = ()


class HallInfo(_Model):
    name: str
    name_en: str = ""
    timezone: str = "Asia/Shanghai"
    day_starts: str = "00:00"
    notice: str = ""
    notice_en: str = ""

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}, e.g. 'Asia/Shanghai'") from None
        return v

    @field_validator("day_starts")
    @classmethod
    def _start(cls, v: str) -> str:
        _hhmm(v)
        return v


def _check_call_template(v: str | None) -> str | None:
    import string

    if v is None:
        return v
    try:
        names = sorted(n for _, n, _, _ in string.Formatter().parse(v) if n is not None)
    except ValueError as e:
        raise ValueError(f"call template {v!r} is malformed: {e}") from None
    if names != ["number", "window"]:
        raise ValueError(f"call template {v!r} must contain {{number}} and {{window}} once each, "
                         "e.g. \"请{number}号到{window}号窗口办理\"")
    return v


class VoiceRules(_Model):
    """How the hall's displays say a call; None = the voice's own default (请{number}号到{window}号窗口)."""

    call: str | None = Field(default=None, max_length=60)
    call_en: str | None = Field(default=None, max_length=80)
    letters: dict[str, str] = {}  # a letter's reading, e.g. { G = "吉" }

    _templates = field_validator("call", "call_en")(_check_call_template)

    @field_validator("letters")
    @classmethod
    def _letters(cls, v: dict[str, str]) -> dict[str, str]:
        for letter, reading in v.items():
            if len(letter) != 1 or not ("A" <= letter <= "Z") or not reading.strip():
                raise ValueError(f"letters: {letter!r} = {reading!r}; give a capital letter A-Z and its reading")
        return v


class HallConfig(_Model):
    hall: HallInfo
    queue: QueueRules = QueueRules()
    voice: VoiceRules = VoiceRules()
    calendar: Calendar = Calendar()
    booking: BookingRules = BookingRules()
    zones: tuple[Zone, ...]
    services: tuple[Service, ...]
    windows: tuple[Window, ...]
    clerks: tuple[Clerk, ...] = ()
    _served: dict = PrivateAttr(default_factory=dict)  # window id -> service ids, computed once
    _serving: dict = PrivateAttr(default_factory=dict)  # service id -> window ids

    @model_validator(mode="after")
    def _references(self):
        _unique(self.zones, "id", "zones")
        _unique(self.zones, "prefix", "zones")
        _unique(self.services, "id", "services")
        _unique(self.windows, "id", "windows")
        _unique(self.clerks, "id", "clerks")
        zone_ids = {z.id for z in self.zones}
        service_ids = {s.id for s in self.services}
        for i, s in enumerate(self.services):
            if s.zone not in zone_ids:
                raise _RefError(("services", i, "zone"), f"unknown zone {s.zone!r}")
            for b in s.bundle:
                if b not in service_ids:
                    raise _RefError(("services", i, "bundle"), f"unknown service {b!r} in bundle")
        for i, w in enumerate(self.windows):
            for z in w.zones:
                if z not in zone_ids:
                    raise _RefError(("windows", i, "zones"), f"unknown zone {z!r}")
            for s in w.services:
                if s not in service_ids:
                    raise _RefError(("windows", i, "services"), f"unknown service {s!r}")
            if not w.zones and not w.services:
                raise _RefError(("windows", i, "services"), f"window {w.id} serves nothing; give zones or services")
        taken: dict[tuple[str, int], list[tuple[int, int, int]]] = {}
        for i, span in enumerate(self.booking.slots):
            for sid in span.services:
                if sid not in service_ids:
                    raise _RefError(("booking", "slots", i, "services"), f"unknown service {sid!r}")
                for day in _parse_days(span.days):
                    taken.setdefault((sid, day), []).append((_minutes_of(span.start), _minutes_of(span.end), i))
        for (sid, day), spans in taken.items():
            spans.sort()
            for (_, end, _), (start, _, i) in zip(spans, spans[1:]):
                if start < end:
                    raise _RefError(("booking", "slots", i, "start"),
                                    f"slots of {sid!r} overlap on {DAY_NAMES[day]}; one slot list per service and day")
        return self

    # Lookups used everywhere; the model is frozen, so cache on first use.
    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.hall.timezone)

    def zone(self, zone_id: str) -> Zone | None:
        return next((z for z in self.zones if z.id == zone_id), None)

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def window(self, window_id: int) -> Window | None:
        return next((w for w in self.windows if w.id == window_id), None)

    def clerk(self, clerk_id: str) -> Clerk | None:
        return next((c for c in self.clerks if c.id == clerk_id), None)

    def window_services(self, window_id: int) -> frozenset[str]:
        served = self._served  # once: a private attribute is read through pydantic's slow __getattr__
        if not served:
            for w in self.windows:
                served[w.id] = frozenset(s.id for s in self.services if s.zone in w.zones or s.id in w.services)
        return served.get(window_id, frozenset())

    def windows_serving(self, service_id: str) -> list[int]:
        if service_id not in self._serving:
            self._serving[service_id] = [w.id for w in self.windows if service_id in self.window_services(w.id)]
        return self._serving[service_id]

    def issues_when_closed(self, service_id: str) -> bool:
        service = self.service(service_id)
        own = service.issue_when_closed if service else None
        return self.queue.issue_when_closed if own is None else own

    def zone_open(self, zone: Zone, local: datetime) -> bool:
        """Open at this local moment by its hours and the hall's calendar (a 24 h zone always)."""
        if zone.always_open:
            return True
        weekday = self.hours_weekday(local.date())
        return weekday is not None and any(span.covers(local, weekday) for span in zone.hours)

    def hours_on(self, zone: Zone, day: date) -> list[OpeningSpan]:
        """The zone's opening spans on that day, in order (none on a closed day)."""
        weekday = self.hours_weekday(day)
        if zone.always_open or weekday is None:
            return []
        return sorted((s for s in zone.hours if weekday in _parse_days(s.days)), key=lambda s: s.open)

    def hours_weekday(self, day: date) -> int | None:
        """The weekday whose hours the hall keeps on `day`; None when the hall is closed all day."""
        return self.calendar.weekday(day)

    def booking_slots(self, service_id: str, day: date) -> list[tuple[str, str, int]]:
        """(start, end, capacity) of each slot of the service on that day, by the calendar; in order."""
        weekday = self.hours_weekday(day)
        if weekday is None:
            return []
        return sorted((start, end, span.capacity) for span in self.booking.slots
                      if service_id in span.services and weekday in _parse_days(span.days)
                      for start, end in span.times())

    def bookable(self, service_id: str) -> bool:
        return any(service_id in span.services for span in self.booking.slots)

    def business_day(self, when: datetime) -> date:
        local = when.astimezone(self.tz)
        start = _day_start(self.hall.day_starts)
        return local.date() if local.time() >= start else date.fromordinal(local.date().toordinal() - 1)


@functools.lru_cache(maxsize=16)
def _day_start(value: str) -> time:
    # Asked on every command (the day rolls over at this hour): parse each distinct value once.
    return _hhmm(value)


class _RefError(ValueError):
    def __init__(self, loc: tuple, message: str):
        super().__init__(message)
        self.loc = loc


def _unique(items, attr: str, section: str) -> None:
    seen: dict = {}
    for i, item in enumerate(items):
        key = getattr(item, attr)
        if key in seen:
            raise _RefError((section, i, attr), f"duplicate {attr} {key!r} (also in entry {seen[key] + 1})")
        seen[key] = i


def _locate(text: str, loc: tuple) -> int | None:
    """Find the line of a field from a pydantic location like ('windows', 3, 'services')."""
    lines = text.splitlines()
    if not loc:
        return None
    section, rest = str(loc[0]), loc[1:]
    start = None
    if rest and isinstance(rest[0], int):
        count = -1
        for n, line in enumerate(lines):
            if re.match(rf"^\[\[\s*{re.escape(section)}\s*\]\]\s*(#.*)?$", line.strip()):
                count += 1
                if count == rest[0]:
                    start = n
                    break
        rest = rest[1:]
    else:
        start = next((n for n, line in enumerate(lines)
                      if re.match(rf"^\[\s*{re.escape(section)}\s*\]\s*(#.*)?$", line.strip())), None)
    if start is None:
        return None
    key = next((str(part) for part in rest if isinstance(part, str)), None)
    if key is None:
        return start + 1
    for n in range(start + 1, len(lines)):
        stripped = lines[n].strip()
        if stripped.startswith("["):
            break
        if re.match(rf"^{re.escape(key)}\s*=", stripped):
            return n + 1
    return start + 1


def parse_hall(text: str, source: str = "<hall>") -> HallConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise ConfigError(f"not valid TOML ({e})", line=int(m.group(1)) if m else None, source=source) from None
    try:
        return HallConfig.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = tuple(err["loc"])
        ctx_err = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_err, _RefError):
            loc = ctx_err.loc
        message = str(ctx_err) if ctx_err else err["msg"]
        field = ".".join(str(p) if not isinstance(p, int) else f"[{p + 1}]" for p in loc).replace(".[", "[")
        more = f" (and {len(e.errors()) - 1} more problem(s))" if len(e.errors()) > 1 else ""
        raise ConfigError(f"{message}{more}", line=_locate(text, loc), field=field, source=source) from None


def load_hall(path: str | Path) -> HallConfig:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read hall file {p}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"hall file {p} is not UTF-8 text") from None
    return parse_hall(text, source=p.name)
