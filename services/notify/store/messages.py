"""Every message notify decided on (``messages``, ``_id`` = the dedupe key): queued to go
now, deferred to a time (quiet hours), or suppressed with the reason. The queue the
channels send from is this collection (``status`` and ``due_at``), so a restart loses no
message and no retry."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, UpdateOne

from fairwind.mongo.repository import Repository
from services.notify.domain.rules import Moment

Document = dict[str, Any]
CAPPED = ("queued", "deferred", "sent")  # the statuses that count against the frequency cap


class Messages(Repository):
    collection_name = "messages"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel([("status", ASCENDING), ("due_at", ASCENDING)], name="due"),
                IndexModel([("waybill", ASCENDING), ("audience", ASCENDING)], name="parcel"),
            ]
        )

    async def insert(self, docs: Sequence[Document]) -> None:
        if docs:
            await self.collection.insert_many(list(docs), session=self.session)

    async def told(self, waybills: Collection[str]) -> dict[tuple[str, str], int]:
        """Moments told (or on their way) per parcel and person, however many channels
        each went on (as the handler counts a batch's): one query for a batch."""
        if not waybills:
            return {}
        told = {"w": "$waybill", "a": "$audience", "m": "$moment", "o": "$occurrence"}
        rows = await self.collection.aggregate(
            [
                {"$match": {"waybill": {"$in": list(waybills)}, "status": {"$in": CAPPED}}},
                {"$group": {"_id": told}},
                {"$group": {"_id": {"w": "$_id.w", "a": "$_id.a"}, "n": {"$sum": 1}}},
            ],
            session=self.session,
        )
        return {(row["_id"]["w"], row["_id"]["a"]): row["n"] async for row in rows}

    async def of_parcel(self, waybill: str) -> list[Document]:
        found = self.collection.find({"waybill": waybill}, session=self.session)
        return await found.sort("created_at", ASCENDING).to_list()

    async def claim(
        self, channel: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Document]:
        """Up to ``limit`` messages due on ``channel``, oldest first, leased to this sender
        until ``lease_until``: a sender that dies mid-send leaves them to be claimed again
        once the lease ends. What another sender took first is not taken twice."""
        due: Document = {
            "channel": channel,
            "$or": [
                {"status": {"$in": ["queued", "deferred"]}, "due_at": {"$lte": now}},
                {"status": "sending", "lease_until": {"$lte": now}},
            ],
        }
        rows = (
            await self.collection.find(due, {"_id": 1}, session=self.session)
            .sort("due_at", ASCENDING)
            .limit(limit)
            .to_list()
        )
        if not rows:
            return []
        token = uuid.uuid4().hex
        await self.collection.update_many(
            {"_id": {"$in": [row["_id"] for row in rows]}} | due,
            {
                "$set": {"status": "sending", "lease_until": lease_until, "claim": token},
                "$inc": {"attempts": 1},
            },
            session=self.session,
        )
        claimed = self.collection.find({"claim": token, "status": "sending"}, session=self.session)
        return await claimed.to_list()

    async def withdraw(self, waybill: str, audience: str, reason: str) -> list[Document]:
        """A person's messages about a parcel not sent yet, suppressed with ``reason``;
        what they were."""
        return await self._withdraw({"waybill": waybill, "audience": audience}, reason)

    async def withdraw_cancelled(self, waybills: Collection[str]) -> list[Document]:
        """The messages not sent yet about parcels just cancelled (a survey waiting for
        its hour, an SMS held by quiet hours), but the cancellation's own: suppressed."""
        if not waybills:
            return []
        about = {"waybill": {"$in": list(waybills)}, "moment": {"$ne": Moment.CANCELLED.value}}
        return await self._withdraw(about, "cancelled")

    async def _withdraw(self, about: Document, reason: str) -> list[Document]:
        waiting = {"$in": ["queued", "deferred"]}
        found = self.collection.find(about | {"status": waiting}, session=self.session)
        docs = await found.to_list()
        if docs:
            await self.collection.update_many(
                {"_id": {"$in": [doc["_id"] for doc in docs]}, "status": waiting},
                {"$set": {"status": "suppressed", "action": "suppress", "reason": reason}},
                session=self.session,
            )
        return docs

    async def waiting(self) -> dict[tuple[str, str], int]:
        """Messages not sent yet, by channel and status (queued, deferred, sending)."""
        rows = await self.collection.aggregate(
            [
                {"$match": {"status": {"$in": ["queued", "deferred", "sending"]}}},
                {"$group": {"_id": {"c": "$channel", "s": "$status"}, "n": {"$sum": 1}}},
            ],
            session=self.session,
        )
        return {(row["_id"]["c"], row["_id"]["s"]): row["n"] async for row in rows}

    async def settle(self, claim: str, outcomes: Sequence[tuple[str, Document]]) -> set[str]:
        """Claimed messages' outcomes, ``(key, fields)``: sent, failed, or due again; only
        those still held by ``claim`` (a sender whose lease ran out, and whose messages
        another sender took, records nothing of them). The keys recorded."""
        keys = [key for key, _ in outcomes]
        held = self.collection.find(
            {"_id": {"$in": keys}, "claim": claim}, {"_id": 1}, session=self.session
        )
        mine = {doc["_id"] async for doc in held}
        updates = [
            UpdateOne(
                {"_id": key, "claim": claim},
                {"$set": fields, "$unset": {"lease_until": "", "claim": ""}},
            )
            for key, fields in outcomes
            if key in mine
        ]
        if updates:
            await self.collection.bulk_write(updates, ordered=False, session=self.session)
        return mine

    async def release(self, claim: str, keys: Collection[str]) -> None:
        """Claimed messages not tried (the lease would run out first): due again at once,
        the attempt not counted."""
        if keys:
            await self.collection.update_many(
                {"_id": {"$in": list(keys)}, "claim": claim},
                {
                    "$set": {"status": "queued"},
                    "$unset": {"lease_until": "", "claim": ""},
                    "$inc": {"attempts": -1},
                },
                session=self.session,
            )
