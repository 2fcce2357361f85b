"""Webhook deliveries (``deliveries``): one per event and endpoint, the body fixed when it
was made (every retry signs the same bytes), the queue the dispatcher sends from. Like
``messages``, the schedule lives here, so a restart mid-retry loses nothing.

Statuses: ``queued`` (due at ``due_at``), ``sending`` (claimed by a dispatcher until
``lease_until``), ``delivered``, ``failed`` (refused, or a day of retries used up)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne

from fairwind.mongo.repository import Repository

Document = dict[str, Any]


class Deliveries(Repository):
    collection_name = "deliveries"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel([("status", ASCENDING), ("due_at", ASCENDING)], name="due"),
                IndexModel([("status", ASCENDING), ("lease_until", ASCENDING)], name="leases"),
                IndexModel(
                    [("endpoint_id", ASCENDING), ("created_at", DESCENDING)], name="endpoint"
                ),
                IndexModel([("waybill", ASCENDING)], name="waybill"),
            ]
        )

    async def insert(self, docs: Sequence[Document]) -> int:
        """New deliveries; one already made (the same event read twice) is kept as it is.
        How many were new."""
        if not docs:
            return 0
        known = await self.known([doc["_id"] for doc in docs])
        fresh = [doc for doc in docs if doc["_id"] not in known]
        if fresh:
            await self.collection.insert_many(fresh, session=self.session)
        return len(fresh)

    async def reclaim(self, now: datetime) -> int:
        """Deliveries whose dispatcher died mid-send (the lease ran out) are due again."""
        done = await self.collection.update_many(
            {"status": "sending", "lease_until": {"$lte": now}},
            {
                "$set": {"status": "queued", "due_at": now},
                "$unset": {"lease_until": "", "claim": ""},
            },
            session=self.session,
        )
        return done.modified_count

    async def claim(
        self, room: Mapping[str, int], now: datetime, lease_until: datetime, token: str
    ) -> list[Document]:
        """The oldest due deliveries, at most ``room[endpoint]`` for each endpoint with room,
        leased under ``token``: what another dispatcher took first is not taken twice."""
        room = {endpoint: n for endpoint, n in room.items() if n > 0}
        if not room:
            return []
        due = self.collection.find(
            {"status": "queued", "due_at": {"$lte": now}, "endpoint_id": {"$in": list(room)}},
            {"endpoint_id": 1},
            session=self.session,
        )
        rows = await due.sort("due_at", ASCENDING).limit(2 * sum(room.values())).to_list()
        left, picked = dict(room), []
        for row in rows:
            if left[row["endpoint_id"]] > 0:
                left[row["endpoint_id"]] -= 1
                picked.append(row["_id"])
        if not picked:
            return []
        await self.collection.update_many(
            {"_id": {"$in": picked}, "status": "queued"},
            {
                "$set": {"status": "sending", "lease_until": lease_until, "claim": token},
                "$inc": {"attempts": 1},
            },
            session=self.session,
        )
        claimed = self.collection.find(
            {"_id": {"$in": picked}, "claim": token}, session=self.session
        )
        return await claimed.to_list()

    async def settle(self, outcomes: Sequence[tuple[str, str, Document]]) -> set[str]:
        """Claimed deliveries' outcomes, ``(id, claim token, fields)``: only those still
        held by their token (a dispatcher whose lease ran out records nothing of what
        another took since). The ids recorded."""
        if not outcomes:
            return set()
        held = self.collection.find(
            {"$or": [{"_id": key, "claim": token} for key, token, _ in outcomes]},
            {"_id": 1},
            session=self.session,
        )
        mine = {doc["_id"] async for doc in held}
        updates = [
            UpdateOne(
                {"_id": key, "claim": token},
                {"$set": fields, "$unset": {"lease_until": "", "claim": ""}},
            )
            for key, token, fields in outcomes
            if key in mine
        ]
        if updates:
            await self.collection.bulk_write(updates, ordered=False, session=self.session)
        return mine

    async def release(self, keys: Sequence[str], token: str) -> None:
        """Claimed deliveries never tried (a dispatcher stopping): queued again at once."""
        if keys:
            await self.collection.update_many(
                {"_id": {"$in": list(keys)}, "claim": token},
                {
                    "$set": {"status": "queued"},
                    "$inc": {"attempts": -1},
                    "$unset": {"lease_until": "", "claim": ""},
                },
                session=self.session,
            )

    async def of_waybill(self, waybill: str) -> list[Document]:
        found = self.collection.find({"waybill": waybill}, {"body": 0}, session=self.session)
        return await found.sort("created_at", ASCENDING).to_list()

    async def depth(self) -> dict[str, int]:
        """Deliveries waiting (queued or being sent), per endpoint."""
        rows = await self.collection.aggregate(
            [
                {"$match": {"status": {"$in": ["queued", "sending"]}}},
                {"$group": {"_id": "$endpoint_id", "n": {"$sum": 1}}},
            ],
            session=self.session,
        )
        return {row["_id"]: row["n"] async for row in rows}
