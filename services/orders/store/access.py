"""Partners (``partners``, ``_id`` = partner id: customer id, rate limit) and their API keys
(``api_keys``, ``_id`` = key id: scopes, the secret's SHA-256, revocation)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from fairwind.mongo.repository import Repository

Document = dict[str, Any]


class Partners(Repository):
    collection_name = "partners"

    async def ensure(self, partner_id: str, customer_id: str, now: datetime) -> None:
        """Create the partner on its first key; an existing one keeps its customer."""
        await self.collection.update_one(
            {"_id": partner_id},
            {"$setOnInsert": {"customer_id": customer_id, "created_at": now}},
            upsert=True,
            session=self.session,
        )

    async def get(self, partner_id: str) -> Document | None:
        return await self.collection.find_one({"_id": partner_id}, session=self.session)

    async def set_rate_limit(self, partner_id: str, rate_per_s: float, burst: int) -> bool:
        result = await self.collection.update_one(
            {"_id": partner_id},
            {"$set": {"rate_per_s": rate_per_s, "burst": burst}},
            session=self.session,
        )
        return result.matched_count == 1


class ApiKeys(Repository):
    collection_name = "api_keys"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes([IndexModel([("partner_id", ASCENDING)])])

    async def insert(self, key: Document) -> None:
        await self.collection.insert_one(key, session=self.session)

    async def get(self, key_id: str) -> Document | None:
        return await self.collection.find_one({"_id": key_id}, session=self.session)

    async def revoke(self, key_id: str, at: datetime) -> bool:
        result = await self.collection.update_one(
            {"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": at}}, session=self.session
        )
        return result.modified_count == 1

    async def listing(self, partner_id: str | None = None) -> list[Document]:
        """Keys without their secrets' digests, oldest first."""
        query = {"partner_id": partner_id} if partner_id else {}
        found = self.collection.find(query, {"secret_sha256": 0}, session=self.session)
        return await found.sort("created_at", ASCENDING).to_list()
