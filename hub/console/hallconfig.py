"""Editing the hall's layout while it runs: one zone / service / window / clerk at a time.

An edit is validated as a whole hall, refused if it would strand a waiting ticket, stored
in the database (which then wins over the TOML file at the next start) and swapped into the
running hub, so kiosks see it on their next /hall.
"""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..api.auth import ApiError
from ..core.config import Clerk, HallConfig, Service, Window, Zone
from ..core.events import HallChanged
from ..core.model import TicketState, WindowState, WindowStatus

STORED_KEY = "hall_config"
SECTIONS: dict[str, tuple[type, str]] = {
    "zones": (Zone, "id"), "services": (Service, "id"), "windows": (Window, "id"), "clerks": (Clerk, "id"),
}


def stored_config(store) -> HallConfig | None:
    raw = store.setting(STORED_KEY)
    return HallConfig.model_validate_json(raw) if raw else None


def public_config(config: HallConfig) -> dict:
    """The layout for the console's editor; clerks' PINs never leave the hub."""
    data = config.model_dump(mode="json")
    data["clerks"] = [{k: v for k, v in c.items() if k != "pin"} for c in data["clerks"]]
    return data


def _field_name(loc: tuple, prefix: str = "") -> str:
    parts = [prefix] if prefix else []
    for p in loc:
        if isinstance(p, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{p + 1}]"]
        else:
            parts.append(str(p))
    return ".".join(parts)


def _invalid(e: ValidationError, prefix: str) -> ApiError:
    err = e.errors()[0]
    ctx_err = (err.get("ctx") or {}).get("error")
    loc = getattr(ctx_err, "loc", None) or tuple(err.get("loc", ()))
    detail = str(ctx_err) if ctx_err else err.get("msg", "")
    return ApiError(422, "CONFIG_INVALID", field=_field_name(loc, prefix) or prefix, detail=detail)


def _coerce_key(section: str, key: str) -> Any:
    if section == "windows":
        try:
            return int(key)
        except ValueError:
            raise ApiError(404, "CONFIG_NOT_FOUND", key=key) from None
    return key


def _orphans(hub, new: HallConfig) -> list[str]:
    """Numbers of today's waiting tickets that the new layout would leave without a window."""
    hub.ensure_day()
    lost = []
    for t in hub.hall.state.tickets.values():
        if t.state != TicketState.WAITING:
            continue
        service = new.service(t.service_id)
        served = service is not None and new.zone(t.zone_id) is not None and (
            new.window(t.target_window) is not None if t.target_window
            else any(t.service_id in new.window_services(w.id) for w in new.windows))
        if not served:
            lost.append(t.number)
    return sorted(lost)


def _refuse_orphans(hub, new: HallConfig) -> None:
    # Only tickets this edit strands: one already stranded must not block fixing the layout.
    lost = sorted(set(_orphans(hub, new)) - set(_orphans(hub, hub.config)))
    if lost:
        raise ApiError(409, "CONFIG_ORPHANS", count=len(lost), numbers=_list(lost))


def _check_windows_free(hub, new: HallConfig) -> None:
    kept = {w.id for w in new.windows}
    for w in hub.config.windows:
        status = hub.hall.state.windows.get(w.id)
        if w.id not in kept and status and status.state != WindowState.CLOSED:
            clerk = hub.config.clerk(status.clerk_id) if status.clerk_id else None
            raise ApiError(409, "CONFIG_WINDOW_IN_USE", window=w.id, clerk=clerk.name if clerk else "")


def _install(hub, new: HallConfig, actor: str, action: str, detail: dict) -> None:
    now = hub.now().isoformat(timespec="seconds")
    hub.store.set_setting(STORED_KEY, new.model_dump_json())
    hub.config = new
    hub.hall.config = new
    for w in new.windows:
        hub.hall.state.windows.setdefault(w.id, WindowStatus(id=w.id))
    hub.store.audit(now, actor, action, detail)
    # Devices hear of the change on the event stream and fetch /hall again.
    hub.run(None, None, lambda at: ({}, [HallChanged(at.isoformat(timespec="seconds"), what=action,
                                                     section=detail.get("section"), key=detail.get("key"))]),
            lambda r: r)


