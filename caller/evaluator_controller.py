"""The window's evaluation screen without widgets: hub events -> what to show, taps -> one rating.

When this window finishes a ticket the screen asks the citizen to rate it; a score, then
optional reasons, then "submit" (or the screen submits by itself after a while, so a rating
given with one tap is not lost). Each ticket is rated with one request_id, so a retry after
a network failure still counts once.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Callable

from hub.client import HallMirror, HubClient, HubError, HubUnavailable, ViewModel
from hub.protocol import RATING_SCORES, new_request_id

from .evaluator_text import tr

log = logging.getLogger("hallq.evaluator")

IDLE, RATING, REASONS, SENDING, THANKS = "idle", "rating", "reasons", "sending", "thanks"
BAD_SCORE_MAX = 2


class EvaluatorController(ViewModel):
    translate = staticmethod(tr)

    def __init__(self, client: HubClient, window_id: int, *, lang: str = "zh_CN", rate_seconds: float = 90,
                 reasons_seconds: float = 20, thanks_seconds: float = 6, retry_interval: float = 2.0):
        self.client, self.window_id, self.lang = client, window_id, lang
        self.rate_seconds, self.reasons_seconds, self.thanks_seconds = rate_seconds, reasons_seconds, thanks_seconds
        self.retry_interval = retry_interval
        self.mode = IDLE
        self.ticket: dict | None = None  # the ticket being rated
        self.score: int | None = None
        self.reasons: list[str] = []
        self.message = ""
        self.mirror = HallMirror(client, hall_info=True)
        self.options: dict | None = None
        self.countdown = 0  # seconds before the reasons screen submits by itself
        self._request_id: str | None = None
        self._timer: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._started = False

    # ---- wiring ---------------------------------------------------------------------------
    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.mirror.on_change(self._on_mirror)
        self.mirror.start()
        while self.hall is None or self.options is None:
            try:
                if self.hall is None:
                    await self.mirror.refresh()
                self.options = self.options or await self.client.get("/public/evaluation-options")
            except HubUnavailable:
                pass
            if self.hall is None or self.options is None:
                await asyncio.sleep(self.retry_interval)
        self._changed()

    async def aclose(self) -> None:
        self._cancel_timer()
        for task in list(self._tasks):
            task.cancel()
        await self.mirror.aclose()
        await self.client.aclose()

    # ---- what the screen shows ------------------------------------------------------------
    @property
    def hall(self) -> dict | None:
        return self.mirror.hall_info

    @property
    def connected(self) -> bool:
        return self.mirror.connected

    @property
    def clerk_name(self) -> str | None:
        """Who serves at this window, by name once the hub has told it, else by staff number."""
        window = self.mirror.window(self.window_id) or {}
        return window.get("clerk_name") or window.get("clerk_id")

    @property
    def started(self) -> bool:
        return self._started

    def window_label(self) -> str:
        if self.hall:
            for w in self.hall.get("windows", []):
                if w["id"] == self.window_id:
                    name = w["name_en"] if self.lang == "en" else w["name"]
                    if name:
                        return name
        return self.t("window_label", n=self.window_id)

    def score_label(self, score: int) -> str:
        zh, en = RATING_SCORES[score]
        return en if self.lang == "en" else zh

    def service_name(self, service_id: str) -> str:
        for s in (self.hall or {}).get("services", []):
            if s["id"] == service_id:
                return s.get("name_en") or s["name"] if self.lang == "en" else s["name"]
        return service_id

    def reason_choices(self) -> list[tuple[str, str]]:
        """(code, label) of the reasons that fit the chosen score."""
        if self.score is None or not self.options:
            return []
        kind = "bad" if self.score <= BAD_SCORE_MAX else "good"
        return [(r["code"], r["en"] if self.lang == "en" else r["zh"]) for r in self.options["reasons"][kind]]

    # ---- the citizen's taps ---------------------------------------------------------------
    def choose(self, score: int) -> None:
        if self.mode not in (RATING, REASONS) or score not in RATING_SCORES:
            return
        if self.score is None or (self.score <= BAD_SCORE_MAX) != (score <= BAD_SCORE_MAX):
            self.reasons = []
        self.score, self.mode, self.message = score, REASONS, ""
        self._start_countdown()
        self._changed()

    def toggle(self, code: str) -> None:
        if self.mode != REASONS:
            return
        self.reasons = [r for r in self.reasons if r != code] if code in self.reasons else [*self.reasons, code]
        self._start_countdown()  # still choosing: give them the full time again
        self._changed()

    def back(self) -> None:
        if self.mode == REASONS:
            self.mode = RATING
            self._arm(self.rate_seconds, self._give_up)
            self._changed()

    def submit(self) -> asyncio.Task | None:
        if self.mode != REASONS or self.ticket is None or self.score is None:
            return None
        task = asyncio.ensure_future(self._send())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _send(self) -> None:
        self._cancel_timer()
        self.mode, self.message = SENDING, ""
        self._changed()
        ticket = self.ticket
        try:
            await self.client.command(f"/tickets/{ticket['id']}/evaluation", self._request_id, score=self.score,
                                      reasons=self.reasons, comment="")
        except HubUnavailable:
            self.mode, self.message = REASONS, self.t("not_sent")
            self._changed()
            return
        except HubError as e:
            if e.code != "EVALUATION_EXISTS":
                log.warning("evaluation of %s refused: %s", ticket["number"], e)
            self._thank(self.t("already") if e.code == "EVALUATION_EXISTS" else (
                e.message_en if self.lang == "en" else e.message))
            return
        # the reasons too, as the phone's thanks lists them: the citizen sees what was recorded
        labels = dict(self.reason_choices())
        chosen = (", " if self.lang == "en" else "、").join(labels.get(code, code) for code in self.reasons)
        self._thank(self.t("thanks_detail", score=self.score_label(self.score)) + (f" · {chosen}" if chosen else ""))

    # ---- flow -----------------------------------------------------------------------------
    def _begin(self, ticket: dict) -> None:
        self.ticket, self.score, self.reasons, self.message = ticket, None, [], ""
        self._request_id = new_request_id()  # one per ticket: a resend after a failure rates it once
        self.mode = RATING
        self._arm(self.rate_seconds, self._give_up)
        self._changed()

    def _thank(self, message: str) -> None:
        self.mode, self.message = THANKS, message
        self._arm(self.thanks_seconds, self._idle)
        self._changed()

    def _idle(self) -> None:
        self.mode, self.ticket, self.score, self.reasons, self.message = IDLE, None, None, [], ""
        self._cancel_timer()
        self._changed()

    def _give_up(self) -> None:
        self._idle()

    def _start_countdown(self) -> None:
        self._cancel_timer()
        self.countdown = int(self.reasons_seconds)
        self._timer = asyncio.ensure_future(self._tick())

    async def _tick(self) -> None:
        try:
            while self.countdown > 0:
                await asyncio.sleep(min(1.0, self.reasons_seconds))
                self.countdown -= 1
                self._changed()
            self._timer = None
            self.submit()
        except asyncio.CancelledError:
            pass

    def _arm(self, seconds: float, action: Callable[[], None]) -> None:
        self._cancel_timer()

        async def later():
            try:
                await asyncio.sleep(seconds)
            except asyncio.CancelledError:
                return
            self._timer = None
            action()

        self._timer = asyncio.ensure_future(later())

    def _cancel_timer(self) -> None:
        if self._timer is not None and not self._timer.done() and self._timer is not asyncio.current_task():
            self._timer.cancel()
        self._timer = None

    # ---- the hub --------------------------------------------------------------------------
    def _on_mirror(self, item: dict) -> None:
        kind = item["type"]
        ticket = item.get("data", {}).get("ticket") or {}
        if kind == "ticket.finished" and ticket.get("window_id") == self.window_id and not ticket.get("evaluation"):
            self._begin(ticket)
        elif (kind == "ticket.evaluated" and self.ticket and ticket.get("id") == self.ticket["id"]
              and self.mode in (RATING, REASONS)):
            self._thank(self.t("already"))  # rated on the phone meanwhile
        else:
            self._changed()
