"""Order intake over REST against a running orders service (real mongod and broker; routing
and CRM are fast stand-ins over real gRPC, as the real ones are not built yet).

Figures: single-order intake at full speed (closed loop) and at 500 orders/s (open loop,
latency from the scheduled send), batch import, and the ceilings measured in the same run:
FastAPI with the same body validation and nothing behind it, MongoDB transactions that
insert an order and its outbox record, raw ``insert_many`` of order documents, and the
storage floor of an import (what one batch must write, in one transaction per 1,000).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import aiohttp

from bench.cpu import box_bound, by_role, spent
from bench.helpers import LoadResult, PostBatch, Send, Service, closed_loop, open_loop, sustained
from bench.infra import bench_settings, machine
from bench.orders_floor import (
    BATCH_SIZE,
    BATCHES,
    CONCURRENCY,
    SECONDS,
    bulk_ceiling,
    combined,
    mongo_ceiling,
    storage_floor,
)
from bench.summary import SHORT, Figure, record
from fairwind.mongo.client import create_client
from fairwind.mongo.outbox import Outbox
from fairwind.settings import ServiceSettings
from services.orders.keys import KeyStore
from tests.integration.orders.conftest import ORDER

IN_FLIGHT = 2
SUSTAINED = f"batch import, {IN_FLIGHT} requests in flight, until published"
SUSTAINED_2 = f"2 processes: batch import, {2 * IN_FLIGHT} in flight, until published"


def order(index: int, run: str) -> dict[str, Any]:
    return ORDER | {"partner_order_id": f"{run}-{index}"}


async def post(
    session: aiohttp.ClientSession,
    url: str,
    headers: dict[str, str],
    body: Any,
    key: str,
    expect: int,
) -> bool:
    async with session.post(
        url, data=json.dumps(body), headers=headers | {"Idempotency-Key": key}
    ) as response:
        await response.read()
        return response.status == expect


def processes(infra_env: dict[str, str], database: str) -> tuple[Service, Service, Service]:
    """The stand-in routing and CRM, the bare FastAPI echo (the HTTP ceiling) and the
    orders service, not started yet."""
    deps = Service(["-m", "bench.fake_deps"], {})
    deps.argv = [*deps.argv, str(deps.port)]
    echo = Service(["-m", "bench.echo_server"], {})
    echo.argv = [*echo.argv, str(echo.port)]
    orders = Service(["-m", "services.orders", "serve"], {})
    orders.env = infra_env | {
        "FAIRWIND_MONGO_DB": database,
        "FAIRWIND_HTTP_PORT": str(orders.port),
        "FAIRWIND_GRPC_PORT": "0",  # not used here; 50060 may be another bench's
        "FAIRWIND_ROUTING_TARGET": f"127.0.0.1:{deps.port}",
        "FAIRWIND_CRM_TARGET": f"127.0.0.1:{deps.port}",
        "FAIRWIND_RATE_LIMIT_PER_S": "1000000",
        "FAIRWIND_RATE_LIMIT_BURST": "1000000",
        "FAIRWIND_LOG_LEVEL": "WARNING",
    }
    return deps, echo, orders


async def main() -> None:
    with bench_settings("bench-orders") as settings:
        infra_env = {
            "FAIRWIND_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
            "FAIRWIND_MONGO_URL": settings.mongo_url,
            "FAIRWIND_BROKER_PROFILE": settings.broker_profile.value,
        }
        database = f"bench_orders_{uuid.uuid4().hex[:6]}"
        client = create_client(settings)
        issued = await KeyStore(client[database]).create("bench", {"orders:read", "orders:write"})
        await client.close()
        headers = {"Authorization": f"Bearer {issued.plain}", "Content-Type": "application/json"}
        deps, echo, orders = processes(infra_env, database)
        results: dict[str, LoadResult] = {}
        boxes: dict[str, dict[str, float]] = {}  # CPU seconds by role, per figure
        extra: list[Service] = []
        try:
            deps.start()
            echo.start()
            orders.start()
            run = uuid.uuid4().hex[:6]
            url = f"http://127.0.0.1:{orders.port}/v1/orders"
            echo_url = f"http://127.0.0.1:{echo.port}/v1/orders"

            def single_for(phase: str) -> Send:
                async def send(session: aiohttp.ClientSession, i: int) -> bool:
                    tag = f"{phase}{run}"
                    return await post(session, url, headers, order(i, tag), f"{tag}-{i}", 201)

                return send

            async def ceiling(session: aiohttp.ClientSession, i: int) -> bool:
                return await post(session, echo_url, headers, order(i, run), "x", 201)

            await closed_loop(single_for("w"), 8, 2)  # warm-up: connections, caches
            results["http ceiling (FastAPI + validation, no work)"] = await closed_loop(
                ceiling, CONCURRENCY, SECONDS / 2
            )
            results["mongo ceiling (order + outbox transaction)"] = await mongo_ceiling(settings)
            results["insert_many ceiling (order documents, 1,000 a call)"] = await bulk_ceiling(
                settings
            )
            before = by_role()
            results["single orders, closed loop (64 in flight)"] = await closed_loop(
                single_for("c"), CONCURRENCY, SECONDS
            )
            boxes["single"] = spent(by_role(), before)
            results["single orders, open loop at 500/s"] = await open_loop(
                single_for("o"), 500, SECONDS
            )
            # The single orders' events published first: the CPU below is the import's.
            await relayed(settings, database)
            # The floor half just before the import and half just after: the box drifts.
            floor_first = await storage_floor(settings, BATCHES // 2)
            assert orders.process is not None
            cpu_before, before = orders.cpu_s(), by_role()
            results["batch import (1,000 per request)"] = await batch_import(
                f"{url}:batch", headers, run
            )
            boxes["batch"] = spent(by_role(), before)  # over the import's span, as its rate
            await relayed(settings, database)  # its events published: the relay's CPU too
            batch_cpu = orders.cpu_s() - cpu_before
            results["storage floor (orders + outbox + record, txn/1,000)"] = combined(
                floor_first, await storage_floor(settings, BATCHES - BATCHES // 2)
            )
            if not SHORT:  # one process at its core's limit: the two below are the figure
                results[SUSTAINED], boxes["sustained"] = await sustained(
                    importer(f"{url}:batch", headers, f"s{run}"),
                    4 * BATCHES,
                    IN_FLIGHT,
                    lambda: relayed(settings, database),
                )
            # One Python process uses one core at most: on two, a second process of the
            # service (as a second replica, SO_REUSEPORT; one relay holds the lease).
            extra.append(Service(orders.argv, orders.env, port=orders.port).start())
            await asyncio.sleep(1)
            results[SUSTAINED_2], boxes["sustained 2"] = await sustained(
                importer(f"{url}:batch", headers, f"t{run}"),
                3 * BATCHES,
                2 * IN_FLIGHT,
                lambda: relayed(settings, database),
            )
            if not SHORT:  # not in the summary; the short mode has three minutes for all
                await two_processes(results, single_for, (url, headers, run))
        finally:
            for service in (*extra, orders, echo, deps):
                service.stop()
    report(results, batch_cpu, boxes)


async def two_processes(
    results: dict[str, LoadResult],
    single_for: Callable[[str], Send],
    target: tuple[str, dict[str, str], str],
) -> None:
    """With the second process running: ``target`` is the orders URL, the headers and
    the run's tag."""
    url, headers, run = target
    results["2 processes: single orders, closed loop"] = await closed_loop(
        single_for("c2"), CONCURRENCY, SECONDS
    )
    results["2 processes: single orders, open loop at 500/s"] = await open_loop(
        single_for("o2"), 500, SECONDS
    )
    results["2 processes: batch import"] = await batch_import(f"{url}:batch", headers, f"2{run}")


