"""Group commit: commands decided together on the event loop share one transaction.

Commands are decided one at a time on the server's event loop, which keeps ticket numbers and
seqs gap-free; each decided command is handed to this writer with its numbered events. One
thread commits everything waiting in one transaction (one fsync), so the loop keeps deciding
while the disk works, and 50 kiosks cost about as many fsyncs as one. A lone command is never
held back to fill a batch: if the writer is idle it starts committing at the loop's next turn.

Each command's future is answered only after its own transaction commits. If a commit fails,
its batch and everything decided after it (built on the state that failed to land) fail too.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

log = logging.getLogger("hallq.hub")

# While other commands are still on their way to being decided, the writer lets the loop run this
# many more turns so they join the batch; a command alone is committed at once.
GATHER_TURNS = 20


@dataclass
class Pending:
    """One decided command: its numbered events (hub/store.py `Stored`), the request row to remember,
    the answer to give."""
    events: list
    request: tuple[str, int | None, int, dict] | None = None
    answer: Any = None
    future: asyncio.Future | None = field(default=None, repr=False)


class CommitWriter:
    """Runs `commit(batch, snapshot)` on one thread for all commands decided since the last commit.

    `prepare(batch)` runs on the loop just before a commit (the hall's state is then exactly
    the batch's last seq) and may return a state snapshot to store in the same transaction.
    `committed(batch)` runs on the loop after a commit; `failed(batch)` after a failure."""

    def __init__(self, commit: Callable[[list[Pending], Any], None], *, prepare: Callable[[list[Pending]], Any],
                 committed: Callable[[list[Pending]], None], failed: Callable[[list[Pending]], None]):
        self._commit, self._prepare, self._committed, self._failed = commit, prepare, committed, failed
        self._pending: list[Pending] = []
        self.arriving = 0  # commands received and not yet answered (kept by CommandsInProgress)
        self._task: asyncio.Task | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hallq-writer")

    @property
    def busy(self) -> bool:
        return bool(self._pending) or (self._task is not None and not self._task.done())

    def submit(self, item: Pending) -> asyncio.Future:
        """Queue a decided command; call on the loop. The future resolves to `item.answer` after commit."""
        loop = asyncio.get_running_loop()
        item.future = loop.create_future()
        self._pending.append(item)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())
        return item.future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            for _ in range(GATHER_TURNS):
                if self.arriving <= len(self._pending):
                    break
                await asyncio.sleep(0)
            batch, self._pending = self._pending, []
            try:
                snapshot = self._prepare(batch)
                await loop.run_in_executor(self._thread, self._commit, batch, snapshot)
            except Exception:
                log.exception("commit of %d command(s) failed", len(batch))
                batch, self._pending = batch + self._pending, []
                self._failed(batch)
                continue
            self._committed(batch)

    def close(self) -> None:
        self._thread.shutdown(wait=True)


class CommandsInProgress:
    """ASGI middleware counting the POSTs (commands) in progress, so the writer can tell a lone
    command, committed at once, from a crowd worth gathering into one commit."""

    def __init__(self, app, writer: CommitWriter):
        self.app, self.writer = app, writer

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        self.writer.arriving += 1
        try:
            return await self.app(scope, receive, send)
        finally:
            self.writer.arriving -= 1


__all__ = ["CommandsInProgress", "CommitWriter", "Pending"]
