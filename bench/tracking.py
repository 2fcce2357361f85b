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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from prometheus_client import CollectorRegistry
from pymongo.asynchronous.collection import AsyncCollection

from bench.cpu import box_bound, by_role, spent
from bench.helpers import (
    LoadResult,
    Service,
    closed_loop,
    closed_loop_cpu,
    open_loop,
    sustained,
)
from bench.infra import bench_settings, machine
from bench.summary import Figure, record, scaled
from bench.tracking_floor import CHUNK, CHUNKS, StorageFloor, bulk_scans
from fairwind.domain.waybill import format_waybill
from fairwind.v1 import orders_pb2
from services.tracking import handlers
from services.tracking.bootstrap import bootstrap
from services.tracking.settings import TrackingSettings

SHIPMENTS = int(scaled(20_000, 3_000))
SECONDS = scaled(8.0, 2.0)
EVENTS = ("arrived", "sorted", "departed")
HTTP = "http ceiling (FastAPI, validation only)"
SINGLE = "single scans, closed loop (64 in flight)"
BATCHED = "batched scans (1,000 per request)"
BULK = "insert_many ceiling (scan documents, 1,000 a call)"
IN_FLIGHT = 2
SUSTAINED = f"batched scans, {IN_FLIGHT} requests in flight, until published"
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


