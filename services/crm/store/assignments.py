"""The account-manager fields of the customer archive (collection ``customers``).

``account_manager_id`` (staff id or null), ``account_manager_name`` (the manager's name,
copied so that a profile needs no second read; a re-rank repairs it if it went stale),
``manager_pinned`` (set by hand: the automatic assignment keeps it) and ``last_visit_at``.
A class of its own beside ``Customers`` (same documents), so each stays small.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne

from fairwind.mongo.repository import Repository

Document = dict[str, Any]
KEY_TIER = "Q1"
MANAGED = {"account_manager_id": {"$type": "string"}}
STATE = {"account_manager_id": 1, "manager_pinned": 1, "account_manager_name": 1}


@dataclass(frozen=True, slots=True)
class Reassignment:
    """Move a customer from the manager and pin seen to new ones, if still as seen."""

    customer_id: str
    seen_manager: str | None
    seen_pinned: bool
    manager_id: str | None
    manager_name: str
    pinned: bool


class Assignments(Repository):
    collection_name = "customers"

    async def create_indexes(self) -> None:
        # A manager's portfolio, biggest first; also finds every managed customer.
        await self.collection.create_indexes(
            [
                IndexModel(
                    [("account_manager_id", ASCENDING), ("revenue_90d_fen", DESCENDING)],
                    name="account_manager",
                )
            ]
        )

    def managed(self) -> AsyncIterator[Document]:
        """Every customer that has a manager: its manager, pin and copied name."""
        return self.collection.find(MANAGED, STATE, session=self.session)

    async def states(self, customer_ids: Collection[str]) -> dict[str, Document]:
        if not customer_ids:
            return {}
        found = self.collection.find(
            {"_id": {"$in": list(customer_ids)}}, STATE, session=self.session
        )
        return {doc["_id"]: doc async for doc in found}

    async def reassign(self, moves: Sequence[Reassignment]) -> int:
        """Apply each move only if the customer still has the manager and pin it was seen
        with (a hand-made change since wins); how many applied."""
        updates = [
            UpdateOne(
                {
                    "_id": m.customer_id,
                    "account_manager_id": m.seen_manager,
                    "manager_pinned": True if m.seen_pinned else {"$ne": True},
                },
                {
                    "$set": {
                        "account_manager_id": m.manager_id,
                        "account_manager_name": m.manager_name,
                        "manager_pinned": m.pinned,
                    }
                },
            )
            for m in moves
        ]
        if not updates:
            return 0
        result = await self.collection.bulk_write(updates, ordered=False, session=self.session)
        return result.modified_count

    async def set_manager(
        self, customer_id: str, manager_id: str | None, name: str, pinned: bool, now: datetime
    ) -> Document | None:
        """Set (or with None clear) a customer's manager by hand; the customer before, or
        None if unknown."""
        return await self.collection.find_one_and_update(
            {"_id": customer_id},
            {
                "$set": {
                    "account_manager_id": manager_id,
                    "account_manager_name": name,
                    "manager_pinned": pinned,
                    "updated_at": now,
                }
            },
            projection=STATE,
            session=self.session,
        )

    async def rename(self, manager_id: str, name: str) -> None:
        await self.collection.update_many(
            {"account_manager_id": manager_id},
            {"$set": {"account_manager_name": name}},
            session=self.session,
        )

    async def record_visit(self, customer_id: str, at: datetime) -> None:
        """The last visit moves forward only: a visit logged late does not move it back."""
        await self.collection.update_one(
            {"_id": customer_id}, {"$max": {"last_visit_at": at}}, session=self.session
        )

    async def key_accounts(self, manager_id: str | None = None) -> list[Document]:
        """Key accounts (of one manager, or all), with what the due list shows."""
        query: Document = {"tier": KEY_TIER}
        if manager_id is not None:
            query["account_manager_id"] = manager_id
        projection = {
            "name": 1,
            "company": 1,
            "revenue_90d_fen": 1,
            "last_visit_at": 1,
            "account_manager_id": 1,
            "account_manager_name": 1,
        }
        return await self.collection.find(query, projection, session=self.session).to_list()

    async def portfolio(self, manager_id: str) -> list[Document]:
        found = self.collection.find({"account_manager_id": manager_id}, session=self.session)
        return await found.sort([("revenue_90d_fen", DESCENDING), ("_id", ASCENDING)]).to_list()

    async def loads(self, manager_ids: Collection[str] | None = None) -> dict[str, Document]:
        """Per manager: accounts held and their revenue of the last re-rank (fen)."""
        match: Document = dict(MANAGED)
        if manager_ids is not None:
            match = {"account_manager_id": {"$in": list(manager_ids)}}
        pipeline: list[Document] = [
            {"$match": match},
            {
                "$group": {
                    "_id": "$account_manager_id",
                    "accounts": {"$sum": 1},
                    "revenue_fen": {"$sum": {"$ifNull": ["$revenue_90d_fen", 0]}},
                }
            },
        ]
        cursor = await self.collection.aggregate(pipeline, session=self.session)
        return {doc["_id"]: doc async for doc in cursor}
