"""Revenue and shipments per customer and business day (``revenue_days``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from pymongo import ASCENDING, IndexModel, UpdateOne

from fairwind.mongo.repository import Repository
from services.crm.domain import DayDelta, Totals, window_start

Document = dict[str, Any]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


class RevenueDays(Repository):
    collection_name = "revenue_days"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [IndexModel([("day", ASCENDING), ("customer_id", ASCENDING)], name="day")]
        )

    async def add(self, deltas: Iterable[DayDelta]) -> None:
        """Move each customer's day by its delta (a bucket is made on first use)."""
        updates = [
            UpdateOne(
                {"_id": f"{d.customer_id}|{d.day.isoformat()}"},
                {
                    "$inc": {"revenue_fen": d.revenue_fen, "shipments": d.shipments},
                    "$setOnInsert": {"customer_id": d.customer_id, "day": midnight(d.day)},
                },
                upsert=True,
            )
            for d in deltas
        ]
        if updates:
            await self.collection.bulk_write(updates, ordered=True, session=self.session)

    async def window_totals(
        self, today: date, customer_ids: list[str] | None = None
    ) -> dict[str, Totals]:
        """Live (bucketed) revenue and shipments per customer inside the trailing window."""
        match: Document = {"day": {"$gte": midnight(window_start(today))}}
        if customer_ids is not None:
            match["customer_id"] = {"$in": customer_ids}
        pipeline: list[Document] = [
            {"$match": match},
            {
                "$group": {
                    "_id": "$customer_id",
                    "revenue_fen": {"$sum": "$revenue_fen"},
                    "shipments": {"$sum": "$shipments"},
                }
            },
        ]
        cursor = await self.collection.aggregate(pipeline, session=self.session)
        return {d["_id"]: Totals(d["revenue_fen"], d["shipments"]) async for d in cursor}

    async def prune(self, before: date) -> int:
        """Drop buckets that have left every window (kept by business date, not wall time)."""
        result = await self.collection.delete_many(
            {"day": {"$lt": midnight(before)}}, session=self.session
        )
        return result.deleted_count
