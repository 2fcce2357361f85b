"""End to end: from an order accepted by the partner API to its planned route visible in
the public tracking lookup, with the whole platform running as processes (orders, routing,
tracking, SLA) on the embedded broker and mongod, and the simulator's partners as the load.

Open loop at a fixed rate (default 200 orders/s for 30 s); a watcher polls the tracking
multi-lookup (10 waybills per request) every 20 ms for the pending waybills. Latency is
from the 201 of the order to the first lookup that shows the planned route, so it includes
up to one polling interval plus one lookup.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.infra import machine
from fairwind.devstack import (
    Simulation,
    listening_ports,
    runnable_services,
    service_env,
    start_service,
)
from fairwind.infra.embedded import EmbeddedInfra
from fairwind.infra.processes import port_open, terminate
from sim.clients import Clients, Endpoints
from sim.parcel import order_body
from sim.plan import SimConfig, script_day
from sim.provision import provision
from sim.world import World

OFFSET = 15000
RATE = float(os.environ.get("BENCH_E2E_RATE", "200"))
SECONDS = float(os.environ.get("BENCH_E2E_SECONDS", "30"))
TARGET_P99_S = 0.5


def endpoints() -> Endpoints:
    def port(name: str, kind: str) -> str:
        return service_env(name, {}, OFFSET)[f"FAIRWIND_{kind}_PORT"]

    return Endpoints(
        f"http://127.0.0.1:{port('orders', 'HTTP')}",
        f"http://127.0.0.1:{port('tracking', 'HTTP')}",
        f"127.0.0.1:{port('routing', 'GRPC')}",
        f"http://127.0.0.1:{port('sla', 'HTTP')}",
    )


class Watcher:
    """Waybills waiting for their route in tracking, and how long each waited."""

    def __init__(self, clients: Clients) -> None:
        self.clients = clients
        self.pending: OrderedDict[str, float] = OrderedDict()
        self.latencies: list[float] = []
        self.stopping = False

    async def run(self) -> None:
        while not self.stopping or self.pending:
            oldest = list(self.pending)[:60]
            batches = [oldest[i : i + 10] for i in range(0, len(oldest), 10)]
            await asyncio.gather(*(self.check(batch) for batch in batches))
            await asyncio.sleep(0.02)

    async def check(self, waybills: list[str]) -> None:
        answer = await self.clients.http.get(
            f"{self.clients.endpoints.tracking}/v1/track", params={"waybills": ",".join(waybills)}
        )
        seen = time.perf_counter()
        for shipment in answer.json().get("shipments", []):
            if shipment.get("planned_route") and shipment["waybill"] in self.pending:
                self.latencies.append(seen - self.pending.pop(shipment["waybill"]))


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
            watcher.pending[answer["waybill"]] = time.perf_counter()
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
    with tempfile.TemporaryDirectory() as tmp, EmbeddedInfra(Path(tmp)) as infra:
        # Business time at 10:00 (couriers on shift), running at wall speed.
        simulation = Simulation(1.0, _ten_oclock(), datetime.now(UTC))
        extra = simulation.env() | {"FAIRWIND_LOG_LEVEL": "WARNING"}
        services = runnable_services()
        children = [
            start_service(name, service_env(name, infra.env(), OFFSET) | extra, subprocess.DEVNULL)
            for name in services
        ]
        try:
            await _wait(listening_ports(services, OFFSET))
            env = dict(os.environ) | infra.env() | extra
            keys, _ = await provision(["bench"], [], [], rate=10_000, env=env)
            clients = Clients(endpoints(), keys, {})
            watcher = Watcher(clients)
            watching = asyncio.create_task(watcher.run())
            accepted, refused, seconds = await load(clients, watcher, "bench")
            watcher.stopping = True
            try:
                await asyncio.wait_for(watching, 120)
            except TimeoutError:
                left = list(watcher.pending)
                print(f"  {len(left)} waybills never showed a route, e.g. {left[:3]}")
                _, example = await clients.track(left[0])
                print(f"  tracking shows: {example}")
            await clients.close()
        finally:
            for child in children:
                terminate(child.pid, timeout_s=15)
    _report(accepted, refused, seconds, watcher.latencies)


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


async def _wait(ports: list[int], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not all(port_open("127.0.0.1", port) for port in ports):
        if time.monotonic() > deadline:
            raise RuntimeError("the services did not start")
        await asyncio.sleep(0.2)
