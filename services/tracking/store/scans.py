"""One document per scan (``scans``, ``_id`` = the device's scan id): the timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, IndexModel

from fairwind.mongo.repository import Repository

Document = dict[str, Any]
TIMELINE_LIMIT = 500


class Scans(Repository):
    collection_name = "scans"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [IndexModel([("waybill", ASCENDING), ("device_time", ASCENDING)], name="timeline")]
        )

    async def get(self, scan_id: str) -> Document | None:
        return await self.collection.find_one({"_id": scan_id}, session=self.session)

    async def insert(self, scans: Sequence[Document]) -> None:
        if scans:
            await self.collection.insert_many(list(scans), session=self.session)

    async def timeline(self, waybill: str, limit: int = TIMELINE_LIMIT) -> list[Document]:
        found = self.collection.find({"waybill": waybill}, session=self.session)
        return await found.sort("device_time", ASCENDING).limit(limit).to_list()
