"""Account managers (``managers``, ``_id`` = staff id): name, email, phone, active,
capacity (the most accounts they take, None for no limit), created_at, updated_at."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.errors import DuplicateKeyError

from fairwind.mongo.repository import Repository

Document = dict[str, Any]
FIELDS = ("name", "email", "phone", "capacity", "active")


class Managers(Repository):
    collection_name = "managers"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes([IndexModel([("active", ASCENDING)], name="active")])

    async def get(self, manager_id: str) -> Document | None:
        return await self.collection.find_one({"_id": manager_id}, session=self.session)

    async def many(self, manager_ids: Collection[str]) -> dict[str, Document]:
        if not manager_ids:
            return {}
        found = self.collection.find({"_id": {"$in": list(manager_ids)}}, session=self.session)
        return {doc["_id"]: doc async for doc in found}

    async def listing(self, active: bool | None = None) -> list[Document]:
        query: Document = {} if active is None else {"active": active}
        found = self.collection.find(query, session=self.session).sort([("_id", ASCENDING)])
        return await found.to_list()

    async def create(self, manager: Document, now: datetime) -> bool:
        """Insert a new manager; False if the id is taken."""
        doc = {**manager, "created_at": now, "updated_at": now}
        try:
            await self.collection.insert_one(doc, session=self.session)
        except DuplicateKeyError:
            return False
        return True

    async def update(self, manager_id: str, changes: Document, now: datetime) -> Document | None:
        """Set ``changes``; the manager as it is now, or None if unknown."""
        return await self.collection.find_one_and_update(
            {"_id": manager_id},
            {"$set": {**changes, "updated_at": now}},
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )

    async def upsert(self, managers: Sequence[Document], now: datetime) -> None:
        """Every field of each manager replaced; created_at kept from the first time."""
        updates = [
            UpdateOne(
                {"_id": m["_id"]},
                {
                    "$set": {name: m[name] for name in FIELDS} | {"updated_at": now},
                    "$setOnInsert": {"created_at": now},
                },
                upsert=True,
            )
            for m in managers
        ]
        if updates:
            await self.collection.bulk_write(updates, ordered=False, session=self.session)
