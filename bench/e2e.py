"""End to end: from an order accepted by the partner API to its planned route visible in
the public tracking lookup, with the whole platform running as processes (orders, routing,
tracking, SLA) on the local broker and mongod, and the simulator's partners as the load.

Open loop at fixed rates, one after the other on the same stack (default 50, 100 and 200
orders/s for 30 s each: ``BENCH_E2E_RATES``, ``BENCH_E2E_SECONDS``). Latency is from the 201
of the order to the commit of its planned route in tracking's database (seen through a
change stream; see ``Watcher``); ``bench.hops`` splits it hop by hop.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from pymongo import AsyncMongoClient

from bench.cpu import box_bound, by_role, spent
from bench.hops import Journeys, hop_table, read_broker_times, read_outbox_times
from bench.infra import local_infra, machine
from bench.mongostats import counters, per_item
from bench.summary import Figure, record, scaled
from devstack.children import services_running
from devstack.env import Simulation, sim_env
from devstack.plan import NETWORK_FILE
from fairwind.settings import ServiceSettings
from sim.clients import Clients, Endpoints
from sim.parcel import order_body
from sim.plan import SimConfig, script_day
from sim.provision import provision
from sim.world import World

OFFSET = 15000
RATES = [float(r) for r in os.environ.get("BENCH_E2E_RATES", "50,100,200").split(",")]
SECONDS = float(os.environ.get("BENCH_E2E_SECONDS", scaled(30, 5)))
TARGET_P99_S = 0.5
IDLE_S = scaled(5.0, 2.0)


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
        self.journeys = Journeys()
        self.ready = asyncio.Event()

    async def run(self) -> None:
        # Only the changes that set a route, and only their ids: no document lookups, so
        # the watcher costs mongod and the benchmark's own process as little as it can.
        pipeline: list[dict[str, Any]] = [
            {
                "$match": {
                    "$or": [
                        {"operationType": "insert", "fullDocument.route": {"$type": "object"}},
                        {"updateDescription.updatedFields.route": {"$exists": True}},
                    ]
                }
            },
            {"$project": {"documentKey": 1}},
        ]
        async with await self.shipments.watch(pipeline) as changes:
            self.ready.set()
            async for change in changes:
                waybill = change["documentKey"]["_id"]
                if waybill not in self.routed:
                    self.routed[waybill] = time.time()
                    self.journeys.saw(waybill, "visible", self.routed[waybill])

    def latencies(self) -> list[float]:
        return sorted(self.routed[w] - at for w, at in self.accepted.items() if w in self.routed)

    @property
    def pending(self) -> int:
        return sum(1 for w in self.accepted if w not in self.routed)


async def load(
    clients: Clients, watcher: Watcher, partner: str, rate: float
) -> tuple[int, int, float]:
    world = World.load(NETWORK_FILE)
    scripts = script_day(SimConfig(seed=5, orders=int(rate * SECONDS)), world.choose_outlets(24, 5))
    accepted = refused = 0
    run = f"b{time.time_ns()}"

    # aiohttp with room for every request in flight: the simulator's httpx client (64
    # connections, about a millisecond of CPU a request) queued orders before they were sent.
    url = f"{clients.endpoints.orders}/v1/orders"
    auth = {"Authorization": f"Bearer {clients.keys[partner]}", "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=1024)
    session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=300))

    async def one(index: int, due: float) -> None:
        nonlocal accepted, refused
        body = order_body(scripts[index], run) | {"service_level": "standard"}
        key = {"Idempotency-Key": f"bench-{run}-{index}"}
        async with session.post(url, data=json.dumps(body), headers=auth | key) as response:
            status, answer = response.status, await response.json()
        if status == 201:
            accepted += 1
            waybill = answer["waybill"]
            watcher.accepted[waybill] = time.time()
            watcher.journeys.saw(waybill, "sent", due)
            watcher.journeys.saw(waybill, "accepted", watcher.accepted[waybill])
        else:
            refused += 1

    begin = time.time()
    tasks = []
    for index in range(len(scripts)):
        due = begin + index / rate
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(index, due)))
    try:
        await asyncio.gather(*tasks)
    finally:
        await session.close()
    return accepted, refused, time.time() - begin


async def main() -> None:
    print(f"\n== e2e: order accepted -> planned route visible in tracking ({machine()})")
    runs: dict[float, Journeys] = {}
    with tempfile.TemporaryDirectory() as tmp, local_infra(Path(tmp) / "infra") as infra:
        # Business time at 10:00 (couriers on shift), running at wall speed.
        simulation = Simulation(1.0, _ten_oclock(), datetime.now(UTC))
        extra = simulation.env() | {"FAIRWIND_LOG_LEVEL": "WARNING"}
        logs = Path(tmp) / "logs"
        logs.mkdir()
        with services_running(infra.env(), OFFSET, extra, logs):
            env = dict(os.environ) | infra.env() | extra
            keys, _ = await provision(["bench"], [], [], rate=10_000, env=env)
            clients = Clients(Endpoints.from_env(sim_env(OFFSET)), keys, {})
            settings = ServiceSettings(
                service_name="bench-e2e",
                kafka_bootstrap=infra.kafka_bootstrap,
                mongo_url=infra.mongo_url,
                broker_profile=infra.profile,
            )
            try:
                await _idle(infra.mongo_url, IDLE_S)
                for rate in RATES:
                    runs[rate] = await _one_rate(clients, infra.mongo_url, settings, rate)
            finally:
                await clients.close()
    print(f"\n  where the time goes ({infra.broker_line}):\n")
    print(hop_table(runs))


async def _idle(mongo_url: str, seconds: float) -> None:
    """What the whole stack costs doing nothing (consumers polling, timers, the broker's and
    mongod's own work), so the CPU per order below can be read against it."""
    await asyncio.sleep(IDLE_S)  # start-up work done
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    before, ops = by_role(), await counters(client)
    await asyncio.sleep(seconds)
    used = spent(by_role(), before)
    print(f"  idle mongod, per second: {per_item(await counters(client), ops, int(seconds))}")
    await client.close()
    shares = ", ".join(f"{role} {cpu / seconds * 100:.1f} %" for role, cpu in used.items())
    print(
        f"  idle stack, share of one core: {shares}; all {sum(used.values()) / seconds:.2f} cores"
    )


async def _one_rate(
    clients: Clients, mongo_url: str, settings: ServiceSettings, rate: float
) -> Journeys:
    watcher = Watcher(mongo_url)
    try:
        accepted, refused, seconds, visible, used = await _measure(clients, watcher, rate)
        print(f"  while the orders came ({seconds:.1f} s):")
        bound = box_bound(used, accepted)
        _report(rate, accepted, refused, seconds, watcher.latencies(), bound)
        print(
            f"  never routed within a minute: {watcher.pending}; lookups showing the route: "
            f"{visible} of 50 sampled"
        )
        await read_broker_times(settings, watcher.journeys, watcher.accepted)
        await read_outbox_times(watcher.client, watcher.journeys, watcher.accepted)
    finally:
        await watcher.client.close()
    return watcher.journeys


async def _measure(
    clients: Clients, watcher: Watcher, rate: float
) -> tuple[int, int, float, int, dict[str, float]]:
    """Accepted, refused, the load's seconds, routes visible in a sample of lookups, and the
    CPU each role used while the orders came (the same span as the rate)."""
    watching = asyncio.create_task(watcher.run())
    await asyncio.wait_for(watcher.ready.wait(), 30)
    before, ops = by_role(), await counters(watcher.client)
    accepted, refused, seconds = await load(clients, watcher, "bench", rate)
    used = spent(by_role(), before)
    print(f"  mongod per order: {per_item(await counters(watcher.client), ops, accepted)}")
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
    return accepted, refused, seconds, visible, used


async def _sample_lookups(clients: Clients, waybills: list[str]) -> int:
    shown = 0
    for waybill in waybills:
        _, view = await clients.track(waybill)
        shown += bool(view.get("planned_route"))
    return shown


def _report(
    rate: float,
    accepted: int,
    refused: int,
    seconds: float,
    latencies: list[float],
    bound: float,
) -> None:
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(
        f"\n  offered {rate:.0f} orders/s for {SECONDS:.0f} s: "
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
        record(
            Figure(
                "e2e",
                f"201 -> route visible, p99 at {rate:.0f}/s",
                pct(0.99),
                "ms",
                "<= 500 ms at 200/s",
            )
        )
    record(
        Figure(
            "e2e",
            f"achieved at {rate:.0f}/s offered",
            accepted / seconds,
            "orders/s",
            f"{rate:.0f}/s",
            "box CPU: cores / CPU per order",
            bound,
        )
    )


def _ten_oclock() -> datetime:
    local = datetime.now(ZoneInfo("Asia/Shanghai"))
    return local.replace(hour=10, minute=0, second=0, microsecond=0)