def tracking_service(settings: TrackingSettings) -> Service:
    tracking = Service(["-m", "services.tracking", "serve"], {})
    tracking.env = {
        "FAIRWIND_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "FAIRWIND_MONGO_URL": settings.mongo_url,
        "FAIRWIND_BROKER_PROFILE": settings.broker_profile.value,
        "FAIRWIND_MONGO_DB": settings.mongo_db,
        "FAIRWIND_HTTP_PORT": str(tracking.port),
        "FAIRWIND_GRPC_PORT": "0",
        "FAIRWIND_LOG_LEVEL": "WARNING",
    }
    return tracking


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
        tracking = tracking_service(settings)
        echo = Service(["-m", "bench.echo_server"], {})
        echo.argv = [*echo.argv, str(echo.port)]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        url = f"http://127.0.0.1:{tracking.port}"
        rng = random.Random(5)
        start = datetime.now(UTC) - timedelta(hours=6)
        counter = iter(range(10**9))

        def one_scan(pool: list[str] = waybills) -> dict[str, Any]:
            n = next(counter)
            return {
                "scan_id": f"s{n}",
                "waybill": rng.choice(pool),
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
        cpu: dict[str, Any] = {}  # CPU seconds of the serving process, or by role
        try:
            tracking.start()
            echo.start()
            await closed_loop(post_scan, 8, 2)
            results[HTTP], cpu["http"], _ = await closed_loop_cpu(echo, ceiling, 64, SECONDS / 2)
            results[SINGLE], cpu["single"], cpu["single box"] = await closed_loop_cpu(
                tracking, post_scan, 64, SECONDS
            )
            relay_s = await batch_figures(
                base.mongo_url, database, (url, headers), one_scan, waybills, results, cpu
            )
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
    report(results, relay_s, cpu)


def report(results: dict[str, LoadResult], relay_s: float, cpu: dict[str, Any]) -> None:
    print(
        f"\n== tracking ({machine()}; tracking process, mongod, broker and the load "
        f"generator on the same box; {SHIPMENTS:,} shipments)"
    )
    for name, result in results.items():
        print(f"{name:50} {result.summary()}")
    print("targets: single >= 2,000 scans/s; batched >= 20,000 scans/s; lookup p99 <= 10 ms")
    http = results[HTTP].rate
    bulk = results[BULK].rate
    floor = results[FLOOR].rate
    single = results[SINGLE].rate
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
    single_cpu = results[SINGLE].ok / cpu["single"]
    http_cpu = results[HTTP].ok / cpu["http"]
    print(
        f"per CPU-second of the serving process: single scans {single_cpu:,.0f} "
        f"(all of a scan's work, its transaction's share and the relay), FastAPI alone "
        f"{http_cpu:,.0f}; ratio {single_cpu / http_cpu:.2f}"
    )
    print("single scans, every process of the box:")
    single_box = box_bound(cpu["single box"], results[SINGLE].ok, "scan")
    record(Figure("tracking", "single scans", single, "scans/s", ">= 2,000/s", "http", http))
    record(
        Figure(
            "tracking",
            "single scans against the box's CPU",
            single,
            "scans/s",
            ">= 2,000/s",
            "box CPU: cores / CPU per scan",
            single_box,
        )
    )
    record(
        Figure(
            "tracking",
            "single scans per CPU-s of the process",
            single_cpu,
            "scans/CPU-s",
            ">= 2,000/s",
            "FastAPI alone, per CPU-s",
            http_cpu,
        )
    )
    print("batched scans (while posted; the relay after is not in it), every process:")
    box = box_bound(cpu["batched"], results[BATCHED].ok, "scan")
    record(
        Figure(
            "tracking", "batched scans", batched, "scans/s", ">= 20,000/s", "storage floor", floor
        )
    )
    record(
        Figure(
            "tracking",
            "batched scans against the box's CPU",
            batched,
            "scans/s",
            ">= 20,000/s",
            "box CPU: cores / CPU per scan",
            box,
        )
    )
    print(f"{SUSTAINED} (every process, the relay included):")
    sustained_box = box_bound(cpu["sustained"], results[SUSTAINED].ok, "scan")
    record(
        Figure(
            "tracking",
            f"batched scans, {IN_FLIGHT} in flight, until published",
            results[SUSTAINED].rate,
            "scans/s",
            ">= 20,000/s",
            "box CPU: cores / CPU per scan",
            sustained_box,
        )
    )
    record(
        Figure("tracking", "lookup p99 at 500/s", lookups.percentile(99) * 1000, "ms", "<= 10 ms")
    )
    record(Figure("tracking", "lookup capacity", capacity, "lookups/s", ">= 500/s with headroom"))


async def batch_figures(
    mongo_url: str,
    database: str,
    target: tuple[str, dict[str, str]],
    one_scan: Callable[..., dict[str, Any]],
    waybills: list[str],
    results: dict[str, LoadResult],
    cpu: dict[str, Any],
) -> float:
    """Batched scans one at a time beside their storage floor, then ``IN_FLIGHT`` at a
    time until published; fills ``results`` and ``cpu``, returns the relay's time a batch."""
    url, headers = target
    hubs = [waybills[k::IN_FLIGHT] for k in range(IN_FLIGHT)]
    floor = await StorageFloor(mongo_url).open(database)
    batched = Batches(url, headers, floor, floor.client[database]["outbox"])
    try:
        await drained(batched.outbox)  # the single scans' events are out
        await batched.run(one_scan)
        results[BATCHED], results[FLOOR] = batched.result(), floor.result()
        results[SUSTAINED], cpu["sustained"] = await sustained(
            # as hubs would: each sender scans its own parcels (a parcel is in one place)
            lambda session, i: post_scans(
                session, url, headers, [one_scan(hubs[i % IN_FLIGHT]) for _ in range(CHUNK)]
            ),
            int(scaled(2 * CHUNKS, CHUNKS)),
            IN_FLIGHT,
            lambda: drained(batched.outbox, poll_s=0.01),
        )
    finally:
        await floor.close()
    relay_s, cpu["batched"] = statistics.fmean(batched.relay_s), batched.cpu
    return relay_s


async def drained(
    outbox: AsyncCollection[dict[str, Any]], timeout_s: float = 120, poll_s: float = 0.5
) -> None:
    """Once the relay has published everything in ``outbox``."""
    deadline = time.monotonic() + timeout_s
    while await outbox.count_documents({"published_at": None}):
        if time.monotonic() > deadline:
            raise RuntimeError("the outbox did not drain")
        await asyncio.sleep(poll_s)


async def post_scans(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], scans: list[dict[str, Any]]
) -> int:
    """Posts a batch; returns how many scans it recorded (only those count)."""
    body = json.dumps({"scans": scans})
    async with session.post(f"{url}/v1/scans:batch", data=body, headers=headers) as response:
        payload = await response.json()
        assert response.status == 200, payload
    return int(payload["recorded"])


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
    cpu: dict[str, float] = field(default_factory=dict)  # by role, while batches are posted

    async def run(self, one_scan: Any) -> None:
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for _ in range(CHUNKS):
                scans = [one_scan() for _ in range(CHUNK)]
                before = by_role()
                await self.post(session, scans)
                for role, used in spent(by_role(), before).items():
                    self.cpu[role] = self.cpu.get(role, 0.0) + used
                started = time.perf_counter()
                await drained(self.outbox, poll_s=0.01)
                self.relay_s.append(time.perf_counter() - started)
                await self.floor.chunk([one_scan() for _ in range(CHUNK)])

    async def post(self, session: aiohttp.ClientSession, scans: list[dict[str, Any]]) -> None:
        started = time.perf_counter()
        self.recorded += await post_scans(session, self.url, self.headers, scans)
        self.latencies.append(time.perf_counter() - started)

    def result(self) -> LoadResult:
        failed = len(self.latencies) * CHUNK - self.recorded
        return LoadResult(self.recorded, failed, sum(self.latencies), self.latencies)


if __name__ == "__main__":
    asyncio.run(main())
