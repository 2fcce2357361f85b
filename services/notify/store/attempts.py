"""Every webhook attempt (``webhook_attempts``): when, the status code or the error, and the
round trip, for the partner's delivery log. Kept 30 days (a TTL index)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import DESCENDING, IndexModel

from fairwind.mongo.repository import Repository

Document = dict[str, Any]
KEPT_S = 30 * 24 * 3600


class Attempts(Repository):
    collection_name = "webhook_attempts"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel([("endpoint_id", DESCENDING), ("at", DESCENDING)], name="endpoint"),
                IndexModel([("logged_at", DESCENDING)], name="kept", expireAfterSeconds=KEPT_S),
            ]
        )

    async def insert(self, docs: Sequence[Document]) -> None:
        if docs:
            await self.collection.insert_many(list(docs), ordered=False, session=self.session)

    async def of_endpoint(
        self, endpoint_id: str, limit: int, before: datetime | None = None
    ) -> list[Document]:
        """The newest attempts first, ``limit`` of them, older than ``before`` if given."""
        query: Document = {"endpoint_id": endpoint_id}
        if before is not None:
            query["at"] = {"$lt": before}
        found = self.collection.find(query, {"_id": 0}, session=self.session)
        return await found.sort("at", DESCENDING).limit(limit).to_list()
