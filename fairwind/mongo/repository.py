"""The base of every service's repositories: one collection, optionally bound to a unit of
work's session (``fairwind.mongo.uow``), so the same class serves reads outside any
transaction and writes inside one."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]


class Repository:
    collection_name: ClassVar[str]

    def __init__(
        self, db: AsyncDatabase[Document], session: AsyncClientSession | None = None
    ) -> None:
        self.collection = db[self.collection_name]
        self.session = session

    async def known(self, ids: Collection[str]) -> set[str]:
        """Which of ``ids`` are stored: one query for a whole batch, ids only."""
        if not ids:
            return set()
        found = self.collection.find({"_id": {"$in": list(ids)}}, {"_id": 1}, session=self.session)
        return {doc["_id"] async for doc in found}
