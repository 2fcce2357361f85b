"""Tracking: single scans/s, batched scans/s and lookup latency against a running tracking
service (real mongod and broker), with the ceilings that bound them measured in the same run:
FastAPI alone for single scans; for batches, raw ``insert_many`` of scan documents and the
storage floor of batched scans (the writes a batch must make, in one transaction a chunk)."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from bson import ObjectId
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from bench.helpers import LoadResult, Service, closed_loop, open_loop
from bench.infra import bench_settings, machine
from bench.summary import Figure, record, scaled
from fairwind.domain.waybill import format_waybill
from fairwind.events import EncodedEvent, EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.outbox import Outbox
from fairwind.v1 import common_pb2, orders_pb2, tracking_pb2
from services.tracking import handlers
from services.tracking.bootstrap import bootstrap
from services.tracking.settings import TrackingSettings
from services.tracking.store import TrackingStore

SHIPMENTS = int(scaled(20_000, 5_000))
SECONDS = scaled(8.0, 3.0)
EVENTS = ("arrived", "sorted", "departed")
CHUNK = 1000
CHUNKS = 10
BATCHED = "batched scans (1,000 per request)"
BULK = "insert_many ceiling (scan documents, 1,000 a call)"
FLOOR = "storage floor (scans + shipments + outbox, 1 txn)"


async def prepare(settings: TrackingSettings) -> tuple[str, list[str]]:
    """Shipments (through the real OrderCreated batch handler, 500 a batch as a poll brings
    them) and a hub scanner token."""
    app = await bootstrap(settings, registry=CollectorRegistry())
    try:
        waybills = [format_waybill("FW", n) for n in range(1, SHIPMENTS + 1)]  # valid check digits
        codec = app.platform.codec

        def created(waybill: str) -> Any:
            order = orders_pb2.Order(waybill=waybill, partner_id="bench")
            return codec.decode(*_raw(codec.encode(orders_pb2.OrderCreated(order=order), waybill)))

        for chunk in range(0, SHIPMENTS, 500):
            batch = [created(w) for w in waybills[chunk : chunk + 500]]
            await handlers.on_orders_created(app.service, batch)
        issued = await app.service.devices.create("HSZX", "hub", "SZX")
        return issued.token, waybills
    finally:
        await app.close()


def _raw(encoded: Any) -> tuple[Any, ...]:
    return (encoded.topic, encoded.key, encoded.value, encoded.headers)


async def main() -> None:
    with bench_settings("bench-tracking") as base:
        database = f"bench_tracking_{uuid.uuid4().hex[:6]}"
        settings = TrackingSettings(
            kafka_bootstrap=base.kafka_bootstrap,
            mongo_url=base.mongo_url,
            broker_profile=base.broker_profile,
            mongo_db=database,
        )
        token, waybills = await prepare(settings)
        tracking = Service(["-m", "services.tracking", "serve"], {})
        tracking.env = {
            "FAIRWIND_KAFKA_BOOTSTRAP": base.kafka_bootstrap,
            "FAIRWIND_MONGO_URL": base.mongo_url,
            "FAIRWIND_BROKER_PROFILE": base.broker_profile.value,
            "FAIRWIND_MONGO_DB": database,
            "FAIRWIND_HTTP_PORT": str(tracking.port),
            "FAIRWIND_GRPC_PORT": "0",
            "FAIRWIND_LOG_LEVEL": "WARNING",
        }
        echo = Service(["-m", "bench.echo_server"], {})
        echo.argv = [*echo.argv, str(echo.port)]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        url = f"http://127.0.0.1:{tracking.port}"
        rng = random.Random(5)
        start = datetime.now(UTC) - timedelta(hours=6)
        counter = iter(range(10**9))

        def one_scan() -> dict[str, Any]:
            n = next(counter)
            return {
                "scan_id": f"s{n}",
                "waybill": rng.choice(waybills),
                "event": EVENTS[n % 3],
                "location": "HSZX",
                # 0.1 s apart: a run's scans never reach the future (refused then)
                "device_time": (start + timedelta(seconds=n / 10)).isoformat(),
            }

        async def post_scan(session: aiohttp.ClientSession, _: int) -> bool:
            async with session.post(
                f"{url}/v1/scans", data=json.dumps(one_scan()), headers=headers
            ) as response:
                await response.read()
                return response.status == 201

        async def lookup(session: aiohttp.ClientSession, _: int) -> bool:
            async with session.get(f"{url}/v1/track/{rng.choice(waybills)}") as response:
                await response.read()
                return response.status == 200

        async def ceiling(session: aiohttp.ClientSession, _: int) -> bool:
            from tests.integration.orders.conftest import ORDER  # noqa: PLC0415

            async with session.post(
                f"http://127.0.0.1:{echo.port}/v1/orders", data=json.dumps(ORDER), headers=headers
            ) as response:
                await response.read()
                return response.status == 201

        results: dict[str, LoadResult] = {}
        try:
            tracking.start()
            echo.start()
            await closed_loop(post_scan, 8, 2)
            results["http ceiling (FastAPI, validation only)"] = await closed_loop(
                ceiling, 64, SECONDS / 2
            )
            results["single scans, closed loop (64 in flight)"] = await closed_loop(
                post_scan, 64, SECONDS
            )
            floor = await StorageFloor(base.mongo_url).open(database)
            batched = Batches(url, headers, floor, floor.client[database]["outbox"])
            try:
                await drained(batched.outbox)  # the single scans' events are out
                await batched.run(one_scan)
            finally:
                await floor.close()
            results[BATCHED], results[FLOOR] = batched.result(), floor.result()
            relay_s = statistics.fmean(batched.relay_s)
            results[BULK] = await bulk_scans(base.mongo_url, one_scan)
            # How many lookups the process serves at all: at 500/s offered beyond it, the
            # open loop's queue grows and the p99 measures the queue, not a lookup.
            results["lookup GET /v1/track, closed loop (64 in flight)"] = await closed_loop(
                lookup, 64, SECONDS / 2
            )
            results["lookup GET /v1/track, open loop at 500/s"] = await open_loop(
                lookup, 500, SECONDS
            )
        finally:
            tracking.stop()
            echo.stop()
    report(results, relay_s)


def report(results: dict[str, LoadResult], relay_s: float) -> None:
    print(
        f"\n== tracking ({machine()}; tracking process, mongod, broker and the load "
        f"generator on the same box; {SHIPMENTS:,} shipments)"
    )
    for name, result in results.items():
        print(f"{name:50} {result.summary()}")
    print("targets: single >= 2,000 scans/s; batched >= 20,000 scans/s; lookup p99 <= 10 ms")
    http = results["http ceiling (FastAPI, validation only)"].rate
    bulk = results[BULK].rate
    floor = results[FLOOR].rate
    single = results["single scans, closed loop (64 in flight)"].rate
    batched = results[BATCHED].rate
    lookups = results["lookup GET /v1/track, open loop at 500/s"]
    capacity = results["lookup GET /v1/track, closed loop (64 in flight)"].rate
    print(f"lookup capacity {capacity:,.0f}/s: 500/s offered is {500 / capacity:.2f} of it")
    print(
        f"the relay took {relay_s * 1000:,.0f} ms a batch to publish its events after the "
        f"answer (not in either figure); a batch took {results[BATCHED].percentile(50) * 1000:,.0f}"
        f" ms (p50), its floor {results[FLOOR].percentile(50) * 1000:,.0f} ms"
    )
    print(
        f"ratio single/http ceiling {single / http:.2f}, batched/insert_many {batched / bulk:.2f}, "
        f"batched/storage floor {batched / floor:.2f} (the floor is its bound)"
    )
    record(Figure("tracking", "single scans", single, "scans/s", ">= 2,000/s", "http", http))
    record(
        Figure(
            "tracking", "batched scans", batched, "scans/s", ">= 20,000/s", "storage floor", floor
        )
    )
    record(
        Figure("tracking", "lookup p99 at 500/s", lookups.percentile(99) * 1000, "ms", "<= 10 ms")
    )
    record(Figure("tracking", "lookup capacity", capacity, "lookups/s", ">= 500/s with headroom"))


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


async def drained(
    outbox: AsyncCollection[dict[str, Any]], timeout_s: float = 120, poll_s: float = 0.5
) -> None:
    """Once the relay has published everything in ``outbox``."""
    deadline = time.monotonic() + timeout_s
    while await outbox.count_documents({"published_at": None}):
        if time.monotonic() > deadline:
            raise RuntimeError("the outbox did not drain")
        await asyncio.sleep(poll_s)


@dataclass
class Batches:
    """Batched scans, each batch followed by the relay publishing its events and then one
    chunk of the storage floor: this box swings by 2x within seconds, so the figure and its
    bound are measured side by side, and a floor chunk never shares the box with the relay
    (which would lower the bound)."""

    url: str
    headers: dict[str, str]
    floor: StorageFloor
    outbox: AsyncCollection[dict[str, Any]]
    latencies: list[float] = field(default_factory=list)
    relay_s: list[float] = field(default_factory=list)  # batch answered -> outbox drained
    recorded: int = 0

    async def run(self, one_scan: Any) -> None:
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for _ in range(CHUNKS):
                await self.post(session, [one_scan() for _ in range(CHUNK)])
                started = time.perf_counter()
                await drained(self.outbox, poll_s=0.01)
                self.relay_s.append(time.perf_counter() - started)
                await self.floor.chunk([one_scan() for _ in range(CHUNK)])

    async def post(self, session: aiohttp.ClientSession, scans: list[dict[str, Any]]) -> None:
        body = json.dumps({"scans": scans})
        started = time.perf_counter()
        async with session.post(
            f"{self.url}/v1/scans:batch", data=body, headers=self.headers
        ) as response:
            payload = await response.json()
            assert response.status == 200, payload
        self.latencies.append(time.perf_counter() - started)
        self.recorded += payload["recorded"]  # only what was recorded counts

    def result(self) -> LoadResult:
        failed = len(self.latencies) * CHUNK - self.recorded
        return LoadResult(self.recorded, failed, sum(self.latencies), self.latencies)


if __name__ == "__main__":
    asyncio.run(main())
