"""The crm database.

``customers``: one archive entry per customer (``_id`` = customer id): contacts, the tier,
rank and revenue of the last re-rank, the imported 90-day history (``imported``).
``revenue_days``: per customer and business day, the revenue (fen) and shipments of the
orders placed that day, less cancellations. ``orders``: every order seen (``_id`` =
waybill), for reversal on cancellation and the call-centre history; consignee names are
stored masked only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.cursor import AsyncCursor
from pymongo.asynchronous.database import AsyncDatabase

from services.crm.domain import Baseline, Totals, window_start

Document = dict[str, Any]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def baseline_of(customer: Document) -> Baseline | None:
    imported = customer.get("imported")
    if not imported:
        return None
    return Baseline(imported["revenue_fen"], imported["shipments"], imported["as_of"].date())


class CrmStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.customers = db["customers"]
        self.days = db["revenue_days"]
        self.orders = db["orders"]

    async def create_indexes(self) -> None:
        await self.customers.create_indexes(
            [
                IndexModel([("phones", ASCENDING)], name="phones"),
                IndexModel([("revenue_rank", ASCENDING)], name="rank"),
                IndexModel([("tier", ASCENDING), ("revenue_rank", ASCENDING)], name="tier"),
            ]
        )
        await self.days.create_indexes(
            [IndexModel([("day", ASCENDING), ("customer_id", ASCENDING)], name="day")]
        )
        # The call-centre history sorts by (created_at, _id): both must be in the index, or
        # every lookup fetches and sorts all of a customer's orders in memory.
        await self.orders.create_indexes(
            [
                IndexModel(
                    [("customer_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                    name="customer_recent",
                )
            ]
        )

    async def get(self, customer_id: str) -> Document | None:
        return await self.customers.find_one({"_id": customer_id})

    async def by_phone(self, phone: str) -> Document | None:
        """The customer with this E.164 number; the best-ranked one if several share it."""
        found = self.customers.find({"phones": phone}).sort(
            [("revenue_rank", ASCENDING), ("_id", ASCENDING)]
        )
        ranked = await found.to_list(20)
        best = [d for d in ranked if d.get("revenue_rank")] or ranked
        return best[0] if best else None

    def recent_orders_cursor(self, customer_id: str, limit: int) -> AsyncCursor[Document]:
        return (
            self.orders.find({"customer_id": customer_id})
            .sort([("created_at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )

    async def recent_orders(self, customer_id: str, limit: int) -> list[Document]:
        return await self.recent_orders_cursor(customer_id, limit).to_list()

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
        cursor = await self.days.aggregate(pipeline)
        return {d["_id"]: Totals(d["revenue_fen"], d["shipments"]) async for d in cursor}

    async def add_to_day(
        self,
        customer_id: str,
        day: date,
        revenue_fen: int,
        shipments: int,
        session: AsyncClientSession | None = None,
    ) -> None:
        await self.days.update_one(
            {"_id": f"{customer_id}|{day.isoformat()}"},
            {
                "$inc": {"revenue_fen": revenue_fen, "shipments": shipments},
                "$setOnInsert": {"customer_id": customer_id, "day": midnight(day)},
            },
            upsert=True,
            session=session,
        )

    async def prune_days(self, before: date) -> int:
        """Drop buckets that have left every window (kept by business date, not wall time)."""
        result = await self.days.delete_many({"day": {"$lt": midnight(before)}})
        return result.deleted_count

    def ranking_inputs(self) -> AsyncIterator[Document]:
        return self.customers.find({}, {"_id": 1, "imported": 1})

    async def listing(self, tier: str | None, limit: int, offset: int) -> list[Document]:
        query: Document = {"revenue_rank": {"$gte": 1}}
        if tier:
            query["tier"] = tier
        found = self.customers.find(query).sort([("revenue_rank", ASCENDING)])
        return await found.skip(offset).limit(limit).to_list()

    async def count(self) -> int:
        return await self.customers.count_documents({})
