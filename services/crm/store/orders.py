"""Every order crm has seen (``orders``, ``_id`` = waybill): the call-centre history and the
record that makes counting and cancelling idempotent."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne
from pymongo.asynchronous.cursor import AsyncCursor

from fairwind.domain.status import ShipmentStatus
from fairwind.mongo.repository import Repository

Document = dict[str, Any]
CANCELLED = ShipmentStatus.CANCELLED.value


class OrderHistory(Repository):
    collection_name = "orders"

    async def create_indexes(self) -> None:
        # The call-centre history sorts by (created_at, _id): both must be in the index, or
        # every lookup fetches and sorts all of a customer's orders in memory.
        await self.collection.create_indexes(
            [
                IndexModel(
                    [("customer_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                    name="customer_recent",
                )
            ]
        )

    async def insert(self, docs: Sequence[Document]) -> None:
        if docs:
            await self.collection.insert_many(list(docs), ordered=True, session=self.session)

    async def cancel(self, waybill: str, at: datetime) -> Document | None:
        """Mark the order cancelled; the document as it was before, or None if unknown."""
        return await self.collection.find_one_and_update(
            {"_id": waybill},
            {"$set": {"status": CANCELLED, "status_at": at, "cancelled_at": at}},
            session=self.session,
        )

    async def follow(self, changes: Sequence[tuple[str, str, datetime]]) -> int:
        """Apply ``(waybill, status, at)`` changes in order, each only if it is not older
        than the status held and the order is not cancelled. How many applied."""
        updates = [
            UpdateOne(
                {"_id": waybill, "status": {"$ne": CANCELLED}, "status_at": {"$not": {"$gt": at}}},
                {"$set": {"status": status, "status_at": at}},
            )
            for waybill, status, at in changes
        ]
        if not updates:
            return 0
        result = await self.collection.bulk_write(updates, ordered=True, session=self.session)
        return result.matched_count

    def recent_cursor(self, customer_id: str, limit: int) -> AsyncCursor[Document]:
        return (
            self.collection.find({"customer_id": customer_id}, session=self.session)
            .sort([("created_at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )

    async def recent(self, customer_id: str, limit: int) -> list[Document]:
        return await self.recent_cursor(customer_id, limit).to_list()

    async def customers_of(self, waybills: Collection[str]) -> dict[str, str]:
        """``{waybill: customer_id}`` of the known ones among ``waybills`` (one query)."""
        if not waybills:
            return {}
        found = self.collection.find(
            {"_id": {"$in": list(waybills)}}, {"customer_id": 1}, session=self.session
        )
        return {doc["_id"]: doc["customer_id"] async for doc in found if doc.get("customer_id")}

    async def level_counts(self, customer_id: str, since: datetime) -> dict[str, int]:
        """Orders per service level placed from ``since`` on, cancelled ones left out."""
        pipeline: list[Document] = [
            {
                "$match": {
                    "customer_id": customer_id,
                    "created_at": {"$gte": since},
                    "status": {"$ne": CANCELLED},
                }
            },
            {"$group": {"_id": "$service_level", "n": {"$sum": 1}}},
        ]
        counts: dict[str, int] = {}
        async for row in await self.collection.aggregate(pipeline, session=self.session):
            level = row["_id"] or "unspecified"  # no level, or an empty one
            counts[level] = counts.get(level, 0) + row["n"]
        return counts
