"""How every waybill fared against its SLA clocks (``outcomes``, ``_id`` = waybill): the
join target of surveys and the churn score. The merge rules are in ``archive_domain``."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, UpdateOne

from fairwind.mongo.repository import Repository
from services.crm.domain.archive import Outcome

Document = dict[str, Any]


def outcome_of(doc: Document) -> Outcome:
    return Outcome(
        doc["_id"],
        doc.get("customer_id"),
        doc.get("tier"),
        doc.get("outlet_code"),
        doc.get("city_code"),
        doc.get("service_level"),
        dict(doc.get("clocks") or {}),
    )


def outcome_fields(outcome: Outcome, now: datetime) -> Document:
    return {
        "customer_id": outcome.customer_id,
        "tier": outcome.tier,
        "outlet_code": outcome.outlet_code,
        "city_code": outcome.city_code,
        "service_level": outcome.service_level,
        "clocks": dict(outcome.clocks),
        "breached": outcome.breached,
        "updated_at": now,
    }


class Outcomes(Repository):
    collection_name = "outcomes"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [IndexModel([("customer_id", ASCENDING)], name="customer")]
        )

    async def get(self, waybill: str) -> Document | None:
        return await self.collection.find_one({"_id": waybill}, session=self.session)

    async def of(self, waybills: Collection[str]) -> dict[str, Outcome]:
        """The stored outcomes of these waybills (one query)."""
        if not waybills:
            return {}
        found = self.collection.find({"_id": {"$in": list(waybills)}}, session=self.session)
        return {doc["_id"]: outcome_of(doc) async for doc in found}

    async def put(self, outcomes: Iterable[Outcome], now: datetime) -> None:
        """Store the merged outcomes (one bulk write; ``$set``, so fields others keep on a
        waybill's outcome survive)."""
        updates = [
            UpdateOne({"_id": o.waybill}, {"$set": outcome_fields(o, now)}, upsert=True)
            for o in outcomes
        ]
        if updates:
            await self.collection.bulk_write(updates, ordered=False, session=self.session)
