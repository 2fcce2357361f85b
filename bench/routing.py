"""Routing: routes per second in-process on the sample network, how that grows with the
network, and gRPC Quote throughput and latency against a running routing service."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.helpers import LoadResult, Service
from bench.infra import bench_settings, machine
from bench.summary import SHORT, Figure, record, scaled
from fairwind.v1 import common_pb2, routes_pb2, routes_pb2_grpc
from services.routing.datafiles import load_network, load_prices
from services.routing.domain.network import DAY, Network, build_network
from services.routing.domain.planner import RoutePlanner
from services.routing.domain.pricing import Piece
from services.routing.domain.router import Router
from tools.gen_network import build

QUERIES = int(scaled(50_000, 5_000))
SECONDS = scaled(8.0, 2.0)


def queries(network: Network, count: int, seed: int = 1) -> list[tuple[str, str, int]]:
    rng = random.Random(seed)
    outlets = sorted(network.outlets)
    start = 740_000 * DAY
    return [
        (rng.choice(outlets), rng.choice(outlets), start + rng.randrange(7 * DAY))
        for _ in range(count)
    ]


def routes_per_second(network: Network, count: int = QUERIES) -> tuple[float, float, float]:
    """(cold, warm, offers) per CPU second: a fresh planner, the same planner again, and full
    offers (route + promise + price)."""
    planner = RoutePlanner(network)
    work = queries(network, count)

    def timed(run: Callable[[], None]) -> float:
        started = time.process_time()
        run()
        return count / (time.process_time() - started)

    cold = timed(lambda: [planner.plan(o, d, t) for o, d, t in work])
    warm = timed(lambda: [planner.plan(o, d, t) for o, d, t in work])
    router = Router(network, load_prices())
    router.planner = planner
    pieces = [Piece(1.2, 30, 20, 10)]
    outlets = network.outlets

    def offers() -> None:
        for o, d, t in work:
            router.offer(outlets[o], outlets[d], "standard", t, None, pieces)

    return cold, warm, timed(offers)


def quote_request(rng: random.Random, cities: list[tuple[str, str]]) -> routes_pb2.QuoteRequest:
    (oc, od), (dc, dd) = rng.choice(cities), rng.choice(cities)
    request = routes_pb2.QuoteRequest(
        origin=common_pb2.Address(city=oc, district=od),
        destination=common_pb2.Address(city=dc, district=dd),
        parcels=[
            common_pb2.Parcel(
                weight_kg=1.5,
                quantity=1,
                dimensions=common_pb2.Dimensions(length_cm=30, width_cm=20, height_cm=10),
            )
        ],
        service_level=common_pb2.SERVICE_LEVEL_STANDARD,
    )
    request.ship_at.FromDatetime(datetime(2026, 11, 26, 2, tzinfo=UTC))
    return request


async def rpc_load(
    call: Callable[[int], Awaitable[Any]],
    concurrency: int,
    seconds: float,
    rate: float | None = None,
) -> LoadResult:
    latencies: list[float] = []
    failed = 0
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def closed() -> None:
        nonlocal failed
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                await call(next(counter))
                latencies.append(time.perf_counter() - started)
            except grpc.aio.AioRpcError:
                failed += 1

    async def paced() -> None:
        nonlocal failed
        assert rate is not None
        begin = time.perf_counter()
        tasks = []

        async def one(i: int, due: float) -> None:
            nonlocal failed
            try:
                await call(i)
                latencies.append(time.perf_counter() - due)
            except grpc.aio.AioRpcError:
                failed += 1

        for i in range(int(rate * seconds)):
            due = begin + i / rate
            if (delay := due - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)

    started = time.perf_counter()
    if rate is None:
        await asyncio.gather(*(closed() for _ in range(concurrency)))
    else:
        await paced()
    return LoadResult(len(latencies), failed, time.perf_counter() - started, latencies)


async def grpc_figures() -> dict[str, LoadResult]:
    network = load_network()
    cities = sorted({(o.city, d) for o in network.outlets.values() for d in o.districts})
    rng = random.Random(3)
    requests = [quote_request(rng, cities) for _ in range(5000)]
    results: dict[str, LoadResult] = {}
    with bench_settings("bench-routing") as settings:
        routing = Service(["-m", "services.routing", "serve"], {})
        routing.env = {
            "FAIRWIND_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
            "FAIRWIND_MONGO_URL": settings.mongo_url,
            "FAIRWIND_BROKER_PROFILE": settings.broker_profile.value,
            "FAIRWIND_MONGO_DB": f"bench_routing_{uuid.uuid4().hex[:6]}",
            "FAIRWIND_GRPC_PORT": str(routing.port),
            "FAIRWIND_METRICS_PORT": "0",
            "FAIRWIND_LOG_LEVEL": "WARNING",
        }
        routing.start()
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{routing.port}") as channel:
                stub: Any = routes_pb2_grpc.RouteServiceStub(channel)
                health: Any = health_pb2_grpc.HealthStub(channel)
                check = health_pb2.HealthCheckRequest(service="")

                async def quote(i: int) -> Any:
                    return await stub.Quote(requests[i % len(requests)], timeout=5)

                async def ceiling(_: int) -> Any:
                    return await health.Check(check, timeout=5)

                await rpc_load(quote, 8, 1)  # warm-up
                results["ceiling: health Check RPC (no work)"] = await rpc_load(
                    ceiling, 32, SECONDS / 2
                )
                full = await rpc_load(quote, 32, SECONDS)
                results["Quote, closed loop (32 in flight)"] = full
                half = max(1.0, full.rate / 2)
                results[f"Quote, open loop at half load ({half:,.0f}/s)"] = await rpc_load(
                    quote, 0, SECONDS, rate=half
                )
        finally:
            routing.stop()
    return results


async def main() -> None:
    sample = load_network()
    cold, warm, offers = routes_per_second(sample)
    print(f"\n== routing ({machine()})")
    print(
        f"sample network ({len(sample.outlets)} outlets, {len(sample.hubs)} hubs, "
        f"{len(sample.legs)} legs), routes per CPU-second: first pass {cold:,.0f}, "
        f"steady {warm:,.0f}; full offers (route + promise + price) {offers:,.0f}"
    )
    print("growth with the network (routes per CPU-second, first pass / steady):")
    for per_city in (3, 10) if SHORT else (3, 10, 31):
        network = build_network(build(7, per_city), f"generated-{per_city}")
        c, w, _ = routes_per_second(network, 20_000)
        print(
            f"  {len(network.outlets):>5} outlets, {len(network.legs):>5} legs: "
            f"{c:>9,.0f} / {w:>9,.0f}"
        )
    print("target: >= 5,000 routes/s per core in-process")
    figures = await grpc_figures()
    for name, result in figures.items():
        print(f"{name:50} {result.summary()}")
    print("target: Quote >= 3,000 RPC/s per core, p99 <= 10 ms at half load")
    full = figures["Quote, closed loop (32 in flight)"]
    half = next(r for name, r in figures.items() if name.startswith("Quote, open loop"))
    ceiling = figures["ceiling: health Check RPC (no work)"].rate
    record(Figure("routing", "offers in-process", offers, "routes/CPU-s", ">= 5,000/s per core"))
    record(
        Figure(
            "routing",
            "gRPC Quote",
            full.rate,
            "RPC/s",
            ">= 3,000/s per core",
            "health Check RPC",
            ceiling,
        )
    )
    record(
        Figure("routing", "Quote p99 at half load", half.percentile(99) * 1000, "ms", "<= 10 ms")
    )


if __name__ == "__main__":
    asyncio.run(main())
