"""Every message notify decided on (``messages``, ``_id`` = the dedupe key): queued to go
now, deferred to a time (quiet hours), or suppressed with the reason. The queue the
channels send from is this collection (``status`` and ``due_at``), so a restart loses no
message and no retry."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument

from fairwind.mongo.repository import Repository

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

    async def claim(self, channel: str, now: datetime, lease_until: datetime) -> Document | None:
        """The next message due on ``channel``, leased to this sender until ``lease_until``:
        a sender that dies mid-send leaves it to be claimed again once the lease ends."""
        due: Document = {
            "channel": channel,
            "$or": [
                {"status": {"$in": ["queued", "deferred"]}, "due_at": {"$lte": now}},
                {"status": "sending", "lease_until": {"$lte": now}},
            ],
        }
        found: Document | None = await self.collection.find_one_and_update(
            due,
            {"$set": {"status": "sending", "lease_until": lease_until}, "$inc": {"attempts": 1}},
            sort=[("due_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )
        return found

    async def withdraw(self, waybill: str, audience: str, reason: str) -> list[Document]:
        """A person's messages about a parcel not sent yet, suppressed with ``reason``;
        what they were."""
        pending = {
            "waybill": waybill,
            "audience": audience,
            "status": {"$in": ["queued", "deferred"]},
        }
        found = await self.collection.find(pending, session=self.session).to_list()
        if found:
            await self.collection.update_many(
                {
                    "_id": {"$in": [doc["_id"] for doc in found]},
                    "status": {"$in": ["queued", "deferred"]},
                },
                {"$set": {"status": "suppressed", "action": "suppress", "reason": reason}},
                session=self.session,
            )
        return found

    async def settle(self, key: str, fields: Document) -> None:
        """A claimed message's outcome: sent, failed, or due again (``fields``)."""
        await self.collection.update_one(
            {"_id": key, "status": "sending"},
            {"$set": fields, "$unset": {"lease_until": ""}},
            session=self.session,
        )
