"""Survey answers (``surveys``, ``_id`` = survey id), and the satisfaction report's join of
them to the shipments' SLA outcomes (``outcomes``, kept by the archive part) and to the
customers' current tiers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, UpdateOne

from fairwind.mongo.repository import Repository

Document = dict[str, Any]
OUTCOMES = "outcomes"
CUSTOMERS = "customers"
# What the report needs of an outcome; ``clocks`` as "has any clock been decided", so the
# groups do not split on the order of the clocks in the document.
OUTCOME_FIELDS: Document = {
    "_id": 0,
    "tier": 1,
    "outlet_code": 1,
    "breached": 1,
    "clocks": {"$gt": [{"$size": {"$objectToArray": {"$ifNull": ["$clocks", {}]}}}, 0]},
}


class Surveys(Repository):
    collection_name = "surveys"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel(
                    [("customer_id", ASCENDING), ("answered_at", ASCENDING)], name="customer"
                ),
                IndexModel([("answered_at", ASCENDING)], name="answered"),
            ]
        )

    async def add(self, docs: Sequence[Document]) -> list[Document]:
        """Store the answers not stored yet (the first answer of a survey id wins); the
        documents that were new, in order."""
        if not docs:
            return []
        updates = [UpdateOne({"_id": d["_id"]}, {"$setOnInsert": d}, upsert=True) for d in docs]
        result = await self.collection.bulk_write(updates, ordered=True, session=self.session)
        return [docs[index] for index in sorted(result.upserted_ids or {})]

    async def window_stats(
        self, customer_ids: Sequence[str], since: datetime
    ) -> dict[str, tuple[float, int, datetime]]:
        """Per customer with answers since ``since``: mean score, answers, oldest answer."""
        pipeline: list[Document] = [
            {
                "$match": {
                    "customer_id": {"$in": list(customer_ids)},
                    "answered_at": {"$gte": since},
                }
            },
            {
                "$group": {
                    "_id": "$customer_id",
                    "mean": {"$avg": "$score"},
                    "answers": {"$sum": 1},
                    "oldest": {"$min": "$answered_at"},
                }
            },
        ]
        cursor = await self.collection.aggregate(pipeline, session=self.session)
        return {d["_id"]: (d["mean"], d["answers"], d["oldest"]) async for d in cursor}

    async def joined(self, since: datetime) -> list[Document]:
        """The answers since ``since`` with their waybill's outcome and their customer's
        tier, grouped server-side into rows of identical answers (``count``): one
        aggregation, one indexed look-up per answer, the reply as small as the groups."""
        pipeline: list[Document] = [
            {"$match": {"answered_at": {"$gte": since}}},
            {
                "$lookup": {
                    "from": OUTCOMES,
                    "localField": "waybill",
                    "foreignField": "_id",
                    "pipeline": [{"$project": OUTCOME_FIELDS}],
                    "as": "outcome",
                }
            },
            {
                "$lookup": {
                    "from": CUSTOMERS,
                    "localField": "customer_id",
                    "foreignField": "_id",
                    "pipeline": [{"$project": {"_id": 0, "tier": 1}}],
                    "as": "customer",
                }
            },
            {
                "$group": {
                    "_id": {
                        "source": "$source",
                        "score": "$score",
                        "recommend": "$recommend",
                        "customer_tier": {"$first": "$customer.tier"},
                        "outcome": {"$first": "$outcome"},
                    },
                    "count": {"$sum": 1},
                }
            },
        ]
        cursor = await self.collection.aggregate(pipeline, session=self.session)
        return [{**d["_id"], "count": d["count"]} async for d in cursor]
