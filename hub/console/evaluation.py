"""好差评: rating a finished ticket (today's or a past day's), and the manager's follow-up of 差评."""
from __future__ import annotations

import threading
from typing import Callable

from ..core.errors import DomainError, invalid, not_found
from ..core.model import Ticket
from ..protocol import Evaluate
from .citizen_texts import BAD_REASONS, FOLLOWUP_STATES, GOOD_REASONS

# FastAPI runs plain endpoints in worker threads; one rating at a time keeps "one per ticket" true
# even when a phone and the window's evaluator submit at the same instant.
_lock = threading.Lock()

FOLLOWUPS = "evaluation_followups"


def _ticket(hub, ticket_id: int) -> Ticket:
    live = hub.hall.state.tickets.get(ticket_id)
    if live is not None:
        return live
    row = hub.store.ticket(ticket_id)
    if row is None:
        raise not_found("TICKET_NOT_FOUND", ticket=ticket_id)
    # A past day's ticket lives only in the store's projection; the evaluated event updates that row.
    return Ticket.from_dict({k: v for k, v in row.items() if k in Ticket.__dataclass_fields__})


def submit(hub, ticket_id: int, body: Evaluate, *, request_id: str, device_id: int | None,
           check: Callable[[Ticket], None] | None = None) -> tuple[int, dict]:
    """Rate a ticket through hub.run, so a repeated request_id gives the first answer and rates once."""
    reasons = list(dict.fromkeys(body.reasons))

    def decide(now):
        ticket = _ticket(hub, ticket_id)
        if check is not None:
            check(ticket)
        unknown = [r for r in reasons if r not in GOOD_REASONS and r not in BAD_REASONS]
        if unknown:
            raise invalid("EVALUATION_REASON", reason=unknown[0])
        return hub.hall.evaluate(now, ticket, body.score, reasons, body.comment.strip())

    def render(result):
        t = result["ticket"]
        return {"ticket": {"id": t.id, "number": t.number, "state": t.state.value, "evaluation": t.evaluation}}

    with _lock:
        return hub.run(request_id, device_id, decide, render)


def own_window_only(device: dict) -> Callable[[Ticket], None]:
    """A window's evaluator may rate only tickets its own window served."""
    def check(ticket: Ticket) -> None:
        if device["role"] == "caller" and ticket.window_id != device["window_id"]:
            raise DomainError("WRONG_WINDOW", status=403, own=device["window_id"])
    return check


# ---- follow-up of 差评 ---------------------------------------------------------------------
def followups(store) -> dict[int, dict]:
    return {r["ticket_id"]: r for r in store.db[FOLLOWUPS].rows}


def set_followup(hub, ticket_id: int, state: str, note: str, actor: str) -> dict:
    if state not in FOLLOWUP_STATES:
        raise DomainError("FOLLOWUP_STATE", status=422)
    row = hub.store.ticket(ticket_id)
    if row is None:
        raise not_found("TICKET_NOT_FOUND", ticket=ticket_id)
    if not row.get("evaluation"):
        raise not_found("EVALUATION_NOT_FOUND", ticket=row["number"])
    at = hub.now().isoformat(timespec="seconds")
    record = {"ticket_id": ticket_id, "state": state, "note": note.strip()[:500], "updated_at": at,
              "updated_by": actor}
    hub.store.db[FOLLOWUPS].upsert(record, pk="ticket_id")
    hub.store.audit(at, actor, "evaluation.followup", {"ticket": row["number"], "day": row["day"], "state": state})
    return record
