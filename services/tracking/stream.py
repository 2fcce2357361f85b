"""Live updates for the tracking page: one MongoDB change stream per process, fanned out to
the Server-Sent Events clients of each waybill. Works across replicas: every replica sees
every change.

The stream runs only while someone listens, and carries shipment ids only: the shipments
a client follows are read when they change. So a process with no live page open does no
work for them, and the server looks up no whole documents for the writes nobody watches
(every scan and route would otherwise cost one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from services.tracking.store import Shipments

log = logging.getLogger(__name__)
Document = dict[str, Any]
Listener = asyncio.Queue[Document]


class StatusBroadcaster:
    def __init__(self, shipments: Shipments) -> None:
        self.shipments = shipments
        self._listeners: dict[str, set[Listener]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self._open = asyncio.Event()  # the current watch has its change stream open

    @property
    def watching(self) -> bool:
        """Whether the change stream runs (only while someone listens)."""
        return self._task is not None

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @contextlib.asynccontextmanager
    async def listen(self, waybill: str) -> AsyncIterator[AsyncIterator[Document]]:
        """The shipment's states from now on: first as it is once the change stream is open
        (so a change made before that is not missed), then at every change."""
        queue: Listener = asyncio.Queue(maxsize=16)
        self._listeners[waybill].add(queue)
        try:
            if self._task is None or self._task.done():
                self._open = asyncio.Event()
                self._task = asyncio.create_task(self._watch(self._open))
            await self._open.wait()
            await self._publish(waybill)
            yield _updates(queue)
        finally:
            self._listeners[waybill].discard(queue)
            if not self._listeners[waybill]:
                del self._listeners[waybill]
            if not self._listeners and self._task is not None:
                self._task.cancel()  # nobody listens: no stream
                self._task = None

    async def _watch(self, opened: asyncio.Event) -> None:
        while True:
            try:
                async with await self.shipments.changes() as changes:
                    opened.set()
                    async for change in changes:
                        await self._publish(change["documentKey"]["_id"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("change stream interrupted; resuming")
                await asyncio.sleep(1)

    async def _publish(self, waybill: str) -> None:
        if waybill not in self._listeners:
            return
        doc = await self.shipments.get(waybill)
        if doc is None:
            return
        for queue in list(self._listeners.get(waybill, ())):
            if queue.full():
                queue.get_nowait()  # a slow client keeps only the latest states
            queue.put_nowait(doc)


async def _updates(queue: Listener) -> AsyncIterator[Document]:
    while True:
        yield await queue.get()
