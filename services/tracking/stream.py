"""Live updates for the tracking page: one MongoDB change stream per process, fanned out to
the Server-Sent Events clients of each waybill. Works across replicas: every replica sees
every change."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

log = logging.getLogger(__name__)
Document = dict[str, Any]


class StatusBroadcaster:
    def __init__(self, shipments: AsyncCollection[Document]) -> None:
        self.shipments = shipments
        self._listeners: dict[str, set[asyncio.Queue[Document]]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _watch(self) -> None:
        # Scans replace the shipment document: watch replaces and updates, and let each
        # client skip the states it has already seen.
        pipeline = [{"$match": {"operationType": {"$in": ["update", "replace"]}}}]
        while True:
            try:
                async with await self.shipments.watch(
                    pipeline, full_document="updateLookup"
                ) as changes:
                    self.ready.set()
                    async for change in changes:
                        doc = change.get("fullDocument")
                        if doc is not None:
                            self._publish(doc)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("change stream interrupted; resuming")
                await asyncio.sleep(1)

    def _publish(self, doc: Document) -> None:
        for queue in list(self._listeners.get(doc["_id"], ())):
            if queue.full():
                queue.get_nowait()  # a slow client keeps only the latest states
            queue.put_nowait(doc)

    async def updates(self, waybill: str) -> AsyncIterator[Document]:
        queue: asyncio.Queue[Document] = asyncio.Queue(maxsize=16)
        self._listeners[waybill].add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._listeners[waybill].discard(queue)
            if not self._listeners[waybill]:
                del self._listeners[waybill]
