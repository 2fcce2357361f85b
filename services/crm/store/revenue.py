"""Revenue and shipments per customer and business day (``revenue_days``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from pymongo import ASCENDING, IndexModel, UpdateOne

from fairwind.mongo.repository import Repository
from services.crm.domain.classification import DayDelta, Totals, window_start

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
        if customer_ids is not None:
            return await self._window_of(customer_ids, window_start(today))
        pipeline: list[Document] = [
            {"$match": {"day": {"$gte": midnight(window_start(today))}}},
            {
                "$group": {
                    "_id": "$customer_id",
                    "revenue_fen": {"$sum": "$revenue_fen"},
                    "shipments": {"$sum": "$shipments"},
                }
            },
        ]
        # The window holds nearly every bucket (the re-rank prunes what is 30 days past it),
        # so a scan in storage order beats the day index, which fetched every document at
        # random: 0.5 s against 2 s for 500,000 buckets.
        cursor = await self.collection.aggregate(
            pipeline, session=self.session, hint={"$natural": 1}
        )
        return {d["_id"]: Totals(d["revenue_fen"], d["shipments"]) async for d in cursor}

    async def _window_of(self, customer_ids: list[str], first: date) -> dict[str, Totals]:
        """A few customers' buckets read as ``_id`` ranges (``customer|ISO day`` sorts by
        customer, then day): the primary index walks only their days in the window, where
        the day index seeks once per stored day (caller ID: 0.5 ms against 1.3 ms).
        ``customer_id`` is matched too, in case an id itself holds a ``|``."""
        if not customer_ids:
            return {}
        since = first.isoformat()
        ranges = [{"_id": {"$gte": f"{c}|{since}", "$lt": f"{c}|~"}} for c in customer_ids]
        query: Document = {"$or": ranges, "customer_id": {"$in": customer_ids}}
        found = self.collection.find(
            query, {"customer_id": 1, "revenue_fen": 1, "shipments": 1}, session=self.session
        )
        sums: dict[str, list[int]] = {}
        async for doc in found:
            total = sums.setdefault(doc["customer_id"], [0, 0])
            total[0] += doc["revenue_fen"]
            total[1] += doc["shipments"]
        return {c: Totals(revenue, shipments) for c, (revenue, shipments) in sums.items()}

    async def prune(self, before: date) -> int:
        """Drop buckets that have left every window (kept by business date, not wall time)."""
        result = await self.collection.delete_many(
            {"day": {"$lt": midnight(before)}}, session=self.session
        )
        return result.deleted_count
