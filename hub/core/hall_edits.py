"""Editing the hall's layout while it runs, one zone / service / window / clerk at a time.

An edit is validated as a whole hall and refused if it would strand a waiting ticket (leave it
with no window that can serve it) or remove a window a clerk is logged in at. Pure: the current
layout and state in, the new layout (or a DomainError) out.
"""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .config import Clerk, HallConfig, Service, Window, Zone
from .errors import DomainError, invalid, not_found
from .model import HallState, TicketState, WindowState

SECTIONS: dict[str, tuple[type, str]] = {
    "zones": (Zone, "id"), "services": (Service, "id"), "windows": (Window, "id"), "clerks": (Clerk, "id"),
}


def save_item(config: HallConfig, state: HallState, section: str, key: str, item: dict) -> tuple[HallConfig, dict]:
    """Create or replace one entry keyed by its id; answers the new layout and what changed."""
    if section not in SECTIONS:
        raise not_found("CONFIG_NOT_FOUND", key=section)
    model, id_field = SECTIONS[section]
    data = config.model_dump(mode="json")
    entries: list[dict] = data[section]
    index = next((i for i, e in enumerate(entries) if str(e[id_field]) == str(key)), None)
    item = {k: v for k, v in item.items() if v is not None or k == "pin"}
    item[id_field] = _coerce_key(section, key)
    if section == "clerks" and item.get("pin") in (None, ""):
        if index is None:
            raise invalid("CONFIG_PIN_REQUIRED")
        item["pin"] = entries[index]["pin"]
    try:
        model.model_validate(item)
    except ValidationError as e:
        raise _invalid(e, f"{section}.{key}") from None
    creating = index is None
    if creating:
        entries.append(item)
    else:
        entries[index] = item
    new = _validated(data)
    refuse_orphans(config, new, state)
    detail = {"section": section, "key": str(key), "created": creating,
              "item": {k: v for k, v in item.items() if k != "pin"}}
    if section == "clerks" and not creating and item["pin"] != config.clerk(key).pin:
        detail["pin_reset"] = True
    return new, detail


def delete_item(config: HallConfig, state: HallState, section: str, key: str) -> HallConfig:
    if section not in SECTIONS:
        raise not_found("CONFIG_NOT_FOUND", key=section)
    _, id_field = SECTIONS[section]
    data = config.model_dump(mode="json")
    before = len(data[section])
    data[section] = [e for e in data[section] if str(e[id_field]) != str(key)]
    if len(data[section]) == before:
        raise not_found("CONFIG_NOT_FOUND", key=key)
    if section in ("services", "zones"):
        # Refuse before anything else: the waiting citizens matter more than a tidy layout.
        field = "service_id" if section == "services" else "zone_id"
        lost = sorted(t.number for t in state.tickets.values()
                      if t.state == TicketState.WAITING and getattr(t, field) == key)
        if lost:
            raise _orphans_error(lost)
    if section == "services":  # a deleted service leaves the windows and bundles that named it
        for w in data["windows"]:
            w["services"] = [s for s in w["services"] if s != key]
        for s in data["services"]:
            s["bundle"] = [b for b in s["bundle"] if b != key]
    new = _validated(data)
    _check_windows_free(config, new, state)
    refuse_orphans(config, new, state)
    return new


def set_hall_info(config: HallConfig, fields: dict) -> HallConfig:
    data = config.model_dump(mode="json")
    data["hall"].update({k: v for k, v in fields.items() if k in ("name", "name_en", "notice")})
    return _validated(data)


def stranded(new: HallConfig, state: HallState) -> list[str]:
    """Numbers of today's waiting tickets that the layout `new` would leave without a window."""
    lost = []
    for t in state.tickets.values():
        if t.state != TicketState.WAITING:
            continue
        served = new.service(t.service_id) is not None and new.zone(t.zone_id) is not None and (
            new.window(t.target_window) is not None if t.target_window
            else any(t.service_id in new.window_services(w.id) for w in new.windows))
        if not served:
            lost.append(t.number)
    return sorted(lost)


def refuse_orphans(old: HallConfig, new: HallConfig, state: HallState) -> None:
    # Only tickets this edit strands: one already stranded must not block fixing the layout.
    lost = sorted(set(stranded(new, state)) - set(stranded(old, state)))
    if lost:
        raise _orphans_error(lost)


def _check_windows_free(old: HallConfig, new: HallConfig, state: HallState) -> None:
    kept = {w.id for w in new.windows}
    for w in old.windows:
        status = state.windows.get(w.id)
        if w.id not in kept and status and status.state != WindowState.CLOSED:
            clerk = old.clerk(status.clerk_id) if status.clerk_id else None
            raise DomainError("CONFIG_WINDOW_IN_USE", window=w.id, clerk=clerk.name if clerk else "")


def _orphans_error(numbers: list[str], most: int = 8) -> DomainError:
    shown = "、".join(numbers[:most]) + (" …" if len(numbers) > most else "")
    return DomainError("CONFIG_ORPHANS", count=len(numbers), numbers=shown)


def _coerce_key(section: str, key: str) -> Any:
    if section == "windows":
        try:
            return int(key)
        except ValueError:
            raise not_found("CONFIG_NOT_FOUND", key=key) from None
    return key


def _field_name(loc: tuple, prefix: str = "") -> str:
    parts = [prefix] if prefix else []
    for p in loc:
        if isinstance(p, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{p + 1}]"]
        else:
            parts.append(str(p))
    return ".".join(parts)


def _invalid(e: ValidationError, prefix: str) -> DomainError:
    err = e.errors()[0]
    ctx_err = (err.get("ctx") or {}).get("error")
    loc = getattr(ctx_err, "loc", None) or tuple(err.get("loc", ()))
    detail = str(ctx_err) if ctx_err else err.get("msg", "")
    return invalid("CONFIG_INVALID", field=_field_name(loc, prefix) or prefix, detail=detail)


def _validated(data: dict) -> HallConfig:
    try:
        return HallConfig.model_validate(data)
    except ValidationError as e:
        error = _invalid(e, "")
        # Name the entry by its id rather than its position: "services.pension.zone".
        field = error.params["field"]
        head, _, rest = field.partition("[")
        if head in SECTIONS and rest:
            index, _, tail = rest.partition("]")
            entry = data[head][int(index) - 1]
            error.params["field"] = f"{head}.{entry[SECTIONS[head][1]]}{tail}"
        raise error from None
