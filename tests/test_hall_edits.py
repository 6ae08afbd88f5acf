"""The hall-edit rules (hub/core/hall_edits), pure and fast: an edit that would strand a waiting
ticket or pull a window from under a logged-in clerk is refused; the layout is left as it was."""
from __future__ import annotations

import pytest

from conftest import SMALL_HALL, at
from hub.core import hall_edits
from hub.core.config import load_hall
from hub.core.engine import Hall
from hub.core.errors import DomainError

NOW = at(23, 10)


def run(hall: Hall, outcome) -> dict:
    result, events = outcome
    for e in events:
        hall.apply(e)
    return result


def hall_with_waiting(*services: str) -> Hall:
    hall = Hall(load_hall(SMALL_HALL))
    for e in hall.rollover(NOW):
        hall.apply(e)
    for i, service in enumerate(services):
        run(hall, hall.issue(NOW, service, f"token-{i:016d}"))
    return hall


def test_taking_the_only_window_off_a_waiting_service_is_refused_and_names_the_ticket():
    """Bad input: window 4 is the only one for self-print, and Z001 waits for it."""
    hall = hall_with_waiting("self-print", "property")
    with pytest.raises(DomainError) as refused:
        hall_edits.delete_item(hall.config, hall.state, "windows", "4")
    assert refused.value.code == "CONFIG_ORPHANS"
    assert refused.value.params == {"count": 1, "numbers": "Z001"}
    assert hall.config.window(4) is not None


def test_a_window_that_still_serves_every_waiting_ticket_can_go():
    """Window 3 serves property, which window 1 serves too: A001 still has a window."""
    hall = hall_with_waiting("property")
    new = hall_edits.delete_item(hall.config, hall.state, "windows", "3")
    assert new.window(3) is None and hall_edits.stranded(new, hall.state) == []


def test_an_already_stranded_ticket_does_not_block_fixing_the_layout():
    """Only tickets the edit itself strands count: renaming a zone is fine while Z001 has no window."""
    hall = hall_with_waiting("self-print")
    without_4 = hall.config.model_copy(update={"windows": tuple(w for w in hall.config.windows if w.id != 4)})
    assert hall_edits.stranded(without_4, hall.state) == ["Z001"]
    renamed, detail = hall_edits.save_item(without_4, hall.state, "zones", "general",
                                           {**without_4.zone("general").model_dump(mode="json"), "name": "综合窗口区"})
    assert renamed.zone("general").name == "综合窗口区" and detail["created"] is False


def test_a_window_with_a_clerk_logged_in_cannot_be_removed():
    """Bad input: deleting window 2 while clerk c002 is logged in there."""
    hall = hall_with_waiting()
    run(hall, hall.login(NOW, 2, "c002", hall.config.clerk("c002").pin))
    with pytest.raises(DomainError) as refused:
        hall_edits.delete_item(hall.config, hall.state, "windows", "2")
    assert refused.value.code == "CONFIG_WINDOW_IN_USE" and refused.value.params["window"] == 2
