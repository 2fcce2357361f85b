"""The network's places tracking knows (``locations``, ``_id`` = outlet or hub code) and
the devices that scan there (``devices``, token stored as a SHA-256 digest)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import UpdateOne

from fairwind.mongo.repository import Repository

Document = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    kind: str  # "outlet" | "hub"
    city_code: str = ""
    name: str = ""


class Places(Repository):
    collection_name = "locations"

    async def get(self, code: str) -> Document | None:
        return await self.collection.find_one({"_id": code}, session=self.session)

    async def register(self, places: Sequence[Place]) -> None:
        """Create or update each place (a route names its places again and again)."""
        updates = [
            UpdateOne(
                {"_id": p.code},
                {"$set": {"kind": p.kind, "city_code": p.city_code, "name": p.name}},
                upsert=True,
            )
            for p in places
        ]
        if updates:
            await self.collection.bulk_write(updates, ordered=False, session=self.session)


class Devices(Repository):
    collection_name = "devices"

    async def get(self, device_id: str) -> Document | None:
        return await self.collection.find_one({"_id": device_id}, session=self.session)

    async def insert(self, device: Document) -> None:
        await self.collection.insert_one(device, session=self.session)

    async def revoke(self, device_id: str, at: datetime) -> bool:
        """False if there is no such device or it is revoked already."""
        result = await self.collection.update_one(
            {"_id": device_id, "revoked_at": None},
            {"$set": {"revoked_at": at}},
            session=self.session,
        )
        return result.modified_count == 1
