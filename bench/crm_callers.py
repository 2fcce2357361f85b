"""Caller ID over real gRPC against a ``python -m services.crm serve`` process (its
GrpcServer from bootstrap, with the consumer, relay and re-ranker running beside it), on the
benchmark's seeded archive.

Callers are drawn half by revenue weight, half uniformly; their numbers arrive as a
switchboard shows them (national, spaced, 00-prefixed, full-width plus), their companies
as a caller says them (顺达电子 for 深圳市顺达电子有限公司). Each lookup is offered at
``RATE`` per second open loop (latency from the scheduled send, so a queue shows), after a
closed-loop run that says what the process serves at all. Ceilings in the same run: the
health Check RPC (the gRPC floor) at the same rate, and the MongoDB reads of a phone
lookup from this process, one at a time.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pymongo import ASCENDING, DESCENDING, AsyncMongoClient

from bench.crm_data import Customer, Population, caller_formats, midnight, spoken_company
from bench.crm_ranking import FALLBACK_CHUNK
from bench.helpers import LoadResult, Service
from bench.summary import Figure, record, scaled
from fairwind.infra.processes import free_port
from fairwind.settings import ServiceSettings
from fairwind.v1 import crm_pb2, crm_pb2_grpc
from services.crm.domain import phones
from services.crm.domain.classification import window_start
from services.crm.grpc_server import CustomerServicer

RATE = 500
SECONDS = scaled(20.0, 2.0)
WARM_UP_S = scaled(1.0, 0.5)
REQUESTS = 5_000
RAW_LOOKUPS = int(scaled(2_000, 500))
Call = Callable[[int], Awaitable[Any]]


async def rpc_load(
    call: Call, concurrency: int, seconds: float, rate: float | None = None
) -> LoadResult:
    """``concurrency`` calls in flight for ``seconds`` (closed loop), or ``rate`` calls a
    second on a fixed schedule, latency counted from each call's due time (open loop: a
    slow server shows as latency, not as fewer calls). An RPC error counts as failed."""
    latencies: list[float] = []
    failed = 0
    counter = iter(range(10**9))

    async def one(index: int, due: float) -> None:
        nonlocal failed
        try:
            await call(index)
            latencies.append(time.perf_counter() - due)
        except grpc.aio.AioRpcError:
            failed += 1

    async def user(deadline: float) -> None:
        while time.perf_counter() < deadline:
            await one(next(counter), time.perf_counter())

    begin = time.perf_counter()
    if rate is None:
        await asyncio.gather(*(user(begin + seconds) for _ in range(concurrency)))
    else:
        tasks = []
        for index in range(int(rate * seconds)):
            due = begin + index / rate
            if (delay := due - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(index, due)))
        await asyncio.gather(*tasks)
    return LoadResult(len(latencies), failed, time.perf_counter() - begin, latencies)


def callers(pop: Population, seed: int = 7) -> list[Customer]:
    rng = random.Random(seed)
    half = REQUESTS // 2
    weights = [c.weight for c in pop.customers]
    return rng.choices(pop.customers, weights=weights, k=half) + rng.choices(
        pop.customers, k=REQUESTS - half
    )


def phone_requests(pop: Population) -> list[crm_pb2.LookupByPhoneRequest]:
    rng = random.Random(8)
    return [
        crm_pb2.LookupByPhoneRequest(phone=caller_formats(rng.choice(c.phones), rng))
        for c in callers(pop)
    ]


def name_requests(pop: Population) -> list[crm_pb2.LookupByNameRequest]:
    rng = random.Random(9)
    return [
        crm_pb2.LookupByNameRequest(
            name=c.person if rng.random() < 0.8 else "", company=spoken_company(c, rng)
        )
        for c in callers(pop)
    ]


def serves_names() -> bool:
    """LookupByName is in the contract already; it counts once the servicer implements it."""
    return "LookupByName" in vars(CustomerServicer)


async def ready(http_port: int, mongo_url: str, database: str, timeout_s: float = 300) -> bool:
    """Whether the service's start-up re-rank finished (False: it failed or is still on
    after ``timeout_s``); then until its relay has published what it stored."""
    deadline = time.monotonic() + timeout_s
    ranked = False
    async with aiohttp.ClientSession() as http:
        while not ranked and time.monotonic() < deadline:
            async with http.get(f"http://127.0.0.1:{http_port}/metrics") as response:
                text = await response.text()
            counts = [
                float(line.split()[-1])
                for line in text.splitlines()
                if line.startswith("fairwind_crm_rerank_seconds_count")
            ]
            ranked = bool(counts) and counts[0] >= 1
            await asyncio.sleep(0.5)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        while await client[database]["outbox"].count_documents({"published_at": None}):
            if time.monotonic() > deadline + timeout_s:
                raise RuntimeError("the outbox did not drain")
            await asyncio.sleep(0.5)
    finally:
        await client.close()
    return ranked


async def raw_reads(mongo_url: str, database: str, pop: Population) -> LoadResult:
    """What a phone lookup reads, by pymongo from here, one lookup at a time: the customer
    by number, its last ten orders, its window's buckets."""
    rng = random.Random(10)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    db = client[database]
    start = midnight(window_start(datetime.now(UTC).date()))
    latencies: list[float] = []
    begin = time.perf_counter()
    try:
        for caller in callers(pop)[:RAW_LOOKUPS]:
            started = time.perf_counter()
            number = phones.normalise(caller_formats(rng.choice(caller.phones), rng))
            found = (
                db["customers"]
                .find({"phones": number})
                .sort([("revenue_rank", ASCENDING), ("_id", ASCENDING)])
            )
            doc = (await found.to_list(20))[0]
            await (
                db["orders"]
                .find({"customer_id": doc["_id"]})
                .sort([("created_at", DESCENDING), ("_id", DESCENDING)])
                .limit(10)
                .to_list()
            )
            match = {"day": {"$gte": start}, "customer_id": {"$in": [doc["_id"]]}}
            group = {"_id": "$customer_id", "revenue_fen": {"$sum": "$revenue_fen"}}
            await (
                await db["revenue_days"].aggregate([{"$match": match}, {"$group": group}])
            ).to_list()
            latencies.append(time.perf_counter() - started)
    finally:
        await client.close()
    return LoadResult(len(latencies), 0, time.perf_counter() - begin, latencies)


