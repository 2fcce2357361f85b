"""The ceilings of batched scans in ``bench.tracking``: raw ``insert_many`` of scan
documents, and the storage floor (the writes a batch must make, in one transaction a
chunk, with nothing else)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from bench.helpers import LoadResult
from fairwind.domain.waybill import format_waybill
from fairwind.events import EncodedEvent, EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.outbox import Outbox
from fairwind.v1 import common_pb2, tracking_pb2
from services.tracking.store import TrackingStore

CHUNK = 1000
CHUNKS = 10


async def bulk_scans(mongo_url: str, one_scan: Any) -> LoadResult:
    """What MongoDB itself takes: scan-sized documents by insert_many, no transaction."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    db = client[f"bench_bulk_{uuid.uuid4().hex[:6]}"]
    latencies: list[float] = []
    begin = time.perf_counter()
    for _ in range(CHUNKS):
        docs = [one_scan() | {"_id": f"x{n}"} for n in range(CHUNK)]
        for doc in docs:
            doc["_id"] = doc.pop("scan_id")
        started = time.perf_counter()
        await db["scans"].insert_many(docs, ordered=False)
        latencies.append(time.perf_counter() - started)
    elapsed = time.perf_counter() - begin
    await client.drop_database(db.name)
    await client.close()
    return LoadResult(CHUNKS * CHUNK, 0, elapsed, latencies)


class StorageFloor:
    """The storage floor of batched scans: per chunk of 1,000 scans, the writes a batch
    must make, in one transaction: ``insert_many`` of the scan documents, one
    ``bulk_write`` setting the new status fields and hop of each shipment scanned, and
    ``insert_many`` of the outbox records (a ScanRecorded and a ShipmentStatusChanged a
    scan, as these scans cause). On a copy of the benchmark's shipments with the service's
    indexes; no reads, no validation, no event encoding, no HTTP: a chunk is built before
    its clock starts."""

    def __init__(self, mongo_url: str) -> None:
        self.client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
        self.db = self.client[f"bench_floor_{uuid.uuid4().hex[:6]}"]
        self.templates = _outbox_templates()
        self.latencies: list[float] = []

    async def open(self, database: str) -> StorageFloor:
        """Indexes as the service makes them, and the shipments of ``database``."""
        await TrackingStore(self.db).create_indexes()
        await Outbox(self.db).create_indexes()
        ships = await self.client[database]["shipments"].find().to_list()
        await self.db["shipments"].insert_many(ships)
        return self

    async def chunk(self, items: list[dict[str, Any]]) -> None:
        """The writes of one batch of ``items`` (scans as the API takes them), timed."""
        scans = [_scan_doc(item) for item in items]
        updates = _shipment_updates(scans)
        outbox = [_outbox_doc(template) for _ in scans for template in self.templates]

        async def write(session: AsyncClientSession) -> None:
            await self.db["scans"].insert_many(scans, session=session)
            await self.db["shipments"].bulk_write(updates, ordered=False, session=session)
            await self.db["outbox"].insert_many(outbox, session=session)

        started = time.perf_counter()
        async with self.client.start_session() as session:
            await session.with_transaction(write)
        self.latencies.append(time.perf_counter() - started)

    def result(self) -> LoadResult:
        return LoadResult(len(self.latencies) * CHUNK, 0, sum(self.latencies), self.latencies)

    async def close(self) -> None:
        await self.client.drop_database(self.db.name)
        await self.client.close()


def _scan_doc(scan: dict[str, Any]) -> dict[str, Any]:
    """A scan document as the service stores it."""
    now = datetime.now(UTC)
    return {
        "_id": scan["scan_id"],
        "waybill": scan["waybill"],
        "event": scan["event"],
        "location": {"code": scan["location"], "kind": "hub", "city_code": "SZX"},
        "courier_id": None,
        "device_id": "bench-device",
        "device_time": datetime.fromisoformat(scan["device_time"]),
        "recorded_at": now,
        "reason": None,
        "pod": None,
        "next_location": None,
        "note": None,
        "out_of_order": False,
    }


def _shipment_updates(scans: list[dict[str, Any]]) -> list[UpdateOne]:
    """One update per shipment scanned: the fields its last scan sets."""
    last = {scan["waybill"]: scan for scan in scans}
    return [
        UpdateOne(
            {"_id": waybill},
            {
                "$set": {
                    "status": "in_transit",
                    "substatus": scan["event"],
                    "key": [3, scan["device_time"], scan["_id"]],
                    "reason": None,
                    "location": scan["location"],
                    "updated_at": scan["recorded_at"],
                    f"hops.{scan['location']['code']}": {
                        "location": scan["location"],
                        "order": 0,
                        "arrived_at": scan["device_time"],
                    },
                }
            },
        )
        for waybill, scan in last.items()
    ]


def _outbox_templates() -> list[EncodedEvent]:
    """The two records a scan of these causes, encoded once (the floor encodes nothing)."""
    codec = EventCodec(platform_catalog(), "tracking")
    where = common_pb2.LocationRef(code="HSZX", kind=common_pb2.LOCATION_KIND_HUB, city_code="SZX")
    scan = tracking_pb2.Scan(
        scan_id="s123456", waybill=format_waybill("FW", 1), location=where, device_id="d" * 16
    )
    scan.device_time.GetCurrentTime()
    scan.recorded_at.GetCurrentTime()
    changed = tracking_pb2.ShipmentStatusChanged(
        waybill=scan.waybill, scan_id=scan.scan_id, location=where, partner_id="bench"
    )
    changed.occurred_at.GetCurrentTime()
    return codec.encode_many(
        [(tracking_pb2.ScanRecorded(scan=scan), scan.waybill), (changed, scan.waybill)]
    )


def _outbox_doc(event: EncodedEvent) -> dict[str, Any]:
    """An outbox record as the kit stores one (``fairwind/mongo/outbox.py``)."""
    return {
        "_id": ObjectId(),
        "event_id": uuid.uuid4().hex,
        "event_type": event.event_type,
        "topic": event.topic,
        "key": event.key,
        "value": event.value,
        "headers": event.headers,
        "created_at": datetime.now(UTC),
        "published_at": None,
    }
