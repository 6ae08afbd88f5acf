"""The event stream: replay what a device missed since SEQ, then stream live events.

If the device's SEQ is unknown to this hub (ahead of it, or too far behind), the device
is told `snapshot_needed` and should fetch /snapshot, then subscribe from its seq.
Events arrive here already encoded (hub/fanout.py): each is encoded once for all devices.
"""
from __future__ import annotations

import asyncio
import json
from collections import OrderedDict

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from ..app.base import REPLAY_KEEP
from ..fanout import Outgoing, control, encode
from ..protocol import Role, display_event
from .auth import ApiError, device_for, token_of

router = APIRouter()
REPLAY_LIMIT = REPLAY_KEEP
CLOSED = "closed"  # put on a stream's queue by its reader when the device hangs up


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
    # A device that says it reads arrays gets the events waiting for it in one frame: a display
    # that fell behind in a burst of calls catches up with one send instead of one per event.
    arrays = ws.query_params.get("batch") == "1"
    await ws.accept()
    as_seen = _display_text(ws.app) if device["role"] == Role.DISPLAY else _as_sent  # i9-priv
    queue = hub.subscribe()
    hub.device_connected(device["id"], queue)
    reader = asyncio.ensure_future(_drain_incoming(ws, queue))
    try:
        # `hub.seq` counts decided events; those not yet committed come on the queue once they are.
        head = hub.seq
        if 0 <= since <= head and head - since <= REPLAY_LIMIT:
            last = since
            kept = hub.fanout.replay(since)
            missed = kept if kept is not None else [Outgoing(seq, "", text, None)
                                                    for seq, text in hub.store.messages_since(since)]
            texts = [as_seen(item) for item in missed]
            if texts:
                last = missed[-1].seq
            for text in texts:
                await ws.send_text(text)
        else:
            await ws.send_text(control("snapshot_needed", head).text)
            last = head
        await ws.send_text(control("live", last).text)
        while True:
            waiting = [await queue.get()]
            while arrays and not queue.empty():
                waiting.append(queue.get_nowait())
            texts = []
            for item in waiting:
                if item.type == CLOSED:
                    return
                if item.type == "revoked":  # the console revoked this device's token
                    await ws.close(code=4401, reason="revoked")
                    return
                if item.type == "snapshot_needed":
                    await _send(ws, texts)
                    await ws.send_text(item.text)
                    await ws.close()
                    return
                if item.seq > last:  # else already sent in the replay
                    texts.append(as_seen(item))
                    last = item.seq
            await _send(ws, texts)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        reader.cancel()
        hub.unsubscribe(queue)
        hub.device_disconnected(device["id"], queue)


def _as_sent(item: Outgoing) -> str:
    return item.text


async def _send(ws: WebSocket, texts: list[str]) -> None:
    if len(texts) == 1:
        await ws.send_text(texts[0])
    elif texts:
        await ws.send_text("[" + ",".join(texts) + "]")  # each text is one JSON event already


async def _drain_incoming(ws: WebSocket, queue: asyncio.Queue) -> None:
    """Clients may send pings; the stream ends when the socket does."""
    try:
        while True:
            await ws.receive_text()
    except (WebSocketDisconnect, RuntimeError):
        try:
            queue.put_nowait(control(CLOSED))
        except asyncio.QueueFull:
            pass  # the next send fails instead


# ---- i9-priv: displays get no masked names or IDs ------------------------------------------------
# Each event is stripped and encoded once for all displays (kept per app, by seq), not once per display.
DISPLAY_VARIANTS_KEPT = 256


def _display_text(app):
    """A function giving an event's text as displays receive it."""
    variants: OrderedDict[int, tuple[str, str]] | None = getattr(app.state, "display_variants", None)
    if variants is None:
        variants = app.state.display_variants = OrderedDict()

    def text(item: Outgoing) -> str:
        kept = variants.get(item.seq)
        # Keyed by seq, checked against the full text: after a failed commit a seq is decided anew.
        if kept is not None and kept[0] == item.text:
            return kept[1]
        event = item.event if item.event is not None else json.loads(item.text)
        stripped = display_event(event)
        out = item.text if stripped is event else encode(stripped)
        variants[item.seq] = (item.text, out)
        while len(variants) > DISPLAY_VARIANTS_KEPT:
            variants.popitem(last=False)
        return out

    return text
