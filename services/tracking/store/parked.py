"""What came before its order (``early_events``): scans, routes, dispatches and
cancellations, kept until the order is in; and what waited in vain or could not be applied
(``early_unmatched``), kept with its reason. ``_id``: the event id, or ``scan:`` and the
scan id, so the same item parked twice is kept once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, UpdateOne

from fairwind.mongo.repository import Repository

Document = dict[str, Any]
NO_ORDER = "no_order"  # the unmatched reason of an item whose order did not come in time


class _Items(Repository):
    """What both collections do: items by id, in the order they were parked."""

    async def get(self, parked_id: str) -> Document | None:
        return await self.collection.find_one({"_id": parked_id}, session=self.session)

    async def forget(self, parked_ids: Collection[str]) -> int:
        """Delete items (once applied or moved); how many were still there."""
        if not parked_ids:
            return 0
        result = await self.collection.delete_many(
            {"_id": {"$in": list(parked_ids)}}, session=self.session
        )
        return result.deleted_count

    async def _in_parked_order(self, query: Document, limit: int = 0) -> list[Document]:
        found = self.collection.find(query, session=self.session).sort("parked_at", ASCENDING)
        return await found.limit(limit).to_list()


class Parked(_Items):
    collection_name = "early_events"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel([("waybill", ASCENDING)], name="waybill"),
                IndexModel([("parked_at", ASCENDING)], name="parked_at"),
            ]
        )

    async def park(self, docs: Sequence[Document], at: datetime) -> int:
        """Keep each item unless it is kept already; how many were new."""
        if not docs:
            return 0
        result = await self.collection.bulk_write(
            [
                UpdateOne({"_id": d["_id"]}, {"$setOnInsert": d | {"parked_at": at}}, upsert=True)
                for d in docs
            ],
            ordered=False,
            session=self.session,
        )
        return result.upserted_count

    async def waiting(self, waybills: Collection[str]) -> list[Document]:
        """What waits for these waybills, in the order it was parked."""
        return await self._in_parked_order({"waybill": {"$in": list(waybills)}})

    async def due(self, cutoff: datetime, limit: int) -> list[Document]:
        """The oldest items parked at or before ``cutoff``."""
        return await self._in_parked_order({"parked_at": {"$lte": cutoff}}, limit)

    async def count(self) -> int:
        return await self.collection.estimated_document_count()


class Unmatched(_Items):
    collection_name = "early_unmatched"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes([IndexModel([("waybill", ASCENDING)], name="waybill")])

    async def keep(self, doc: Document) -> None:
        await self.collection.replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self.session
        )

    async def waiting(self, waybills: Collection[str]) -> list[Document]:
        """What gave up waiting for these waybills (``no_order``), in the order it was
        parked: it is still applied if the order comes."""
        return await self._in_parked_order({"waybill": {"$in": list(waybills)}, "reason": NO_ORDER})
