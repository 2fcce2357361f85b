"""A limit on ``phone_last4`` guesses, per waybill and per client, shared by every tracking
process: the counters live in MongoDB (expired by a TTL index), none in memory.

Each guess takes a slot before it is compared, so a burst of parallel requests cannot
slip past the limit; a right guess gives its slot back. The guess after the last slot of a
window locks the key for ``lock``: every guess is refused then, the right one too (the
signed tracking link still works). Times are wall-clock: this guards the machine, not the
business.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.clock import wall_now

Document = dict[str, Any]


@dataclass(frozen=True, slots=True)
class GuessLimits:
    per_waybill: int
    per_client: int
    window: timedelta
    lock: timedelta


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


class GuessThrottle:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        limits: GuessLimits,
        now: Callable[[], datetime] = wall_now,
    ) -> None:
        self.counters = db["lookup_guesses"]
        self.limits = limits
        self.now = now

    async def create_indexes(self) -> None:
        await self.counters.create_indexes(
            [IndexModel([("expires_at", ASCENDING)], name="ttl", expireAfterSeconds=0)]
        )

    async def take(self, waybill: str, client: str) -> int:
        """Seconds until a guess may be made again (0: go ahead, the guess is counted)."""
        now = self.now()
        waits = [
            await self._take_one(key, limit, now) for key, limit in self._keys(waybill, client)
        ]
        return max(waits)

    async def give_back(self, waybill: str, client: str) -> None:
        """A right guess does not count against the owner."""
        now = self.now()
        for key, _ in self._keys(waybill, client):
            await self.counters.update_one(
                {
                    "_id": key,
                    "expires_at": {"$gt": now},
                    "count": {"$gt": 0},
                    "$or": [{"locked_until": None}, {"locked_until": {"$lte": now}}],
                },
                {"$inc": {"count": -1}},
            )

    def _keys(self, waybill: str, client: str) -> list[tuple[str, int]]:
        # The client's address is personal data: only a digest of it is stored.
        digest = hashlib.sha256(client.encode()).hexdigest()[:24]
        return [
            (f"waybill:{waybill}", self.limits.per_waybill),
            (f"client:{digest}", self.limits.per_client),
        ]

    async def _take_one(self, key: str, limit: int, now: datetime) -> int:
        counter = await self.counters.find_one_and_update(
            {"_id": key},
            _take(limit, now, self.limits.window, self.limits.lock),
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        locked_until: datetime | None = (counter or {}).get("locked_until")
        if locked_until is None or locked_until <= now:
            return 0
        return max(1, math.ceil((locked_until - now).total_seconds()))
