"""Counters of ``phone_last4`` guesses (``lookup_guesses``, ``_id`` = ``waybill:...`` or
``client:<digest>``), removed by a TTL index once their window or lockout has passed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument

from fairwind.mongo.repository import Repository

Document = dict[str, Any]


def _take(limit: int, now: datetime, window: timedelta, lock: timedelta) -> list[Document]:
    """One guess against a counter: a new window when there is none or it has passed, no
    count while locked, and a lock once the count passes ``limit``."""
    return [
        {
            "$set": {
                "_stale": {"$lte": [{"$ifNull": ["$expires_at", now]}, now]},
                "_locked": {"$gt": ["$locked_until", now]},
            }
        },
        {
            "$set": {
                "count": {
                    "$switch": {
                        "branches": [
                            {"case": "$_stale", "then": 1},
                            {"case": "$_locked", "then": "$count"},
                        ],
                        "default": {"$add": ["$count", 1]},
                    }
                },
                "locked_until": {"$cond": ["$_stale", None, "$locked_until"]},
                "expires_at": {"$cond": ["$_stale", now + window, "$expires_at"]},
            }
        },
        {
            "$set": {
                "locked_until": {
                    "$cond": [
                        {"$and": [{"$not": ["$_locked"]}, {"$gt": ["$count", limit]}]},
                        now + lock,
                        "$locked_until",
                    ]
                }
            }
        },
        {"$set": {"expires_at": {"$max": ["$expires_at", "$locked_until"]}}},
        {"$unset": ["_stale", "_locked"]},
    ]


class GuessCounters(Repository):
    collection_name = "lookup_guesses"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [IndexModel([("expires_at", ASCENDING)], name="ttl", expireAfterSeconds=0)]
        )

    async def get(self, key: str) -> Document | None:
        return await self.collection.find_one({"_id": key}, session=self.session)

    async def take(
        self, key: str, limit: int, now: datetime, window: timedelta, lock: timedelta
    ) -> datetime | None:
        """Count one guess (in one atomic update, so parallel guesses cannot slip past the
        limit); until when the key is locked, if it is."""
        counter = await self.collection.find_one_and_update(
            {"_id": key},
            _take(limit, now, window, lock),
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )
        locked_until: datetime | None = (counter or {}).get("locked_until")
        return locked_until

    async def give_back(self, key: str, now: datetime) -> None:
        """Uncount one guess of a window that is still open and not locked."""
        await self.collection.update_one(
            {
                "_id": key,
                "expires_at": {"$gt": now},
                "count": {"$gt": 0},
                "$or": [{"locked_until": None}, {"locked_until": {"$lte": now}}],
            },
            {"$inc": {"count": -1}},
            session=self.session,
        )
