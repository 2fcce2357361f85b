"""Transactional outbox: an aggregate write and its events are stored in one transaction.

A service writes its document and its events in one unit of work (``fairwind.mongo.uow``),
which calls ``outbox.add(events, session)`` before it commits; either both are stored or
neither. ``OutboxRelay`` (relay.py) then
publishes the stored records in order and marks them published.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bson import ObjectId
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.events.codec import EncodedEvent

T = TypeVar("T")
Document = dict[str, Any]
_RECORD_FIELDS = dict.fromkeys(("topic", "key", "value", "headers", "event_id", "event_type"), 1)


class Outbox:
    """The ``outbox`` collection of one service's database."""

    def __init__(
        self,
        db: AsyncDatabase[Document],
        collection: str = "outbox",
        retention: timedelta = timedelta(days=3),
    ) -> None:
        self.records = db[collection]
        self.state = db[f"{collection}_relay"]
        self.retention = retention
        self._wakeup = asyncio.Event()

    async def create_indexes(self) -> None:
        await self.records.create_indexes(
            [
                IndexModel([("published_at", ASCENDING), ("_id", ASCENDING)], name="pending"),
                IndexModel([("event_id", ASCENDING)], unique=True, name="event_id"),
                # Published records are kept a while for audit, then expire (nulls never do).
                IndexModel(
                    [("published_at", ASCENDING)],
                    expireAfterSeconds=int(self.retention.total_seconds()),
                    name="published_ttl",
                    partialFilterExpression={"published_at": {"$type": "date"}},
                ),
            ]
        )

    async def add(self, events: Sequence[EncodedEvent], session: AsyncClientSession) -> None:
        """Store events inside the caller's transaction; the relay is woken after commit."""
        if not events:
            return
        now = datetime.now(UTC)
        await self.records.insert_many(
            [_to_document(event, now) for event in events], session=session
        )

    def notify(self) -> None:
        """Tell an in-process relay there is something new (it also polls)."""
        self._wakeup.set()

    async def wait_for_records(self, timeout_s: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout_s)
        self._wakeup.clear()

    async def pending(self, limit: int) -> list[Document]:
        cursor = self.records.find({"published_at": None}).sort("_id", ASCENDING).limit(limit)
        return await cursor.to_list()

    async def pending_records(
        self, limit: int, exclude: Sequence[ObjectId] = ()
    ) -> tuple[list[ObjectId], list[EncodedEvent]]:
        """The oldest unpublished records but ``exclude`` (a batch already being sent): their
        ids and the records as the broker takes them. Only those fields are read."""
        query: Document = {"published_at": None}
        if exclude:
            query["_id"] = {"$nin": list(exclude)}
        cursor = self.records.find(query, _RECORD_FIELDS).sort("_id", ASCENDING).limit(limit)
        docs = await cursor.to_list()
        # pymongo already gives bytes for BSON binary; the producer's batch builder wants the
        # header pairs as tuples. No other copy per record.
        make = EncodedEvent._make
        return [d["_id"] for d in docs], [
            make(
                (
                    d["topic"],
                    d["key"],
                    d["value"],
                    list(map(tuple, d["headers"])),
                    d["event_id"],
                    d["event_type"],
                )
            )
            for d in docs
        ]

    async def mark_published(self, ids: Sequence[ObjectId]) -> None:
        """One update for a whole batch; a record already marked (by recovery) stays as is."""
        await self.records.update_many(
            {"_id": {"$in": list(ids)}, "published_at": None},
            {"$set": {"published_at": datetime.now(UTC)}},
        )

    async def backlog(self) -> int:
        return await self.records.count_documents({"published_at": None})


def _to_document(event: EncodedEvent, now: datetime) -> Document:
    return {
        "_id": ObjectId(),
        "event_id": event.event_id,
        "event_type": event.event_type,
        "topic": event.topic,
        # bytes are stored as BSON binary as they are (and read back as bytes)
        "key": event.key,
        "value": event.value,
        "headers": event.headers,
        "created_at": now,
        "published_at": None,
    }


def from_document(doc: Document) -> EncodedEvent:
    return EncodedEvent(
        topic=doc["topic"],
        key=bytes(doc["key"]) if doc["key"] is not None else None,
        value=bytes(doc["value"]),
        headers=[(name, bytes(value)) for name, value in doc["headers"]],
        event_id=doc["event_id"],
        event_type=doc["event_type"],
    )
