"""Every tier change of a re-rank (``tier_history``): customer, from (None for a first
tier), to, business time and the new rank; written in the re-rank chunk's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from fairwind.mongo.repository import Repository
from services.crm.domain.classification import TierChange

Document = dict[str, Any]


class TierHistory(Repository):
    collection_name = "tier_history"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel([("at", ASCENDING)], name="at"),
                IndexModel([("customer_id", ASCENDING), ("at", ASCENDING)], name="customer"),
            ]
        )

    async def record(self, changes: Sequence[TierChange], now: datetime) -> None:
        docs = [
            {
                "customer_id": c.ranked.customer_id,
                "from": c.previous,
                "to": c.ranked.tier,
                "at": now,
                "rank": c.ranked.rank,
            }
            for c in changes
        ]
        if docs:
            await self.collection.insert_many(docs, ordered=False, session=self.session)

    async def counts(self, since: datetime, by_week: bool) -> list[Document]:
        """Changes since ``since`` counted per UTC day (or week from Monday), from and to."""
        unit: Document = {"unit": "week", "startOfWeek": "monday"} if by_week else {"unit": "day"}
        pipeline: list[Document] = [
            {"$match": {"at": {"$gte": since}}},
            {
                "$group": {
                    "_id": {
                        "period": {"$dateTrunc": {"date": "$at", "timezone": "UTC", **unit}},
                        "from": "$from",
                        "to": "$to",
                    },
                    "count": {"$sum": 1},
                }
            },
        ]
        cursor = await self.collection.aggregate(pipeline, session=self.session)
        return [{**d["_id"], "count": d["count"]} async for d in cursor]

    async def of_customer(self, customer_id: str, limit: int = 50) -> list[Document]:
        """A customer's tier changes, most recent first."""
        found = self.collection.find({"customer_id": customer_id}, session=self.session)
        return await found.sort([("at", -1), ("_id", -1)]).limit(limit).to_list()