async def caller_id(base: ServiceSettings, database: str, pop: Population) -> dict[str, LoadResult]:
    by_phone, by_name = phone_requests(pop), name_requests(pop)
    http_port = free_port()
    crm = Service(["-m", "services.crm", "serve"], {})
    crm.env = {
        "FAIRWIND_KAFKA_BOOTSTRAP": base.kafka_bootstrap,
        "FAIRWIND_MONGO_URL": base.mongo_url,
        "FAIRWIND_BROKER_PROFILE": base.broker_profile.value,
        "FAIRWIND_MONGO_DB": database,
        "FAIRWIND_GRPC_PORT": str(crm.port),
        "FAIRWIND_HTTP_PORT": str(http_port),
        "FAIRWIND_LOG_LEVEL": "WARNING",
        # Its start-up re-rank of the whole archive passes in chunks of this size here.
        "FAIRWIND_RERANK_CHUNK": str(FALLBACK_CHUNK),
    }
    results: dict[str, LoadResult] = {}
    crm.start(timeout_s=120)
    try:
        if not await ready(http_port, base.mongo_url, database):
            print("  (the service's start-up re-rank did not finish: lookups measured beside it)")
        async with grpc.aio.insecure_channel(f"127.0.0.1:{crm.port}") as channel:
            stub: Any = crm_pb2_grpc.CustomerServiceStub(channel)
            health: Any = health_pb2_grpc.HealthStub(channel)
            check = health_pb2.HealthCheckRequest(service="")

            async def ceiling(_: int) -> Any:
                return await health.Check(check, timeout=5)

            async def phone(i: int) -> Any:
                return await stub.LookupByPhone(by_phone[i % len(by_phone)], timeout=5)

            async def name(i: int) -> Any:
                return await stub.LookupByName(by_name[i % len(by_name)], timeout=5)

            lookups: list[tuple[str, Call]] = [("LookupByPhone", phone)]
            if serves_names():
                lookups.append(("LookupByName", name))
            await rpc_load(ceiling, 8, WARM_UP_S)
            results["ceiling: health Check RPC, closed loop (32 in flight)"] = await rpc_load(
                ceiling, 32, SECONDS / 4
            )
            results[f"ceiling: health Check RPC, open loop at {RATE}/s"] = await rpc_load(
                ceiling, 0, SECONDS / 2, rate=RATE
            )
            for label, call in lookups:
                await rpc_load(call, 8, WARM_UP_S)
                results[f"{label}, closed loop (32 in flight)"] = await rpc_load(
                    call, 32, SECONDS / 2
                )
                results[f"{label}, open loop at {RATE}/s"] = await rpc_load(
                    call, 0, SECONDS, rate=RATE
                )
                # What the process holds to, where it has room: half what it serves at all.
                half = max(1.0, results[f"{label}, closed loop (32 in flight)"].rate / 2)
                results[f"{label}, open loop at half capacity"] = await rpc_load(
                    call, 0, SECONDS / 2, rate=half
                )
        results["ceiling: a phone lookup's reads, pymongo, one at a time"] = await raw_reads(
            base.mongo_url, database, pop
        )
    finally:
        crm.stop()
    return results


def report(results: dict[str, LoadResult]) -> None:
    print(f"caller ID over gRPC ({REQUESTS:,} distinct callers; target p99 <= 10 ms at {RATE}/s)")
    for label, result in results.items():
        print(f"{label:58} {result.summary()}  p95 {result.percentile(95) * 1000:.1f} ms")
    floor = results["ceiling: health Check RPC, closed loop (32 in flight)"]
    reads = results["ceiling: a phone lookup's reads, pymongo, one at a time"]
    for label in ("LookupByPhone", "LookupByName"):
        paced = results.get(f"{label}, open loop at {RATE}/s")
        if paced is None:
            print(f"{label}: not served yet")
            continue
        capacity = results[f"{label}, closed loop (32 in flight)"].rate
        p99 = paced.percentile(99) * 1000
        print(
            f"{label}: capacity {capacity:,.0f}/s ({RATE}/s is {RATE / capacity:.2f} of it); "
            f"p99 {p99:.1f} ms at {paced.rate:,.0f}/s achieved"
        )
        half = results[f"{label}, open loop at half capacity"]
        print(f"{label}: p99 {half.percentile(99) * 1000:.1f} ms at {half.rate:,.0f}/s (half)")
        record(Figure("crm", f"{label} p99 at {RATE}/s", p99, "ms", "<= 10 ms"))
        record(
            Figure(
                "crm",
                f"{label} p99 at half capacity ({half.rate:,.0f}/s)",
                half.percentile(99) * 1000,
                "ms",
                "reported",
            )
        )
        record(
            Figure(
                "crm",
                f"{label} capacity",
                capacity,
                "lookups/s",
                f">= {RATE}/s with headroom",
                "health Check RPC",
                floor.rate,
            )
        )
    record(Figure("crm", "a phone lookup's reads, p99", reads.percentile(99) * 1000, "ms", "floor"))