def _locked(edit):
    """Edits check, store and swap as one step, like a command (the hub's lock is re-entrant)."""
    def run(hub, *args, **kwargs):
        lock = getattr(hub, "lock", None)
        if lock is None:
            return edit(hub, *args, **kwargs)
        with lock:
            return edit(hub, *args, **kwargs)
    run.__name__, run.__doc__ = edit.__name__, edit.__doc__
    return run


@_locked
def save_item(hub, section: str, key: str, item: dict, actor: str) -> dict:
    """Create or replace one entry (zones/services/windows/clerks) keyed by its id."""
    if section not in SECTIONS:
        raise ApiError(404, "CONFIG_NOT_FOUND", key=section)
    model, id_field = SECTIONS[section]
    data = hub.config.model_dump(mode="json")
    entries: list[dict] = data[section]
    index = next((i for i, e in enumerate(entries) if str(e[id_field]) == str(key)), None)
    item = {k: v for k, v in item.items() if v is not None or k == "pin"}
    item[id_field] = _coerce_key(section, key)
    if section == "clerks":
        if item.get("pin") in (None, ""):
            if index is None:
                raise ApiError(422, "CONFIG_PIN_REQUIRED")
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
    new = _validated(data, section, key)
    _refuse_orphans(hub, new)
    detail = {"section": section, "key": str(key), "created": creating,
              "item": {k: v for k, v in item.items() if k != "pin"}}
    if section == "clerks" and not creating and entries[index]["pin"] != hub.config.clerk(key).pin:
        detail["pin_reset"] = True
    _install(hub, new, actor, f"config.{section}.{'create' if creating else 'update'}", detail)
    return public_config(new)


@_locked
def delete_item(hub, section: str, key: str, actor: str) -> dict:
    if section not in SECTIONS:
        raise ApiError(404, "CONFIG_NOT_FOUND", key=section)
    _, id_field = SECTIONS[section]
    data = hub.config.model_dump(mode="json")
    before = len(data[section])
    data[section] = [e for e in data[section] if str(e[id_field]) != str(key)]
    if len(data[section]) == before:
        raise ApiError(404, "CONFIG_NOT_FOUND", key=key)
    if section in ("services", "zones"):
        # Refuse before anything else: the waiting citizens matter more than a tidy layout.
        field = "service_id" if section == "services" else "zone_id"
        hub.ensure_day()
        lost = sorted(t.number for t in hub.hall.state.tickets.values()
                      if t.state == TicketState.WAITING and getattr(t, field) == key)
        if lost:
            raise ApiError(409, "CONFIG_ORPHANS", count=len(lost), numbers=_list(lost))
    if section == "services":  # a deleted service leaves the windows and bundles that named it
        for w in data["windows"]:
            w["services"] = [s for s in w["services"] if s != key]
        for s in data["services"]:
            s["bundle"] = [b for b in s["bundle"] if b != key]
    new = _validated(data, section, key)
    _check_windows_free(hub, new)
    _refuse_orphans(hub, new)
    _install(hub, new, actor, f"config.{section}.delete", {"section": section, "key": str(key)})
    return public_config(new)


@_locked
def set_hall_info(hub, fields: dict, actor: str) -> dict:
    data = hub.config.model_dump(mode="json")
    data["hall"].update({k: v for k, v in fields.items() if k in ("name", "name_en", "notice")})
    new = _validated(data, "hall", "")
    _install(hub, new, actor, "config.hall.update", {"section": "hall", "key": "", "item": fields})
    return public_config(new)


def _validated(data: dict, section: str, key: str) -> HallConfig:
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


def _list(numbers: list[str], most: int = 8) -> str:
    shown = "、".join(numbers[:most])
    return shown + (" …" if len(numbers) > most else "")

