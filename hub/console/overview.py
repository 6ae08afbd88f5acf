"""What the manager's dashboard shows: the hall snapshot, devices online, and alerts."""
from __future__ import annotations

from datetime import datetime

from .auth import is_session

ALERT_KEY = "console_alert_wait_minutes"
DEFAULT_ALERT_MINUTES = 30


def alert_minutes(store) -> int:
    raw = store.setting(ALERT_KEY)
    return int(raw) if raw else DEFAULT_ALERT_MINUTES


def alerts(snapshot: dict, threshold: int, devices: list[dict]) -> list[dict]:
    """Problems a manager must act on now, most urgent first."""
    out = []
    now = datetime.fromisoformat(snapshot["now"])
    zones = {z["id"]: z for z in snapshot["zones"]}
    for z in snapshot["zones"]:
        if z["waiting"] and not z["open_windows"]:
            out.append({"kind": "no_window", "zone_id": z["id"], "zone_name": z["name"],
                        "zone_name_en": z["name_en"], "waiting": z["waiting"]})
    long_waits: dict[str, list[dict]] = {}
    for t in snapshot["tickets"]:
        if t["state"] == "waiting":
            minutes = int((now - datetime.fromisoformat(t["issued_at"])).total_seconds() // 60)
            if minutes >= threshold:
                long_waits.setdefault(t["zone_id"], []).append({"number": t["number"], "minutes": minutes})
    for zone_id, tickets in long_waits.items():
        z = zones.get(zone_id, {"name": zone_id, "name_en": zone_id})
        tickets.sort(key=lambda t: -t["minutes"])
        out.append({"kind": "long_wait", "zone_id": zone_id, "zone_name": z["name"], "zone_name_en": z["name_en"],
                    "count": len(tickets), "longest": tickets[0]["minutes"], "number": tickets[0]["number"],
                    "threshold": threshold})
    for label, fault in snapshot["device_faults"].items():
        out.append({"kind": "device_fault", "device": label.split(":", 1)[-1], "fault": fault["fault"],
                    "since": fault["since"]})
    offline = [d for d in devices if not d["online"] and d["role"] != "console" and not d["revoked_at"]
               and d["ever_connected"]]
    for d in offline:
        out.append({"kind": "device_offline", "device": d["name"], "last_seen": d["last_seen"]})
    return out


def devices(hub) -> list[dict]:
    """Paired devices with their live connection state; signed-out console sessions are left out."""
    links = hub.device_links()
    faults = hub.hall.state.device_faults
    out = []
    for d in hub.store.devices():
        if is_session(d) and d["revoked_at"]:
            continue
        link = links.get(d["id"], {})
        fault = faults.get(f"{d['id']}:{d['name']}")
        out.append({**d, "online": link.get("connections", 0) > 0, "connections": link.get("connections", 0),
                    "last_seen": link.get("last_seen") or d.get("last_seen"),
                    "ever_connected": bool(link.get("last_seen")), "session": is_session(d),
                    "fault": fault["fault"] if fault else None})
    return out


def overview(hub) -> dict:
    snap = hub.snapshot()
    devs = devices(hub)
    threshold = alert_minutes(hub.store)
    return {"snapshot": snap, "devices": devs, "alert_minutes": threshold, "alerts": alerts(snap, threshold, devs)}
