"""Events read before their order (``early_events``, ``_id`` = the event's ce_id): topics
are read independently, so after a stop the tracking topic may be read ahead of the orders
topic. An early event waits here for its order, then is planned as if it came after it;
one whose order never comes is dropped after ``KEEP`` (a TTL index)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel

from fairwind.mongo.repository import Repository

Document = dict[str, Any]
KEEP = timedelta(days=7)


class EarlyEvents(Repository):
    collection_name = "early_events"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel([("waybill", ASCENDING)], name="waybill"),
                IndexModel(
                    [("parked_at", ASCENDING)],
                    name="ttl",
                    expireAfterSeconds=int(KEEP.total_seconds()),
                ),
            ]
        )

    async def park(self, docs: Sequence[Document]) -> None:
        known = await self.known([doc["_id"] for doc in docs])
        fresh = [doc for doc in docs if doc["_id"] not in known]
        if fresh:
            await self.collection.insert_many(fresh, session=self.session)

    async def of(self, waybills: Collection[str]) -> list[Document]:
        if not waybills:
            return []
        found = self.collection.find({"waybill": {"$in": list(waybills)}}, session=self.session)
        return await found.sort("parked_at", ASCENDING).to_list()

    async def oldest(self, limit: int) -> list[Document]:
        found = self.collection.find({}, session=self.session).sort("parked_at", ASCENDING)
        return await found.limit(limit).to_list()

    async def forget(self, ids: Collection[str]) -> None:
        if ids:
            await self.collection.delete_many({"_id": {"$in": list(ids)}}, session=self.session)
