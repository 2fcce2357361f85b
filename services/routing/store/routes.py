"""Routes (``routes``, ``_id`` = waybill): the versions of a waybill's plan, newest last,
or the marker of an order that cannot be routed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo.errors import BulkWriteError

from fairwind.mongo.errors import duplicate_keys
from fairwind.mongo.repository import Repository

Document = dict[str, Any]


class AlreadyPlanned(Exception):
    """A waybill of the write is stored already: PlanRoute or another delivery of the same
    order was first. Nothing of the write is kept (it aborts its transaction)."""


class Routes(Repository):
    collection_name = "routes"

    async def get(self, waybill: str) -> Document | None:
        return await self.collection.find_one({"_id": waybill}, session=self.session)

    async def insert(self, docs: Sequence[Document]) -> None:
        """New routes and unroutable markers; raises AlreadyPlanned on a known waybill."""
        if not docs:
            return
        try:
            await self.collection.insert_many(list(docs), ordered=True, session=self.session)
        except BulkWriteError as exc:
            if duplicates := duplicate_keys(exc):
                raise AlreadyPlanned(str(duplicates[0].get("errmsg", ""))) from exc
            raise

    async def add_version(self, waybill: str, expected: int, version: Document) -> bool:
        """Append a route version if the current one is still ``expected`` (no lost update)."""
        result = await self.collection.update_one(
            {"_id": waybill, "current": expected},
            {"$push": {"versions": version}, "$set": {"current": version["version"]}},
            session=self.session,
        )
        return result.modified_count == 1

    async def cancel(self, waybills: Sequence[str], at: datetime) -> None:
        await self.collection.update_many(
            {"_id": {"$in": list(waybills)}}, {"$set": {"cancelled_at": at}}, session=self.session
        )