def importer(url: str, headers: dict[str, str], run: str) -> PostBatch:
    async def post_batch(session: aiohttp.ClientSession, b: int) -> int:
        items = [order(i, f"b{run}-{b}") for i in range(BATCH_SIZE)]
        assert await post(session, url, headers, {"orders": items}, f"b{run}-{b}", 200)
        return BATCH_SIZE

    return post_batch


async def batch_import(url: str, headers: dict[str, str], run: str) -> LoadResult:
    """One request at a time, timed to its answer (the relay's publishing is not in it)."""
    post_batch = importer(url, headers, run)
    latencies: list[float] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        begin = time.perf_counter()
        for b in range(BATCHES):
            started = time.perf_counter()
            await post_batch(session, b)
            latencies.append(time.perf_counter() - started)
        elapsed = time.perf_counter() - begin
    return LoadResult(BATCHES * BATCH_SIZE, 0, elapsed, latencies)


async def relayed(settings: ServiceSettings, database: str, timeout_s: float = 60) -> None:
    """Until the service's outbox has nothing left to publish."""
    client = create_client(settings)
    outbox = Outbox(client[database])
    for _ in range(int(timeout_s / 0.05)):
        if not await outbox.backlog():
            break
        await asyncio.sleep(0.05)
    await client.close()


