"""Pickup tasks (``pickup_tasks``, ``_id`` = waybill): which courier of the origin outlet
picks the parcel up, how often it was handed on, and whether it was accepted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument

from fairwind.mongo.repository import Repository

Document = dict[str, Any]
OPEN_TASKS = ("assigned", "accepted")


class PickupTasks(Repository):
    collection_name = "pickup_tasks"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel(
                    [("courier_id", ASCENDING), ("status", ASCENDING), ("pickup_by", ASCENDING)],
                    name="courier_tasks",
                ),
                IndexModel([("outlet", ASCENDING), ("status", ASCENDING)], name="outlet_load"),
                IndexModel([("status", ASCENDING), ("dispatched_at", ASCENDING)], name="overdue"),
            ]
        )

    async def insert(self, tasks: Sequence[Document]) -> None:
        if tasks:
            await self.collection.insert_many(list(tasks), ordered=True, session=self.session)

    async def load(self, couriers: Iterable[str]) -> dict[str, int]:
        """Open tasks per courier (every courier asked is in the answer)."""
        counts = dict.fromkeys(couriers, 0)
        if not counts:
            return counts
        pipeline: list[Document] = [
            {"$match": {"courier_id": {"$in": list(counts)}, "status": {"$in": list(OPEN_TASKS)}}},
            {"$group": {"_id": "$courier_id", "n": {"$sum": 1}}},
        ]
        async for row in await self.collection.aggregate(pipeline, session=self.session):
            counts[row["_id"]] = row["n"]
        return counts

    async def overdue(self, before: datetime, limit: int = 500) -> list[Document]:
        found = self.collection.find(
            {"status": "assigned", "dispatched_at": {"$lt": before}}, session=self.session
        )
        return await found.limit(limit).to_list()

    async def reassign(self, task: Document, courier: str, at: datetime) -> Document | None:
        """Hand the task to ``courier`` if nobody accepted or moved it meanwhile."""
        return await self.collection.find_one_and_update(
            {"_id": task["_id"], "status": "assigned", "attempt": task["attempt"]},
            {
                "$set": {"courier_id": courier, "dispatched_at": at},
                "$inc": {"attempt": 1},
                "$push": {"tried": courier},
            },
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )

    async def accept(self, waybill: str, courier: str, at: datetime) -> Document | None:
        return await self.collection.find_one_and_update(
            {"_id": waybill, "courier_id": courier, "status": {"$in": list(OPEN_TASKS)}},
            {"$set": {"status": "accepted", "accepted_at": at}},
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )

    async def courier_tasks(
        self, courier: str, statuses: list[str], skip: int, limit: int
    ) -> list[Document]:
        found = self.collection.find(
            {"courier_id": courier, "status": {"$in": statuses}}, session=self.session
        )
        found = found.sort([("pickup_by", ASCENDING), ("_id", ASCENDING)])
        return await found.skip(skip).limit(limit).to_list()

    async def cancel(self, waybills: Sequence[str], at: datetime) -> None:
        """Close the open tasks of cancelled orders (a picked-up parcel keeps its task)."""
        await self.collection.update_many(
            {"_id": {"$in": list(waybills)}, "status": {"$in": list(OPEN_TASKS)}},
            {"$set": {"status": "cancelled", "closed_at": at}},
            session=self.session,
        )
