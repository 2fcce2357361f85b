"""The routing database: one document per waybill with its route versions, one pickup task
per waybill for the couriers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]
OPEN_TASKS = ("assigned", "accepted")


class RouteStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.routes = db["routes"]
        self.tasks = db["pickup_tasks"]

    async def create_indexes(self) -> None:
        await self.tasks.create_indexes(
            [
                IndexModel(
                    [("courier_id", ASCENDING), ("status", ASCENDING), ("pickup_by", ASCENDING)],
                    name="courier_tasks",
                ),
                IndexModel([("outlet", ASCENDING), ("status", ASCENDING)], name="outlet_load"),
                IndexModel([("status", ASCENDING), ("dispatched_at", ASCENDING)], name="overdue"),
            ]
        )

    async def get(self, waybill: str) -> Document | None:
        return await self.routes.find_one({"_id": waybill})

    async def insert(
        self, session: AsyncClientSession, route: Document, task: Document | None
    ) -> None:
        await self.routes.insert_one(route, session=session)
        if task is not None:
            await self.tasks.insert_one(task, session=session)

    async def add_version(
        self, session: AsyncClientSession, waybill: str, expected: int, version: Document
    ) -> bool:
        """Append a route version if the current one is still ``expected`` (no lost update)."""
        result = await self.routes.update_one(
            {"_id": waybill, "current": expected},
            {"$push": {"versions": version}, "$set": {"current": version["version"]}},
            session=session,
        )
        return result.modified_count == 1

    async def cancel(self, waybill: str, at: datetime) -> None:
        await self.routes.update_one({"_id": waybill}, {"$set": {"cancelled_at": at}})
        await self.tasks.update_one(
            {"_id": waybill, "status": {"$in": list(OPEN_TASKS)}},
            {"$set": {"status": "cancelled", "closed_at": at}},
        )

    async def load(self, couriers: list[str]) -> dict[str, int]:
        """Open tasks per courier."""
        counts = dict.fromkeys(couriers, 0)
        pipeline: list[Document] = [
            {"$match": {"courier_id": {"$in": couriers}, "status": {"$in": list(OPEN_TASKS)}}},
            {"$group": {"_id": "$courier_id", "n": {"$sum": 1}}},
        ]
        async for row in await self.tasks.aggregate(pipeline):
            counts[row["_id"]] = row["n"]
        return counts

    async def overdue(self, before: datetime, limit: int = 500) -> list[Document]:
        found = self.tasks.find({"status": "assigned", "dispatched_at": {"$lt": before}})
        return await found.limit(limit).to_list()

    async def reassign(
        self, session: AsyncClientSession, task: Document, courier: str, at: datetime
    ) -> Document | None:
        return await self.tasks.find_one_and_update(
            {"_id": task["_id"], "status": "assigned", "attempt": task["attempt"]},
            {
                "$set": {"courier_id": courier, "dispatched_at": at},
                "$inc": {"attempt": 1},
                "$push": {"tried": courier},
            },
            return_document=ReturnDocument.AFTER,
            session=session,
        )

    async def accept(self, waybill: str, courier: str, at: datetime) -> Document | None:
        return await self.tasks.find_one_and_update(
            {"_id": waybill, "courier_id": courier, "status": {"$in": list(OPEN_TASKS)}},
            {"$set": {"status": "accepted", "accepted_at": at}},
            return_document=ReturnDocument.AFTER,
        )

    async def courier_tasks(
        self, courier: str, statuses: list[str], skip: int, limit: int
    ) -> list[Document]:
        found = self.tasks.find({"courier_id": courier, "status": {"$in": statuses}})
        found = found.sort([("pickup_by", ASCENDING), ("_id", ASCENDING)])
        return await found.skip(skip).limit(limit).to_list()
