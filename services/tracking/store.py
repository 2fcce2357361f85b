"""The tracking database: one document per shipment (status, route, hops), one per scan."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from services.tracking.domain.status import Key, Position, Status

Document = dict[str, Any]


def key_of(ship: Document) -> Key:
    rank, at, ident = ship["key"]
    return Key(rank, at, ident)


def position_of(ship: Document) -> Position:
    return Position(Status(ship["status"]), ship.get("substatus") or "", key_of(ship))


class TrackingStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.shipments = db["shipments"]
        self.scans = db["scans"]
        # Scans, routes, dispatches and cancellations that came before their order, and
        # those that waited in vain or could not be applied (see handlers.park).
        self.early = db["early_events"]
        self.unmatched = db["early_unmatched"]

    async def create_indexes(self) -> None:
        await self.scans.create_indexes(
            [
                IndexModel([("waybill", ASCENDING), ("device_time", ASCENDING)], name="timeline"),
            ]
        )
        await self.early.create_indexes(
            [
                IndexModel([("waybill", ASCENDING)], name="waybill"),
                IndexModel([("parked_at", ASCENDING)], name="parked_at"),
            ]
        )
        await self.unmatched.create_indexes([IndexModel([("waybill", ASCENDING)], name="waybill")])
        await self.shipments.create_indexes(
            [
                IndexModel([("courier_id", ASCENDING), ("updated_at", DESCENDING)], name="courier"),
                IndexModel(
                    [("location.code", ASCENDING), ("updated_at", DESCENDING)], name="location"
                ),
            ]
        )

    async def get(self, waybill: str) -> Document | None:
        return await self.shipments.find_one({"_id": waybill})

    async def many(self, waybills: list[str]) -> dict[str, Document]:
        found = self.shipments.find({"_id": {"$in": waybills}})
        return {doc["_id"]: doc async for doc in found}

    async def timeline(self, waybill: str, limit: int = 500) -> list[Document]:
        found = self.scans.find({"waybill": waybill}).sort("device_time", ASCENDING)
        return await found.limit(limit).to_list()

    async def listing(
        self, field: str, value: str, statuses: list[str], skip: int, limit: int
    ) -> list[Document]:
        query: Document = {field: value}
        if statuses:
            query["status"] = {"$in": statuses}
        found = self.shipments.find(query).sort("updated_at", DESCENDING)
        return await found.skip(skip).limit(limit).to_list()
