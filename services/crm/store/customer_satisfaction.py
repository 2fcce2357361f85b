"""What the satisfaction part reads and writes of the customer archive (``customers``): the
``satisfaction`` field ({score_90d, answers_90d, changes_at, refreshed_at}) and the
per-tier revenue of the last re-rank. The rest of the document is ``Customers``'s."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, UpdateOne

from fairwind.mongo.repository import Repository
from services.crm.domain.reports import TierRevenue
from services.crm.domain.satisfaction import Standing

Document = dict[str, Any]


class CustomerSatisfaction(Repository):
    collection_name = "customers"

    async def create_indexes(self) -> None:
        # Only customers whose figure will age out are in it: the refresher's work list.
        await self.collection.create_indexes(
            [
                IndexModel(
                    [("satisfaction.changes_at", ASCENDING)],
                    name="satisfaction_changes",
                    partialFilterExpression={"satisfaction.changes_at": {"$type": "date"}},
                )
            ]
        )

    async def keep(self, standings: Mapping[str, Standing], now: datetime) -> None:
        """Store each customer's figure; customers not in the archive are not created."""
        updates = [
            UpdateOne(
                {"_id": customer_id},
                {
                    "$set": {
                        "satisfaction": {
                            "score_90d": s.score_90d,
                            "answers_90d": s.answers_90d,
                            "changes_at": s.changes_at,
                            "refreshed_at": now,
                        }
                    }
                },
            )
            for customer_id, s in standings.items()
        ]
        if updates:
            await self.collection.bulk_write(updates, ordered=False, session=self.session)

    async def aging(self, now: datetime, limit: int) -> list[str]:
        """Customers whose figure has an answer that left the window by ``now``."""
        found = self.collection.find(
            {"satisfaction.changes_at": {"$lte": now}}, {"_id": 1}, session=self.session
        )
        return [d["_id"] async for d in found.sort("satisfaction.changes_at", 1).limit(limit)]

    async def revenue_by_tier(self) -> tuple[dict[str, TierRevenue], datetime | None]:
        """Ranked customers and their 90-day revenue per tier, as of the last re-rank, and
        when that was."""
        pipeline: list[Document] = [
            {"$match": {"revenue_rank": {"$gte": 1}}},
            {
                "$group": {
                    "_id": "$tier",
                    "customers": {"$sum": 1},
                    "revenue_fen": {"$sum": "$revenue_90d_fen"},
                    "ranked_at": {"$max": "$ranked_at"},
                }
            },
        ]
        cursor = await self.collection.aggregate(pipeline, session=self.session)
        rows = [d async for d in cursor]
        stamps = [d["ranked_at"] for d in rows if d.get("ranked_at")]
        return (
            {d["_id"]: TierRevenue(d["customers"], d["revenue_fen"]) for d in rows if d["_id"]},
            max(stamps) if stamps else None,
        )

    async def top_revenue(self, top: int) -> int:
        """The 90-day revenue of the ``top`` best-ranked customers."""
        if top < 1:
            return 0
        pipeline: list[Document] = [
            {"$match": {"revenue_rank": {"$gte": 1, "$lte": top}}},
            {"$group": {"_id": None, "revenue_fen": {"$sum": "$revenue_90d_fen"}}},
        ]
        cursor = await self.collection.aggregate(pipeline, session=self.session)
        rows: Sequence[Document] = [d async for d in cursor]
        return int(rows[0]["revenue_fen"]) if rows else 0
