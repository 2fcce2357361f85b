"""What the churn score reads, across the archive's collections (read-only), and where it
keeps its result (``customers.churn``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pymongo import DESCENDING, IndexModel, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.crm.store.revenue import midnight

Document = dict[str, Any]
ACCOUNT_FIELDS = {
    "name": 1,
    "company": 1,
    "tier": 1,
    "key_account": 1,
    "imported": 1,
    "created_at": 1,
    "churn": 1,
    "satisfaction": 1,
    "account_manager_id": 1,
    "alerts": 1,
}


class ChurnReads:
    def __init__(
        self, db: AsyncDatabase[Document], session: AsyncClientSession | None = None
    ) -> None:
        self.db = db
        self.customers = db["customers"]
        self.days = db["revenue_days"]
        self.records = db["service_records"]
        self.complaints = db["complaints"]
        self.session = session

    async def create_indexes(self) -> None:
        await self.customers.create_indexes(
            [IndexModel([("churn.risk", DESCENDING)], name="churn_risk", sparse=True)]
        )

    async def accounts(self, tiers: Sequence[str]) -> list[Document]:
        """The customers of ``tiers`` (as of the last re-rank), with what scoring needs."""
        found = self.customers.find(
            {"tier": {"$in": list(tiers)}}, ACCOUNT_FIELDS, session=self.session
        )
        return await found.to_list()

    async def accounts_by_id(self, customer_ids: Sequence[str]) -> list[Document]:
        found = self.customers.find(
            {"_id": {"$in": list(customer_ids)}}, ACCOUNT_FIELDS, session=self.session
        )
        return await found.to_list()

    async def daily(self, customer_ids: Sequence[str], first: date) -> dict[str, dict[date, float]]:
        """Shipments per customer and business day from ``first`` on."""
        found = self.days.find(
            {"customer_id": {"$in": list(customer_ids)}, "day": {"$gte": midnight(first)}},
            {"customer_id": 1, "day": 1, "shipments": 1, "_id": 0},
            session=self.session,
        )
        daily: dict[str, dict[date, float]] = {}
        async for doc in found:
            daily.setdefault(doc["customer_id"], {})[doc["day"].date()] = doc["shipments"]
        return daily

    async def experience(
        self, customer_ids: Sequence[str], since: datetime
    ) -> dict[str, dict[str, int]]:
        """Per customer since ``since``: parcels that breached an SLA (a parcel that broke
        two clocks counts once), failed deliveries and exceptions, complaints filed."""
        ids = list(customer_ids)
        pipeline: list[Document] = [
            {"$match": {"customer_id": {"$in": ids}, "at": {"$gte": since}}},
            {
                "$group": {
                    "_id": {"c": "$customer_id", "k": "$kind"},
                    "waybills": {"$addToSet": "$waybill"},
                }
            },
        ]
        found: dict[str, dict[str, int]] = {}
        async for doc in await self.records.aggregate(pipeline, session=self.session):
            found.setdefault(doc["_id"]["c"], {})[doc["_id"]["k"]] = len(doc["waybills"])
        complaints: list[Document] = [
            {"$match": {"customer_id": {"$in": ids}, "opened_at": {"$gte": since}}},
            {"$group": {"_id": "$customer_id", "n": {"$sum": 1}}},
        ]
        async for doc in await self.complaints.aggregate(complaints, session=self.session):
            found.setdefault(doc["_id"], {})["complaints"] = doc["n"]
        return found

    async def people_of(self, customer_ids: Sequence[str]) -> dict[str, Document]:
        """Who to tell about each customer: name, company, e-mail addresses."""
        found = self.customers.find(
            {"_id": {"$in": list(customer_ids)}},
            {"name": 1, "company": 1, "emails": 1},
            session=self.session,
        )
        return {doc["_id"]: doc async for doc in found}

    async def managers(self, manager_ids: Sequence[str]) -> dict[str, Document]:
        """Account managers by id (name and e-mail, for the alerts)."""
        found = self.db["managers"].find(
            {"_id": {"$in": [m for m in manager_ids if m]}},
            {"name": 1, "email": 1, "active": 1},
            session=self.session,
        )
        return {doc["_id"]: doc async for doc in found}

    async def mark_breach_alerted(self, customer_ids: Sequence[str], now: datetime) -> None:
        if customer_ids:
            await self.customers.update_many(
                {"_id": {"$in": list(customer_ids)}},
                {"$set": {"alerts.breach_at": now}},
                session=self.session,
            )

    async def keep(self, scores: Sequence[tuple[str, Document]]) -> None:
        """Store each customer's latest score (``churn``)."""
        updates = [UpdateOne({"_id": cid}, {"$set": {"churn": churn}}) for cid, churn in scores]
        if updates:
            await self.customers.bulk_write(updates, ordered=False, session=self.session)

    async def watch_list(self, min_risk: float, limit: int) -> list[Document]:
        """Scored customers at or above ``min_risk``, the riskiest first."""
        found = self.customers.find(
            {"churn.risk": {"$gte": min_risk}},
            ACCOUNT_FIELDS | {"revenue_90d_fen": 1},
            session=self.session,
        ).sort([("churn.risk", -1), ("_id", 1)])
        return await found.limit(limit).to_list()
