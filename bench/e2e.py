"""End to end: from an order accepted by the partner API to its planned route visible in
the public tracking lookup, with the whole platform running as processes (orders, routing,
tracking, SLA) on the local broker and mongod, and the simulator's partners as the load.

Open loop at a fixed rate (default 200 orders/s for 30 s). Latency is from the 201 of the
order to the commit of its planned route in tracking's database (seen through a change
stream; see ``Watcher``).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import AsyncMongoClient

from bench.infra import local_infra, machine
from fairwind.devstack import Simulation, services_running
from sim.clients import Clients, Endpoints
from sim.parcel import order_body
from sim.plan import SimConfig, script_day
from sim.provision import provision
from sim.world import World

OFFSET = 15000
RATE = float(os.environ.get("BENCH_E2E_RATE", "200"))
SECONDS = float(os.environ.get("BENCH_E2E_SECONDS", "30"))
TARGET_P99_S = 0.5


class Watcher:
    """When each accepted waybill's planned route became visible in tracking.

    Polling the lookup for every pending waybill would itself load tracking and MongoDB
    far more than the orders do, so the watcher follows tracking's shipments through one
    MongoDB change stream instead: the moment the route is committed, any lookup shows it
    (a sample of lookups checks that after the run).
    """

    def __init__(self, mongo_url: str) -> None:
        self.client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
        self.shipments = self.client["fairwind_tracking"]["shipments"]
        self.accepted: dict[str, float] = {}
        self.routed: dict[str, float] = {}
        self.ready = asyncio.Event()

    async def run(self) -> None:
        pipeline = [{"$match": {"operationType": {"$in": ["insert", "update", "replace"]}}}]
        async with await self.shipments.watch(pipeline, full_document="updateLookup") as changes:
            self.ready.set()
            async for change in changes:
                doc = change.get("fullDocument") or {}
                if doc.get("route") and doc["_id"] not in self.routed:
                    self.routed[doc["_id"]] = time.perf_counter()

    def latencies(self) -> list[float]:
        return sorted(self.routed[w] - at for w, at in self.accepted.items() if w in self.routed)

    @property
    def pending(self) -> int:
        return sum(1 for w in self.accepted if w not in self.routed)


async def load(clients: Clients, watcher: Watcher, partner: str) -> tuple[int, int, float]:
    world = World.load()
    scripts = script_day(SimConfig(seed=5, orders=int(RATE * SECONDS)), world.choose_outlets(24, 5))
    accepted = refused = 0
    run = f"b{time.time_ns()}"

    async def one(index: int) -> None:
        nonlocal accepted, refused
        body = order_body(scripts[index], run) | {"service_level": "standard"}
        status, answer = await clients.place(partner, body, f"bench-{time.time_ns()}-{index}")
        if status == 201:
            accepted += 1
            watcher.accepted[answer["waybill"]] = time.perf_counter()
        else:
            refused += 1

    begin = time.perf_counter()
    tasks = []
    for index in range(len(scripts)):
        delay = begin + index / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(index)))
    await asyncio.gather(*tasks)
    return accepted, refused, time.perf_counter() - begin


async def main() -> None:
    print(f"\n== e2e: order accepted -> planned route visible in tracking ({machine()})")
    with tempfile.TemporaryDirectory() as tmp, local_infra(Path(tmp) / "infra") as infra:
        # Business time at 10:00 (couriers on shift), running at wall speed.
        simulation = Simulation(1.0, _ten_oclock(), datetime.now(UTC))
        extra = simulation.env() | {"FAIRWIND_LOG_LEVEL": "WARNING"}
        logs = Path(tmp) / "logs"
        logs.mkdir()
        with services_running(infra.env(), OFFSET, extra, logs):
            env = dict(os.environ) | infra.env() | extra
            keys, _ = await provision(["bench"], [], [], rate=10_000, env=env)
            clients = Clients(Endpoints.of_stack(OFFSET), keys, {})
            watcher = Watcher(infra.mongo_url)
            try:
                accepted, refused, seconds, visible = await _measure(clients, watcher)
            finally:
                await clients.close()
                await watcher.client.close()
    _report(accepted, refused, seconds, watcher.latencies())
    print(
        f"  never routed within a minute: {watcher.pending}; lookups showing the route: "
        f"{visible} of 50 sampled"
    )


async def _measure(clients: Clients, watcher: Watcher) -> tuple[int, int, float, int]:
    watching = asyncio.create_task(watcher.run())
    await asyncio.wait_for(watcher.ready.wait(), 30)
    accepted, refused, seconds = await load(clients, watcher, "bench")
    for _ in range(300):  # a minute for the last routes
        if not watcher.pending:
            break
        await asyncio.sleep(0.2)
    visible = await _sample_lookups(clients, list(watcher.routed)[:50])
    for waybill in [w for w in watcher.accepted if w not in watcher.routed][:3]:
        route = await clients.route(waybill)
        _, view = await clients.track(waybill)
        print(
            f"  no route seen for {waybill}: routing has version "
            f"{route.version if route else None}, tracking shows "
            f"{(view.get('planned_route') or {}).get('version')} ({view.get('status')})"
        )
    watching.cancel()
    return accepted, refused, seconds, visible


async def _sample_lookups(clients: Clients, waybills: list[str]) -> int:
    shown = 0
    for waybill in waybills:
        _, view = await clients.track(waybill)
        shown += bool(view.get("planned_route"))
    return shown


def _report(accepted: int, refused: int, seconds: float, latencies: list[float]) -> None:
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(
        f"  offered {RATE:.0f} orders/s for {SECONDS:.0f} s: "
        f"{accepted} accepted, {refused} refused,"
    )
    print(f"  achieved {accepted / seconds:.0f} orders/s")
    if latencies:
        print(
            f"  order 201 -> route in tracking: p50 {pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms, "
            f"p99 {pct(0.99):.0f} ms, max {latencies[-1] * 1000:.0f} ms, "
            f"mean {statistics.fmean(latencies) * 1000:.0f} ms (n={len(latencies)})"
        )
        print(
            f"  p99 / target ({TARGET_P99_S * 1000:.0f} ms): {pct(0.99) / 1000 / TARGET_P99_S:.2f}"
        )


def _ten_oclock() -> datetime:
    local = datetime.now(ZoneInfo("Asia/Shanghai"))
    return local.replace(hour=10, minute=0, second=0, microsecond=0)
