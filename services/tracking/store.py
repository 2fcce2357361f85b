"""The tracking database: one document per shipment (status, route, hops), one per scan."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from services.tracking.domain.route import Plan, PlannedLeg, plan_in_force
from services.tracking.domain.status import Key, Position, Status

Document = dict[str, Any]
SINCE_EVER = datetime.min.replace(tzinfo=UTC)


def key_of(ship: Document) -> Key:
    rank, at, ident = ship["key"]
    return Key(rank, at, ident)


def position_of(ship: Document) -> Position:
    return Position(Status(ship["status"]), ship.get("substatus") or "", key_of(ship))


def legs_of(route: Document) -> tuple[PlannedLeg, ...]:
    return tuple(
        PlannedLeg(leg["from"]["code"], leg["to"]["code"], leg["depart"], leg["arrive"])
        for leg in route.get("legs", [])
    )


def plans_of(ship: Document) -> list[Plan]:
    """Every route version the shipment had (``plans``; a document from before the history
    was kept has only its ``route``, in force from the start)."""
    docs = ship.get("plans") or ([ship["route"]] if ship.get("route") else [])
    return [Plan(d["version"], d.get("since") or SINCE_EVER, legs_of(d)) for d in docs]


def hops_of(ship: Document) -> list[tuple[Document, bool]]:
    """The places the parcel went through, in order, each with whether it was on the plan in
    force when the parcel got there."""
    plans = plans_of(ship)
    hops = sorted((ship.get("hops") or {}).values(), key=lambda h: h.get("order", 0))
    judged = []
    for hop in hops:
        times = [hop[name] for name in ("arrived_at", "sorted_at", "departed_at") if hop.get(name)]
        plan = plan_in_force(plans, min(times)) if times else None
        judged.append((hop, plan is not None and hop["location"]["code"] in plan.places))
    return judged


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
