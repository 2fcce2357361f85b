"""The customer archive (``customers``, ``_id`` = customer id)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, UpdateOne

from services.crm.domain.classification import ArchiveEntry, Baseline, Ranked, Sighting, Totals
from services.crm.domain.matching import company_fields
from services.crm.store.callers import CALLER_INDEXES, CallerFields
from services.crm.store.customer_archive import (
    ArchiveFields,
    city_updates,
    imported_fields,
    imported_phones,
)

Document = dict[str, Any]
WRITE_CHUNK = 1000


def baseline_of(customer: Document) -> Baseline | None:
    imported = customer.get("imported")
    if not imported:
        return None
    return Baseline(imported["revenue_fen"], imported["shipments"], imported["as_of"].date())


class Customers(CallerFields, ArchiveFields):
    collection_name = "customers"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel([("phones", ASCENDING)], name="phones"),
                IndexModel([("revenue_rank", ASCENDING)], name="rank"),
                IndexModel([("tier", ASCENDING), ("revenue_rank", ASCENDING)], name="tier"),
                *CALLER_INDEXES,
            ]
        )

    async def get(self, customer_id: str) -> Document | None:
        return await self.collection.find_one({"_id": customer_id}, session=self.session)

    async def by_phone(self, phone: str) -> Document | None:
        """The customer with this E.164 number; the best-ranked one if several share it."""
        found = self.collection.find({"phones": phone}, session=self.session).sort(
            [("revenue_rank", ASCENDING), ("_id", ASCENDING)]
        )
        ranked = await found.to_list(20)
        best = [d for d in ranked if d.get("revenue_rank")] or ranked
        return best[0] if best else None

    async def listing(self, tier: str | None, limit: int, offset: int) -> list[Document]:
        query: Document = {"revenue_rank": {"$gte": 1}}
        if tier:
            query["tier"] = tier
        found = self.collection.find(query, session=self.session).sort([("revenue_rank", 1)])
        return await found.skip(offset).limit(limit).to_list()

    async def count(self) -> int:
        return await self.collection.count_documents({}, session=self.session)

    def ranking_inputs(self) -> AsyncIterator[Document]:
        return self.collection.find({}, {"_id": 1, "imported": 1}, session=self.session)

    async def tiers_of(self, customer_ids: Sequence[str]) -> dict[str, str | None]:
        found = self.collection.find(
            {"_id": {"$in": list(customer_ids)}}, {"tier": 1}, session=self.session
        )
        return {doc["_id"]: doc.get("tier") async for doc in found}

    async def saw(self, sightings: Sequence[Sighting], now: datetime, max_phones: int) -> None:
        """Customers on new orders: created on first sight, last order time moved on, the
        shipper's phone added while the customer has fewer than ``max_phones``, the order
        counted for the shipper's city (``city`` = the top one unless imported)."""
        updates: list[UpdateOne] = []
        for seen in sightings:
            updates.append(
                UpdateOne(
                    {"_id": seen.customer_id},
                    {
                        "$setOnInsert": {
                            "name": seen.name,
                            "company": seen.company,
                            **company_fields(seen.company),
                            "emails": [],
                            "tier": None,
                            "created_at": now,
                        },
                        "$max": {"last_order_at": seen.at},
                        "$set": {"updated_at": now},
                    },
                    upsert=True,
                )
            )
            if seen.phone:
                updates.append(
                    UpdateOne(
                        {"_id": seen.customer_id, f"phones.{max_phones - 1}": {"$exists": False}},
                        {"$addToSet": {"phones": seen.phone}},
                    )
                )
        updates.extend(city_updates(sightings))
        if updates:
            await self.collection.bulk_write(updates, ordered=True, session=self.session)

    async def rank(
        self, ranked: Sequence[Ranked], totals: Mapping[str, Totals], now: datetime
    ) -> None:
        """Store each customer's tier, rank and window totals of a re-rank."""
        updates = [
            UpdateOne(
                {"_id": r.customer_id},
                {
                    "$set": {
                        "tier": r.tier,
                        "revenue_rank": r.rank,
                        "key_account": r.key_account,
                        "revenue_90d_fen": r.revenue_fen,
                        "shipments_90d": totals[r.customer_id].shipments,
                        "orders_per_week": totals[r.customer_id].orders_per_week,
                        "ranked_at": now,
                    }
                },
            )
            for r in ranked
        ]
        if updates:
            await self.collection.bulk_write(updates, ordered=False, session=self.session)

    async def import_archive(self, entries: Sequence[ArchiveEntry], now: datetime) -> None:
        """Upsert archive entries; their imported history replaces the previous import."""
        updates = [
            UpdateOne(
                {"_id": c.customer_id},
                {
                    "$set": {
                        "name": c.name,
                        "company": c.company,
                        **company_fields(c.company),
                        "emails": c.emails,
                        "imported": {
                            "revenue_fen": c.revenue_fen,
                            "shipments": c.shipments,
                            "as_of": now,
                        },
                        **imported_fields(c),
                        "updated_at": now,
                    },
                    "$setOnInsert": {"created_at": now, "tier": None},
                    "$addToSet": {"phones": {"$each": imported_phones(c)}},
                    # Numbers the import gives are its own now: no contact takes them away.
                    "$pull": {"contact_phones": {"$in": imported_phones(c)}},
                },
                upsert=True,
            )
            for c in entries
        ]
        for start in range(0, len(updates), WRITE_CHUNK):
            chunk = updates[start : start + WRITE_CHUNK]
            await self.collection.bulk_write(chunk, ordered=False, session=self.session)
