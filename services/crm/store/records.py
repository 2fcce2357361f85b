"""What went wrong for each customer's parcels (``service_records``, ``_id`` deterministic:
``{waybill}:{kind}:{detail}[:{occurrence}]``), so a redelivered event never adds a second."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne

from fairwind.mongo.repository import Repository
from services.crm.domain.archive import ServiceRecord

Document = dict[str, Any]


def record_doc(record: ServiceRecord) -> Document:
    return {
        "_id": record.id,
        "customer_id": record.customer_id,
        "waybill": record.waybill,
        "kind": record.kind,
        "detail": record.detail,
        "reason": record.reason,
        "fault": record.fault,
        "at": record.at,
    }


class ServiceRecords(Repository):
    collection_name = "service_records"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel([("customer_id", ASCENDING), ("at", DESCENDING)], name="customer_at"),
                IndexModel(
                    [("customer_id", ASCENDING), ("kind", ASCENDING), ("at", DESCENDING)],
                    name="customer_kind_at",
                ),
            ]
        )

    async def add(self, records: Sequence[ServiceRecord]) -> list[ServiceRecord]:
        """Store the records not stored yet (one bulk write); those that were new."""
        if not records:
            return []
        updates = [
            UpdateOne({"_id": r.id}, {"$setOnInsert": record_doc(r)}, upsert=True) for r in records
        ]
        result = await self.collection.bulk_write(updates, ordered=True, session=self.session)
        return [records[index] for index in sorted(result.upserted_ids or {})]

    async def listing(
        self,
        customer_id: str,
        kind: str | None,
        limit: int,
        before: datetime | None,
        before_id: str | None = None,
    ) -> list[Document]:
        """A customer's records, most recent first (then by id, descending), optionally of
        one kind, after the position ``(before, before_id)`` in that order: with an id,
        records of the very same time are not skipped."""
        query: Document = {"customer_id": customer_id}
        if kind:
            query["kind"] = kind
        if before is not None and before_id:
            query["$or"] = [{"at": {"$lt": before}}, {"at": before, "_id": {"$lt": before_id}}]
        elif before is not None:
            query["at"] = {"$lt": before}
        found = self.collection.find(query, session=self.session)
        return await found.sort([("at", DESCENDING), ("_id", DESCENDING)]).limit(limit).to_list()

    async def counts_since(
        self, customer_ids: str | Sequence[str], since: datetime
    ) -> dict[str, dict[str, int]]:
        """``{customer_id: {kind: count}}`` of records at or after ``since``; customers and
        kinds without any are left out."""
        ids = [customer_ids] if isinstance(customer_ids, str) else list(customer_ids)
        pipeline: list[Document] = [
            {"$match": {"customer_id": {"$in": ids}, "at": {"$gte": since}}},
            {"$group": {"_id": {"c": "$customer_id", "k": "$kind"}, "n": {"$sum": 1}}},
        ]
        counts: dict[str, dict[str, int]] = {}
        async for row in await self.collection.aggregate(pipeline, session=self.session):
            counts.setdefault(row["_id"]["c"], {})[row["_id"]["k"]] = row["n"]
        return counts
