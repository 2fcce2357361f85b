"""Waybill serials (``counters``, ``_id`` = ``waybill``): blocks reserved by one atomic
increment, so processes never hand out the same number."""

from __future__ import annotations

from pymongo import ReturnDocument

from fairwind.mongo.repository import Repository


class Serials(Repository):
    collection_name = "counters"

    async def reserve(self, count: int) -> range:
        doc = await self.collection.find_one_and_update(
            {"_id": "waybill"},
            {"$inc": {"value": count}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )
        assert doc is not None
        return range(doc["value"] - count + 1, doc["value"] + 1)
