"""Tracking: single scans/s, batched scans/s and lookup latency against a running tracking
service (real mongod and broker), with an HTTP ceiling measured in the same run."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from bench.helpers import LoadResult, Service, closed_loop, open_loop
from bench.infra import bench_settings, machine
from bench.summary import Figure, record, scaled
from fairwind.domain.waybill import format_waybill
from fairwind.v1 import orders_pb2
from services.tracking import handlers
from services.tracking.bootstrap import bootstrap
from services.tracking.settings import TrackingSettings

SHIPMENTS = int(scaled(20_000, 5_000))
SECONDS = scaled(8.0, 3.0)
EVENTS = ("arrived", "sorted", "departed")


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
                "device_time": (start + timedelta(seconds=n)).isoformat(),
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
            results["batched scans (1,000 per request)"] = await batches(url, headers, one_scan)
            results["insert_many ceiling (scan documents, 1,000 a call)"] = await bulk_scans(
                base.mongo_url, one_scan
            )
            await drained(base.mongo_url, database)  # the relay is done publishing the scans
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
    report(results)


def report(results: dict[str, LoadResult]) -> None:
    print(
        f"\n== tracking ({machine()}; tracking process, mongod, broker and the load "
        f"generator on the same box; {SHIPMENTS:,} shipments)"
    )
    for name, result in results.items():
        print(f"{name:50} {result.summary()}")
    print("targets: single >= 2,000 scans/s; batched >= 20,000 scans/s; lookup p99 <= 10 ms")
    http = results["http ceiling (FastAPI, validation only)"].rate
    bulk = results["insert_many ceiling (scan documents, 1,000 a call)"].rate
    single = results["single scans, closed loop (64 in flight)"].rate
    batched = results["batched scans (1,000 per request)"].rate
    lookups = results["lookup GET /v1/track, open loop at 500/s"]
    capacity = results["lookup GET /v1/track, closed loop (64 in flight)"].rate
    print(f"lookup capacity {capacity:,.0f}/s: 500/s offered is {500 / capacity:.2f} of it")
    print(
        f"ratio single/http ceiling {single / http:.2f}, batched/insert_many {batched / bulk:.2f}"
    )
    record(Figure("tracking", "single scans", single, "scans/s", ">= 2,000/s", "http", http))
    record(
        Figure("tracking", "batched scans", batched, "scans/s", ">= 20,000/s", "insert_many", bulk)
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
    for _ in range(10):
        docs = [one_scan() | {"_id": f"x{n}"} for n in range(1000)]
        for doc in docs:
            doc["_id"] = doc.pop("scan_id")
        started = time.perf_counter()
        await db["scans"].insert_many(docs, ordered=False)
        latencies.append(time.perf_counter() - started)
    elapsed = time.perf_counter() - begin
    await client.drop_database(db.name)
    await client.close()
    return LoadResult(10_000, 0, elapsed, latencies)


async def drained(mongo_url: str, database: str, timeout_s: float = 120) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        deadline = time.monotonic() + timeout_s
        while await client[database]["outbox"].count_documents({"published_at": None}):
            if time.monotonic() > deadline:
                raise RuntimeError("the outbox did not drain")
            await asyncio.sleep(0.5)
    finally:
        await client.close()


async def batches(url: str, headers: dict[str, str], one_scan: Any) -> LoadResult:
    latencies: list[float] = []
    count = 10
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        begin = time.perf_counter()
        for _ in range(count):
            body = json.dumps({"scans": [one_scan() for _ in range(1000)]})
            started = time.perf_counter()
            async with session.post(
                f"{url}/v1/scans:batch", data=body, headers=headers
            ) as response:
                payload = await response.json()
                assert response.status == 200, payload
            latencies.append(time.perf_counter() - started)
        elapsed = time.perf_counter() - begin
    return LoadResult(count * 1000, 0, elapsed, latencies)


if __name__ == "__main__":
    asyncio.run(main())
