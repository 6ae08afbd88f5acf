"""The shipped default hall (新丰县政务服务中心) loads and makes sense to the people using it."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from assets import path as asset_path
from hub.core.config import ConfigError, load_hall

HALL = asset_path("halls", "default.toml")
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def hall():
    return load_hall(HALL)


def _served(hall) -> set[str]:
    return set().union(*(hall.window_services(w.id) for w in hall.windows))


def _self_service(hall):
    return [z for z in hall.zones if z.always_open]


def test_hall_basics(hall):
    assert hall.hall.name == "新丰县政务服务中心"
    assert hall.hall.name_en
    assert hall.hall.timezone == "Asia/Shanghai"
    assert "午间不打烊" in hall.hall.notice and "好差评" in hall.hall.notice


def test_eleven_zones_with_unique_readable_prefixes(hall):
    assert len(hall.zones) == 11
    prefixes = [z.prefix for z in hall.zones]
    assert len(set(prefixes)) == 11
    assert not {"I", "O"} & set(prefixes), "I and O are read as 1 and 0 on a ticket"
    for z in hall.zones:
        assert z.name and z.name_en and z.description, z.id
    names = {z.name for z in hall.zones}
    for seed_zone in ("综合服务区", "人社服务专区", "市政公用服务区", "工程报建区", "企业开办区", "24小时自助服务区"):
        assert seed_zone in names


def test_ninety_nine_windows_numbered_1_to_99(hall):
    assert sorted(w.id for w in hall.windows) == list(range(1, 100))
    for w in hall.windows:
        assert w.name and w.name_en, w.id


def test_comprehensive_windows_serve_several_zones(hall):
    comprehensive = [w for w in hall.windows if w.name.startswith("综合窗口")]
    assert comprehensive and all(len(w.zones) >= 2 for w in comprehensive)
    assert any("绿色通道" in w.name for w in hall.windows)
    assert any("办不成事" in w.name for w in hall.windows)


def test_exactly_one_self_service_zone_and_it_is_always_open(hall):
    (zone,) = _self_service(hall)
    assert zone.name == "24小时自助服务区"


def test_every_staffed_zone_and_service_is_served(hall):
    served = _served(hall)
    self_service = {z.id for z in _self_service(hall)}
    for z in hall.zones:
        if z.id in self_service:
            continue
        zone_services = {s.id for s in hall.services if s.zone == z.id}
        assert zone_services, f"zone {z.id} has no services"
        assert zone_services & served, f"no window serves zone {z.id}"
    unserved = [s.id for s in hall.services if s.zone not in self_service and s.id not in served]
    assert not unserved, f"a ticket for these could never be called: {unserved}"


def test_bundles_refer_to_existing_served_single_services(hall):
    bundles = [s for s in hall.services if s.bundle]
    assert 3 <= len(bundles) <= 4
    served = _served(hall)
    self_service = {z.id for z in _self_service(hall)}
    for b in bundles:
        assert b.id in served, b.id
        assert len(b.bundle) >= 2, b.id
        for part in b.bundle:
            single = hall.service(part)
            assert single is not None, f"{b.id} lists unknown {part}"
            assert not single.bundle, f"{b.id} nests bundle {part}"
            assert single.zone not in self_service
            assert part in served, f"{b.id} lists {part}, which no window serves"
    newborn = hall.service("yjs_xinshenger")
    assert newborn is not None and newborn.name == "新生儿出生一件事"


def test_services_have_sensible_minutes_and_english_names(hall):
    assert 60 <= len(hall.services) <= 80
    for s in hall.services:
        assert s.name_en, s.id
        assert 1 <= s.minutes <= 90, s.id


def test_clerks_have_demo_pins(hall):
    assert 15 <= len(hall.clerks) <= 25
    for c in hall.clerks:
        assert re.fullmatch(r"c\d{3}", c.id)
        assert re.fullmatch(r"\d{4,6}", c.pin)
    assert "DEMO PINS" in HALL.read_text(encoding="utf-8")


def test_opening_hours(hall):
    sunday_3am = datetime(2025, 3, 9, 3, 0, tzinfo=SH)
    tuesday_1230 = datetime(2025, 3, 11, 12, 30, tzinfo=SH)
    tuesday_1000 = datetime(2025, 3, 11, 10, 0, tzinfo=SH)
    saturday_10am = datetime(2025, 3, 8, 10, 0, tzinfo=SH)
    assert (sunday_3am.weekday(), tuesday_1230.weekday(), saturday_10am.weekday()) == (6, 1, 5)

    (self_service,) = _self_service(hall)
    general = hall.zone("zonghe")
    assert hall.zone_open(self_service, sunday_3am)
    assert not hall.zone_open(general, sunday_3am)

    # 午间不打烊: the general zone keeps serving over lunch, the construction zone does not.
    assert hall.zone_open(general, tuesday_1230)
    assert not hall.zone_open(hall.zone("gongcheng"), tuesday_1230)
    assert hall.zone_open(hall.zone("gongcheng"), tuesday_1000)
    lunch = [z for z in hall.zones if any(span.label == "午间不打烊" for span in z.hours)]
    assert lunch and all(hall.zone_open(z, tuesday_1230) for z in lunch)

    # 周六延时服务
    assert hall.zone_open(hall.zone("renshe"), saturday_10am)
    assert not hall.zone_open(hall.zone("gongcheng"), saturday_10am)
    saturday = [z for z in hall.zones if any(span.label == "周六延时服务" for span in z.hours)]
    assert saturday and all(hall.zone_open(z, saturday_10am) for z in saturday)
    assert not any(hall.zone_open(z, datetime(2025, 3, 8, 14, 0, tzinfo=SH)) for z in saturday)


def test_unknown_zone_is_refused_with_line_and_field(tmp_path):
    text = HALL.read_text(encoding="utf-8")
    lines = text.splitlines()
    target = lines.index('id = "qy_sheli"')
    zone_line = next(n for n in range(target, target + 10) if lines[n].startswith("zone = "))
    lines[zone_line] = 'zone = "no_such_zone"'
    index = sum(1 for line in lines[:target] if line.strip() == "[[services]]")  # 1-based entry number
    bad = tmp_path / "bad.toml"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(ConfigError) as exc:
        load_hall(bad)
    err = exc.value
    assert err.line == zone_line + 1
    assert err.field == f"services[{index}].zone"
    message = str(err)
    assert f"line {zone_line + 1}" in message
    assert f"services[{index}].zone" in message
    assert "no_such_zone" in message
    assert "bad.toml" in message
