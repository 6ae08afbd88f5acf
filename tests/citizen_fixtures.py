"""A real hub with its citizen listener (what phones reach) and a 375 px phone in real Chromium, for
the citizen pages' tests (a test module also imports `browser` and `phone` from web_fixtures)."""
from __future__ import annotations

import pytest

from conftest import SMALL_HALL, HubHandle
from hall_http import HallHttp
from hub.server import HubServer, build_service



# 县庆 closes the hall on Thursday and Friday 26-27 November 2026; Saturday the 28th is worked instead.
CALENDAR = """
[calendar]
working = [2026-11-28]

[[calendar.closed]]
name = "县庆"
name_en = "County Day"
start = 2026-11-26
end = 2026-11-27
"""

# Licences and property registration are booked 09:00-11:00 on working days, two places a half hour.
BOOKING = """
[booking]
days_ahead = 7
cutoff_minutes = 60
no_show_limit = 3
no_show_days = 30
block_days = 30
per_phone_open = 2
per_address_hour = 8

[[booking.slots]]
services = ["business-license", "property"]
days = "mon-fri"
start = "09:00"
end = "11:00"
minutes = 30
capacity = 2
"""


def hall_text(*sections: str) -> str:
    """The small test hall with these top-level sections added (before its zones)."""
    return SMALL_HALL.read_text(encoding="utf-8").replace("\n[[zones]]", "".join(sections) + "\n[[zones]]", 1)


@pytest.fixture
def hall_file(tmp_path):
    """The test hall with the 县庆 calendar and booking."""
    path = tmp_path / "hall.toml"
    path.write_text(hall_text(CALENDAR, BOOKING), encoding="utf-8")
    return path


class CitizenHub(HubHandle):
    """The hub with a second, plain-HTTP listener for phones, as `hallq hub --public-port` runs it."""

    def start(self) -> HubServer:
        self.server = HubServer(build_service(self.db_path, self.hall, self.clock), port=self.port,
                                public_port=0).start()
        self.port = self.server.port
        return self.server

    @property
    def public_url(self) -> str:
        return self.server.public_url


@pytest.fixture
def citizen_hub(db_path, clock, hall_ca, hall_file):
    handle = CitizenHub(db_path, clock, hall=hall_file, ca=hall_ca)
    handle.start()
    yield handle
    handle.stop()


@pytest.fixture
def desk(citizen_hub):
    d = HallHttp(citizen_hub)
    yield d
    d.close()
