"""Complaints filed by the call centre (``complaints``, ``_id`` = ``CP-…``).

A document: ``customer_id``, ``waybill`` (or None), ``category``, ``summary``, ``owner``
(staff id or None), ``status`` ("open" | "resolved"), ``resolution``, ``opened_at``,
``resolved_at``, ``resolved_by``, ``filed_by``. The customer's ``open_complaints`` counter
is kept by the same transaction as every open and resolve (``Customers.add_open_complaints``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.mongo.repository import Repository
from services.crm.domain.complaints import OPEN, RESOLVED

Document = dict[str, Any]


class Complaints(Repository):
    collection_name = "complaints"

    def __init__(
        self, db: AsyncDatabase[Document], session: AsyncClientSession | None = None
    ) -> None:
        super().__init__(db, session)
        self.orders = db["orders"]  # read only: whose a waybill is

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                # A customer's open ones oldest first (caller ID), its list, its 90-day count.
                IndexModel(
                    [("customer_id", ASCENDING), ("status", ASCENDING), ("opened_at", ASCENDING)],
                    name="customer_status",
                ),
                # The backlog report: every open one oldest first, and the recently resolved.
                IndexModel([("status", ASCENDING), ("opened_at", ASCENDING)], name="backlog"),
                IndexModel([("status", ASCENDING), ("resolved_at", ASCENDING)], name="resolved"),
            ]
        )

    async def insert(self, doc: Document) -> None:
        await self.collection.insert_one(doc, session=self.session)

    async def customer_of(self, waybill: str) -> str | None:
        """The customer of an order crm has seen (``orders``), None if unknown."""
        order = await self.orders.find_one(
            {"_id": waybill}, {"customer_id": 1}, session=self.session
        )
        return None if order is None else order.get("customer_id")

    async def get(self, complaint_id: str) -> Document | None:
        return await self.collection.find_one({"_id": complaint_id}, session=self.session)

    async def of_customer(self, customer_id: str, status: str | None, limit: int) -> list[Document]:
        """The customer's complaints, most recently opened first."""
        query: Document = {
            "customer_id": customer_id,
            "status": status or {"$in": [OPEN, RESOLVED]},
        }
        found = self.collection.find(query, session=self.session).sort(
            [("opened_at", DESCENDING), ("_id", DESCENDING)]
        )
        return await found.limit(limit).to_list()

    async def open_of(self, customer_id: str, limit: int) -> list[Document]:
        """The customer's open complaints, oldest first."""
        found = self.collection.find(
            {"customer_id": customer_id, "status": OPEN}, session=self.session
        ).sort([("opened_at", ASCENDING), ("_id", ASCENDING)])
        return await found.limit(limit).to_list()

    async def opened_since(self, customer_id: str, since: datetime) -> int:
        """How many the customer opened from ``since`` on, whatever their status now."""
        return await self.collection.count_documents(
            {
                "customer_id": customer_id,
                "status": {"$in": [OPEN, RESOLVED]},
                "opened_at": {"$gte": since},
            },
            session=self.session,
        )

    async def assign(self, complaint_id: str, owner: str, now: datetime) -> Document | None:
        """Set the owner of an open complaint; the new document, None unless it is open."""
        return await self.collection.find_one_and_update(
            {"_id": complaint_id, "status": OPEN},
            {"$set": {"owner": owner, "assigned_at": now}},
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )

    async def resolve(
        self, complaint_id: str, resolution: str, resolved_by: str, now: datetime
    ) -> Document | None:
        """Resolve an open complaint; the new document, None unless it was open."""
        return await self.collection.find_one_and_update(
            {"_id": complaint_id, "status": OPEN},
            {
                "$set": {
                    "status": RESOLVED,
                    "resolution": resolution,
                    "resolved_by": resolved_by,
                    "resolved_at": now,
                }
            },
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )

    async def open_counts(self) -> tuple[dict[str, int], dict[str | None, int]]:
        """Open complaints per category and per owner (None: nobody assigned)."""
        pipeline: list[Document] = [
            {"$match": {"status": OPEN}},
            {
                "$facet": {
                    "category": [{"$group": {"_id": "$category", "n": {"$sum": 1}}}],
                    "owner": [{"$group": {"_id": "$owner", "n": {"$sum": 1}}}],
                }
            },
        ]
        cursor = await self.collection.aggregate(pipeline, session=self.session)
        facets = (await cursor.to_list())[0]
        return (
            {d["_id"]: d["n"] for d in facets["category"]},
            {d["_id"]: d["n"] for d in facets["owner"]},
        )

    async def oldest_open(self, limit: int) -> list[Document]:
        found = self.collection.find({"status": OPEN}, session=self.session).sort(
            [("opened_at", ASCENDING), ("_id", ASCENDING)]
        )
        return await found.limit(limit).to_list()

    def open_cursor(self) -> AsyncIterator[Document]:
        """Every open complaint, oldest first (the CSV export streams it)."""
        return self.collection.find({"status": OPEN}, session=self.session).sort(
            [("opened_at", ASCENDING), ("_id", ASCENDING)]
        )

    async def resolved_since(self, since: datetime) -> tuple[int, float | None]:
        """How many were resolved from ``since`` on, and their mean seconds to resolve."""
        pipeline: list[Document] = [
            {"$match": {"status": RESOLVED, "resolved_at": {"$gte": since}}},
            {
                "$group": {
                    "_id": None,
                    "n": {"$sum": 1},
                    "ms": {"$avg": {"$subtract": ["$resolved_at", "$opened_at"]}},
                }
            },
        ]
        cursor = await self.collection.aggregate(pipeline, session=self.session)
        found = await cursor.to_list()
        if not found:
            return 0, None
        return found[0]["n"], found[0]["ms"] / 1000
