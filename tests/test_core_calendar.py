"""The hall's holiday calendar: closed holidays and 调休 working weekend days, which opening hours,
the hub's issuing and booking obey; a wrong calendar is refused with its field named."""
from __future__ import annotations

from datetime import date

import pytest

from citizen_fixtures import CALENDAR, hall_text
from conftest import at
from hub.core.config import ConfigError, parse_hall
from hub.core.engine import Hall
from hub.core.errors import DomainError

@pytest.fixture
def cfg():
    return parse_hall(hall_text(CALENDAR))


def test_a_holiday_closes_staffed_zones_but_not_the_24_hour_one(cfg):
    thursday_10am = at(26, 10)
    assert not cfg.zone_open(cfg.zone("general"), thursday_10am)
    assert not cfg.zone_open(cfg.zone("social"), thursday_10am)
    assert cfg.zone_open(cfg.zone("selfservice"), thursday_10am)
    assert cfg.hours_on(cfg.zone("general"), date(2026, 11, 26)) == []
    assert cfg.zone_open(cfg.zone("general"), at(25, 10)), "the day before is an ordinary Wednesday"


def test_a_working_saturday_keeps_a_weekdays_hours(cfg):
    # The general zone opens Saturdays 09:00-12:00 only; on the 调休 Saturday it keeps Monday's hours.
    assert cfg.zone_open(cfg.zone("general"), at(28, 15))
    assert cfg.zone_open(cfg.zone("social"), at(28, 10)), "social is closed on ordinary Saturdays"
    assert [s.open for s in cfg.hours_on(cfg.zone("general"), date(2026, 11, 28))] == ["09:00", "12:00", "13:00"]
    assert not cfg.zone_open(cfg.zone("general"), at(21, 15)), "an ordinary Saturday afternoon stays closed"


def test_issuing_on_a_holiday_is_refused_naming_the_holiday(cfg):
    hall = Hall(cfg)
    with pytest.raises(DomainError) as refused:
        hall.issue(at(26, 10), "business-license", "t" * 22)
    assert refused.value.code == "HALL_HOLIDAY" and refused.value.params["holiday"] == "县庆"
    from hub.messages import render

    assert render("HALL_HOLIDAY", refused.value.params)[0] == "今日县庆放假，综合服务区休息，暂不能取号"
    result, _ = hall.issue(at(28, 15), "business-license", "t" * 22)
    assert result["ticket"].number == "A001"


@pytest.mark.parametrize("calendar, field, said", [
    ("[calendar]\nworking = [2026-11-27]\n", "calendar", "2026-11-27 is a fri"),
    ("[calendar]\nworking = [2026-11-28, 2026-11-28]\n", "calendar", "listed twice"),
    ("[calendar]\nworking_as = \"sat\"\n", "calendar.working_as", "must be a weekday"),
    ("[calendar]\nworking = [\"next saturday\"]\n", "calendar.working", "'next saturday' is not a date like 2026-10-01"),
    ('[[calendar.closed]]\nname = "国庆节"\nstart = 2026-10-07\nend = 2026-10-01\n', "calendar.closed[1]",
     "ends (2026-10-01) before it starts"),
    ('[[calendar.closed]]\nname = "国庆节"\nstart = 2026-10-01\nend = 2027-10-07\n', "calendar.closed[1]",
     "longer than 31 days"),
    ('[calendar]\nworking = [2026-10-03]\n[[calendar.closed]]\nname = "国庆节"\nstart = 2026-10-01\n'
     'end = 2026-10-07\n', "calendar", "falls in the holiday '国庆节'"),
])
def test_a_wrong_calendar_is_refused_with_its_field(calendar, field, said):
    """Tried: a weekday listed as 调休, a day twice, a weekend 'working_as', a word for a date, a holiday
    that ends before it starts or lasts a year, a working day inside a holiday."""
    with pytest.raises(ConfigError) as refused:
        parse_hall(hall_text(calendar))
    assert refused.value.field == field and said in str(refused.value)


def test_the_default_hall_closes_on_national_day_and_works_the_saturday_after():
    from hub.core.config import load_hall
    import assets

    cfg = load_hall(assets.path("halls/default.toml"))
    assert cfg.hours_weekday(date(2026, 10, 1)) is None and cfg.calendar.holiday(date(2026, 10, 1)).name == "国庆节"
    assert cfg.hours_weekday(date(2026, 10, 10)) == 0
