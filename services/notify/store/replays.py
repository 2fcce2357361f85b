"""Replay jobs (``replays``): a partner asked for every event of an endpoint's types from
``since`` to ``until`` again. ``pending`` until the replay worker takes one (``running``),
then ``done`` with how many deliveries it made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument

from fairwind.mongo.repository import Repository

Document = dict[str, Any]


class Replays(Repository):
    collection_name = "replays"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [IndexModel([("status", ASCENDING), ("created_at", ASCENDING)], name="pending")]
        )

    async def insert(self, job: Document) -> None:
        await self.collection.insert_one(job, session=self.session)

    async def get(self, job_id: str, endpoint_id: str) -> Document | None:
        found: Document | None = await self.collection.find_one(
            {"_id": job_id, "endpoint_id": endpoint_id}, session=self.session
        )
        return found

    async def take(self, now: datetime, stale_before: datetime) -> Document | None:
        """The oldest pending job, or one whose worker stopped answering, now running."""
        found: Document | None = await self.collection.find_one_and_update(
            {
                "$or": [
                    {"status": "pending"},
                    {"status": "running", "started_at": {"$lte": stale_before}},
                ]
            },
            {"$set": {"status": "running", "started_at": now}},
            sort=[("created_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )
        return found

    async def progress(self, job_id: str, made: int, now: datetime) -> None:
        await self.collection.update_one(
            {"_id": job_id}, {"$set": {"made": made, "started_at": now}}, session=self.session
        )

    async def finish(self, job_id: str, made: int, now: datetime, error: str = "") -> None:
        status = "failed" if error else "done"
        await self.collection.update_one(
            {"_id": job_id},
            {"$set": {"status": status, "made": made, "finished_at": now, "error": error}},
            session=self.session,
        )
