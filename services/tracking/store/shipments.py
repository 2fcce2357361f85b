"""One document per shipment (``shipments``, ``_id`` = waybill): the status, the route and
its versions, the hops taken, the deviations reported."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne
from pymongo.asynchronous.change_stream import AsyncChangeStream

from fairwind.mongo.repository import Repository
from services.tracking.store.scans import TIMELINE_LIMIT, Scans

Document = dict[str, Any]
_TIMELINE = "__timeline"  # not a shipment field: the scans joined in for a lookup
# What a status move (pickup dispatched, cancelled) reads: its position and what its
# ShipmentStatusChanged tells, without the route, plans, hops and parties.
MOVE_VIEW = (
    "status",
    "substatus",
    "key",
    "reason",
    "location",
    "courier_id",
    "eta",
    "partner_id",
    "customer_id",
    "service_level",
    "customer_tier",
    "promise",
)
# What recording a scan reads (``services.tracking.recording``): a move's view, and the
# route and its plans, the hops and the deviations reported; not the parties, the largest
# part, nor what it only writes.
SCAN_VIEW = (*MOVE_VIEW, "origin_outlet", "route", "plans", "hops", "deviations")


@dataclass(frozen=True, slots=True)
class RouteUpdate:
    """A route version for a shipment: ``plan`` (the stored route, with its ``version``)
    and the shipment fields it sets when it is the newest (``fields``)."""

    waybill: str
    plan: Document
    fields: Document


class Shipments(Repository):
    collection_name = "shipments"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel([("courier_id", ASCENDING), ("updated_at", DESCENDING)], name="courier"),
                IndexModel(
                    [("location.code", ASCENDING), ("updated_at", DESCENDING)], name="location"
                ),
            ]
        )

    async def get(self, waybill: str) -> Document | None:
        return await self.collection.find_one({"_id": waybill}, session=self.session)

    async def with_timeline(
        self, waybill: str, limit: int = TIMELINE_LIMIT
    ) -> tuple[Document | None, list[Document]]:
        """The shipment and its first ``limit`` scans in device time, in one round trip: a
        lookup shows both, and a second query was a third of a lookup's cost."""
        pipeline: list[Document] = [
            {"$match": {"_id": waybill}},
            {
                "$lookup": {
                    "from": Scans.collection_name,
                    "localField": "_id",
                    "foreignField": "waybill",
                    "pipeline": [{"$sort": {"device_time": ASCENDING}}, {"$limit": limit}],
                    "as": _TIMELINE,
                }
            },
        ]
        cursor = await self.collection.aggregate(pipeline, session=self.session)
        found = await cursor.to_list()
        if not found:
            return None, []
        shipment = found[0]
        return shipment, shipment.pop(_TIMELINE)

    async def many(self, waybills: Collection[str]) -> dict[str, Document]:
        found = self.collection.find({"_id": {"$in": list(waybills)}}, session=self.session)
        return {doc["_id"]: doc async for doc in found}

    async def for_scans(self, waybills: Collection[str]) -> dict[str, Document]:
        """The shipments, as recording scans reads them (``SCAN_VIEW``): a part of each,
        so write them back with ``set_fields``."""
        return await self.projected(waybills, SCAN_VIEW)

    async def for_moves(self, waybills: Collection[str]) -> dict[str, Document]:
        """The shipments, as a status move reads them (``MOVE_VIEW``); written back with
        ``set_fields``."""
        return await self.projected(waybills, MOVE_VIEW)

    async def projected(
        self, waybills: Collection[str], view: tuple[str, ...]
    ) -> dict[str, Document]:
        """The fields of ``view`` of the shipments stored (and ``_id``)."""
        found = self.collection.find({"_id": {"$in": list(waybills)}}, view, session=self.session)
        return {doc["_id"]: doc async for doc in found}

    async def listing(
        self, field: str, value: str, statuses: list[str], skip: int, limit: int
    ) -> list[Document]:
        query: Document = {field: value}
        if statuses:
            query["status"] = {"$in": statuses}
        found = self.collection.find(query, session=self.session).sort("updated_at", DESCENDING)
        return await found.skip(skip).limit(limit).to_list()

    async def create(self, ships: Sequence[Document]) -> int:
        """Store each shipment unless it is stored already (a redelivered order changes
        nothing); how many were new."""
        if not ships:
            return 0
        result = await self.collection.bulk_write(
            [UpdateOne({"_id": s["_id"]}, {"$setOnInsert": s}, upsert=True) for s in ships],
            ordered=False,
            session=self.session,
        )
        return result.upserted_count

    async def set_fields(self, changes: Iterable[tuple[str, Document]]) -> None:
        """Set fields of shipments read in this unit (``(waybill, fields)``), in one bulk
        write: a concurrent writer of one of them makes the unit run again, as with
        ``replace``, and only the fields named are sent."""
        updates = [UpdateOne({"_id": waybill}, {"$set": fields}) for waybill, fields in changes]
        if updates:
            await self.collection.bulk_write(updates, ordered=False, session=self.session)

    async def plan(self, updates: Sequence[RouteUpdate]) -> None:
        """Keep every route version in ``plans`` (once, sorted) and the newest as ``route``
        with its fields; an older version coming late changes only ``plans``."""
        writes: list[UpdateOne] = []
        for update in updates:
            version = update.plan["version"]
            newer = {
                "_id": update.waybill,
                "$or": [
                    {"route": None},
                    {"route": {"$exists": False}},
                    {"route.version": {"$lt": version}},
                ],
            }
            writes.append(UpdateOne(newer, {"$set": {"route": update.plan} | update.fields}))
            writes.append(
                UpdateOne(
                    {"_id": update.waybill, "plans.version": {"$ne": version}},
                    {"$push": {"plans": {"$each": [update.plan], "$sort": {"version": 1}}}},
                )
            )
        if writes:
            # In order: versions of one waybill in a batch apply as they came.
            await self.collection.bulk_write(writes, ordered=True, session=self.session)

    async def changes(self) -> AsyncChangeStream[Document]:
        """Which shipments change, as they do: ids only (the listener reads the ones it
        wants), so the server looks up and sends no whole documents."""
        pipeline: list[Document] = [
            {"$match": {"operationType": {"$in": ["update", "replace"]}}},
            {"$project": {"documentKey": 1}},
        ]
        return await self.collection.watch(pipeline, session=self.session)
