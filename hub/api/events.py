"""The event stream: replay what a device missed since SEQ, then stream live events.

If the device's SEQ is unknown to this hub (ahead of it, or too far behind), the device
is told `snapshot_needed` and should fetch /snapshot, then subscribe from its seq.
"""
from __future__ import annotations

import asyncio
import json
from collections import OrderedDict

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from ..protocol import Role, display_event, public_event
from .auth import ApiError, device_for, token_of

router = APIRouter()
REPLAY_LIMIT = 20_000


@router.websocket("/events")
async def events(ws: WebSocket):
    hub = ws.app.state.hub
    try:
        device = device_for(hub, token_of(ws.headers, ws.query_params))
    except ApiError:
        await ws.close(code=4401, reason="unauthorized")
        return
    try:
        since = int(ws.query_params.get("since", "-1"))
    except ValueError:
        since = -1
    await ws.accept()
    send = _display_sender(ws) if device["role"] == Role.DISPLAY else ws.send_json  # i9-priv
    queue = hub.subscribe()
    hub.device_connected(device["id"], queue)
    reader = asyncio.ensure_future(_drain_incoming(ws))
    try:
        head = hub.seq
        if 0 <= since <= head and head - since <= REPLAY_LIMIT:
            last = since
            for event in list(hub.events_since(since)):
                await send(public_event(event))
                last = event["seq"]
        else:
            await ws.send_json({"type": "snapshot_needed", "seq": head})
            last = head
        await ws.send_json({"type": "live", "seq": last})
        while True:
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
            if reader in done:
                getter.cancel()
                return
            event = getter.result()
            if event["type"] == "revoked":  # the console revoked this device's token
                await ws.close(code=4401, reason="revoked")
                return
            if event["type"] == "snapshot_needed":
                await ws.send_json(event)
                await ws.close()
                return
            if event["seq"] <= last:
                continue  # already sent in the replay
            await send(event)
            last = event["seq"]
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        reader.cancel()
        hub.unsubscribe(queue)
        hub.device_disconnected(device["id"], queue)


async def _drain_incoming(ws: WebSocket) -> None:
    """Clients may send pings; the stream ends when the socket does."""
    try:
        while True:
            await ws.receive_text()
    except (WebSocketDisconnect, RuntimeError):
        return


# ---- i9-priv: displays get no masked names or IDs ------------------------------------------------
# Each event is stripped and encoded once for all displays (kept per app, by seq), not once per display.
DISPLAY_VARIANTS_KEPT = 256


def _display_sender(ws: WebSocket):
    variants: OrderedDict[int, str] | None = getattr(ws.app.state, "display_variants", None)
    if variants is None:
        variants = ws.app.state.display_variants = OrderedDict()

    async def send(event: dict) -> None:
        seq = event.get("seq")
        text = variants.get(seq)
        if text is None:
            text = json.dumps(display_event(event), ensure_ascii=False, separators=(",", ":"))
            variants[seq] = text
            while len(variants) > DISPLAY_VARIANTS_KEPT:
                variants.popitem(last=False)
        await ws.send_text(text)

    return send