def report(
    results: dict[str, LoadResult], batch_cpu_s: float, boxes: dict[str, dict[str, float]]
) -> None:
    print(
        f"\n== order intake over REST ({machine()}; one orders process, mongod, broker, "
        "stand-in routing/CRM and the load generator on the same box)"
    )
    for name, result in results.items():
        print(f"{name:50} {result.summary()}")
    http = results["http ceiling (FastAPI + validation, no work)"].rate
    mongo = results["mongo ceiling (order + outbox transaction)"].rate
    single = results["single orders, closed loop (64 in flight)"].rate
    print(
        f"ratio single/http ceiling {single / http:.2f}, single/mongo ceiling {single / mongo:.2f}"
    )
    print("targets: >= 1,000 orders/s; p99 <= 50 ms at 500/s; batch >= 20,000 orders/s")
    at_500 = results["single orders, open loop at 500/s"]
    batch = results["batch import (1,000 per request)"].rate
    bulk = results["insert_many ceiling (order documents, 1,000 a call)"].rate
    floor = results["storage floor (orders + outbox + record, txn/1,000)"].rate
    print(
        f"ratio batch/insert_many ceiling {batch / bulk:.2f}, "
        f"batch/storage floor {batch / floor:.2f}"
    )
    per_order = batch_cpu_s / results["batch import (1,000 per request)"].ok
    print(
        f"batch import: the orders process used {per_order * 1e6:.0f} µs of CPU per order "
        f"(HTTP, validation, routing calls, documents, events, the transaction and the relay "
        f"publishing them): one process cannot import more than {1 / per_order:,.0f} orders/s"
    )
    print("batch import (its span; the relay's rest after it is not in it), every process:")
    batch_box = box_bound(boxes["batch"], results["batch import (1,000 per request)"].ok)
    if SUSTAINED in results:
        print(f"{SUSTAINED} (every process, the relay included):")
        box_bound(boxes["sustained"], results[SUSTAINED].ok)
    print(f"{SUSTAINED_2} (every process, the relay included):")
    sustained_2_box = box_bound(boxes["sustained 2"], results[SUSTAINED_2].ok)
    print("single orders, closed loop, every process:")
    single_box = box_bound(boxes["single"], results["single orders, closed loop (64 in flight)"].ok)
    for figure in (
        Figure(
            "orders",
            "single creates, closed loop",
            single,
            "orders/s",
            ">= 1,000/s",
            "http (FastAPI + validation, no work)",
            http,
        ),
        Figure(
            "orders",
            "single creates against the box's CPU",
            single,
            "orders/s",
            ">= 1,000/s",
            "box CPU: cores / CPU per order",
            single_box,
        ),
        Figure("orders", "p99 at 500/s offered", at_500.percentile(99) * 1000, "ms", "<= 50 ms"),
        Figure(
            "orders",
            "batch import",
            batch,
            "orders/s",
            ">= 20,000/s",
            "storage floor (orders + outbox, txn/1,000)",
            floor,
        ),
        Figure(
            "orders",
            "batch import against the box's CPU",
            batch,
            "orders/s",
            ">= 20,000/s",
            "box CPU: cores / CPU per order",
            batch_box,
        ),
        Figure(
            "orders",
            f"batch import, 2 processes, {2 * IN_FLIGHT} in flight, until published",
            results[SUSTAINED_2].rate,
            "orders/s",
            ">= 20,000/s",
            "box CPU: cores / CPU per order",
            sustained_2_box,
        ),
    ):
        record(figure)


if __name__ == "__main__":
    asyncio.run(main())
