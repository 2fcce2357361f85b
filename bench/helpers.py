"""Processes and load generation for service benchmarks."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import aiohttp

from bench.cpu import by_role, process_cpu_s, spent
from fairwind.infra.processes import free_port, port_open, terminate


@dataclass
class Service:
    """A benchmark's child process (a service, a fake dependency)."""

    argv: Sequence[str]
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 30) -> Service:
        self.process = subprocess.Popen(
            [sys.executable, *self.argv],
            env=os.environ | self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        time.sleep(0.5)  # the port may already be open (another process sharing it)
        while not port_open("127.0.0.1", self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(self.argv)} did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None:
            terminate(self.process.pid)

    def cpu_s(self) -> float:
        """CPU seconds the running process has used so far."""
        assert self.process is not None
        return process_cpu_s(self.process.pid)


@dataclass(frozen=True)
class Rate:
    """Events over a span: per second of the clock and per CPU-second of the process."""

    events: int
    wall_s: float
    cpu_s: float

    @property
    def per_second(self) -> float:
        return self.events / self.wall_s

    @property
    def per_cpu_second(self) -> float:
        return self.events / self.cpu_s


@dataclass
class LoadResult:
    ok: int
    failed: int
    seconds: float
    latencies_s: list[float]

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    def percentile(self, p: float) -> float:
        if not self.latencies_s:
            return float("nan")
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def summary(self) -> str:
        return (
            f"{self.rate:>9,.0f}/s  p50 {self.percentile(50) * 1000:6.1f} ms  "
            f"p99 {self.percentile(99) * 1000:6.1f} ms  mean "
            f"{statistics.fmean(self.latencies_s or [0]) * 1000:6.1f} ms  "
            f"({self.ok:,} ok, {self.failed:,} failed)"
        )


Send = Callable[[aiohttp.ClientSession, int], Awaitable[bool]]


async def closed_loop_cpu(
    service: Service, send: Send, concurrency: int, seconds: float
) -> tuple[LoadResult, float, dict[str, float]]:
    """``closed_loop``, the CPU seconds ``service`` used meanwhile, and those of every
    process of the run, by role (``bench.cpu``)."""
    before, box = service.cpu_s(), by_role()
    result = await closed_loop(send, concurrency, seconds)
    return result, service.cpu_s() - before, spent(by_role(), box)


async def closed_loop(send: Send, concurrency: int, seconds: float) -> LoadResult:
    """As fast as possible with ``concurrency`` requests in flight."""
    counter = iter(range(10**9))
    latencies: list[float] = []
    failed = 0
    deadline = time.perf_counter() + seconds

    async def user(session: aiohttp.ClientSession) -> None:
        nonlocal failed
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            if await send(session, next(counter)):
                latencies.append(time.perf_counter() - started)
            else:
                failed += 1

    started = time.perf_counter()
    async with _session(concurrency) as session:
        await asyncio.gather(*(user(session) for _ in range(concurrency)))
    return LoadResult(len(latencies), failed, time.perf_counter() - started, latencies)


async def open_loop(send: Send, rate: float, seconds: float) -> LoadResult:
    """``rate`` requests per second on a fixed schedule; latency counts from the scheduled
    start, so a slow server shows as latency, not as fewer requests (no coordinated
    omission)."""
    latencies: list[float] = []
    failed = 0
    total = int(rate * seconds)

    async def one(session: aiohttp.ClientSession, index: int, due: float) -> None:
        nonlocal failed
        if await send(session, index):
            latencies.append(time.perf_counter() - due)
        else:
            failed += 1

    async with _session(512) as session:
        begin = time.perf_counter()
        tasks = []
        for index in range(total):
            due = begin + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(session, index, due)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - begin
    return LoadResult(len(latencies), failed, elapsed, latencies)


PostBatch = Callable[[aiohttp.ClientSession, int], Awaitable[int]]


async def sustained(
    post: PostBatch, requests: int, in_flight: int, drained: Callable[[], Awaitable[None]]
) -> tuple[LoadResult, dict[str, float]]:
    """``requests`` batch requests, ``in_flight`` at a time (as several partners or sorting
    centres would send them), timed from the first send until ``drained`` returns (every
    event published), and the CPU of every process over that span, by role. ``post``
    sends request ``i`` and returns how many items it recorded; request ``i`` is sent
    after request ``i - in_flight`` has been answered, by the same sender. One request at a time
    leaves a core idle (the service computes while mongod waits and back), so this is
    the figure that can reach the box's bound."""
    latencies: list[float] = []
    recorded = 0

    async def sender(session: aiohttp.ClientSession, first: int) -> None:
        nonlocal recorded
        for index in range(first, requests, in_flight):
            started = time.perf_counter()
            items = await post(session, index)  # awaited first: ``+=`` would read a stale sum
            latencies.append(time.perf_counter() - started)
            recorded += items

    before = by_role()
    begin = time.perf_counter()
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(sender(session, first) for first in range(in_flight)))
    await drained()
    elapsed = time.perf_counter() - begin
    return LoadResult(recorded, 0, elapsed, latencies), spent(by_role(), before)


def _session(connections: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections), timeout=aiohttp.ClientTimeout(total=30)
    )
