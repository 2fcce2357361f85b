"""Idempotency records of batch imports (``idempotency``, ``_id`` = partner and key): the
stored answer, replayed for the same key, kept ``retention`` (TTL index). A single create
keeps its key in its order instead (``Orders``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from fairwind.mongo.repository import Repository
from services.orders.store.errors import IdempotencyRace

Document = dict[str, Any]


class IdempotencyRecords(Repository):
    collection_name = "idempotency"

    async def create_indexes(self, retention: timedelta) -> None:
        await self.collection.create_indexes(
            [
                IndexModel(
                    [("created_at", ASCENDING)],
                    name="ttl",
                    expireAfterSeconds=int(retention.total_seconds()),
                ),
            ]
        )

    async def replayable(self, partner_id: str, key: str) -> Document | None:
        return await self.collection.find_one(
            {"_id": {"p": partner_id, "k": key}}, session=self.session
        )

    async def insert(self, record: Document) -> None:
        """Raises IdempotencyRace if a request with the same key stored its record first."""
        try:
            await self.collection.insert_one(record, session=self.session)
        except DuplicateKeyError as exc:
            raise IdempotencyRace from exc
