"""What the routes declare: bounded path ids, and the error answers each may give (in OpenAPI)."""
from __future__ import annotations

from typing import Annotated

from fastapi import Path

from ..protocol import MAX_ID, ErrorBody

# A path id past 2**53 is a 422 like any other bad input, never an overflow deeper down.
TicketId = Annotated[int, Path(ge=1, le=MAX_ID)]
WindowId = Annotated[int, Path(ge=1, le=MAX_ID)]
DeviceId = Annotated[int, Path(ge=1, le=MAX_ID)]

_WHY = {
    400: "Pairing code wrong or expired",
    401: "Not paired, token invalid or session over (or a wrong password / PIN)",
    403: "This device's role or window may not do that",
    404: "No such ticket, window, device, entry or link",
    409: "Not possible in the hall's present state",
    413: "Request body larger than the hub's limit",
    422: "Invalid request: a field, an id or a date out of range, malformed JSON or invalid text",
    429: "Too many wrong tries; locked for a while",
    503: "Could not save; nothing was changed",
}


def errors(*statuses: int) -> dict:
    """The `responses=` for these statuses, each answered with the JSON error body."""
    return {s: {"model": ErrorBody, "description": _WHY[s]} for s in statuses}


# Any request may be refused for its size or its form (413, 422); a device's also for its token (401, 403).
PUBLIC = errors(413, 422)
SIGNED = errors(401, 403, 413, 422)
SIGNED_LOOKUP = errors(401, 403, 404, 413, 422)
COMMAND = errors(401, 403, 404, 409, 413, 422, 503)
