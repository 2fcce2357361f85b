"""Remembering which events a consumer group has handled, so redeliveries are skipped.

Keys are ``(group, ce_id)``: two services may both handle the same event, each once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pymongo import ASCENDING, IndexModel, WriteConcern
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from fairwind.mongo.errors import duplicate_keys, write_errors


class DedupeStore(Protocol):
    async def seen(self, group: str, event_ids: Collection[str]) -> set[str]:
        """The subset of ``event_ids`` already handled by ``group``."""

    async def remember(self, group: str, event_ids: Collection[str]) -> None:
        """Record ``event_ids`` as handled by ``group``."""


class MemoryDedupeStore:
    """A bounded in-process store: for unit tests and stateless consumers."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._ids: OrderedDict[tuple[str, str], None] = OrderedDict()

    async def seen(self, group: str, event_ids: Collection[str]) -> set[str]:
        return {i for i in event_ids if (group, i) in self._ids}

    async def remember(self, group: str, event_ids: Collection[str]) -> None:
        for event_id in event_ids:
            self._ids[(group, event_id)] = None
            self._ids.move_to_end((group, event_id))
        while len(self._ids) > self._capacity:
            self._ids.popitem(last=False)


class MongoDedupeStore:
    """Handled event ids in a service's own database, expired after ``retention``.

    The ids are written without waiting for the journal (``w=1, j=false``): a poll's record
    of what it handled is the first line against a redelivery, not the only one (every
    handler is idempotent), and waiting for a journal sync after every poll of every
    consumer cost each hop a few milliseconds and mongod a sync per poll. What a mongod
    crash can take with it is the last fraction of a second of these ids; an event
    redelivered in that window as well is handled again, to the same effect."""

    def __init__(
        self, collection: AsyncCollection[Any], retention: timedelta = timedelta(days=7)
    ) -> None:
        self.collection = collection
        self.retention = retention
        self._unjournaled = collection.with_options(write_concern=WriteConcern(w=1, j=False))

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel(
                    [("handled_at", ASCENDING)],
                    expireAfterSeconds=int(self.retention.total_seconds()),
                    name="handled_at_ttl",
                )
            ]
        )

    async def seen(self, group: str, event_ids: Collection[str]) -> set[str]:
        if not event_ids:
            return set()
        keys = [_key(group, i) for i in event_ids]
        found = self.collection.find({"_id": {"$in": keys}}, {"_id": 1})
        return {doc["_id"]["e"] async for doc in found}

    async def remember(self, group: str, event_ids: Collection[str]) -> None:
        if not event_ids:
            return
        now = datetime.now(UTC)
        docs = [{"_id": _key(group, i), "handled_at": now} for i in event_ids]
        try:
            await self._unjournaled.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            if len(duplicate_keys(exc)) < len(write_errors(exc)):
                raise  # something else than ids already remembered


def _key(group: str, event_id: str) -> dict[str, str]:
    return {"g": group, "e": event_id}
