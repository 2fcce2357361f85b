"""Graceful shutdown: a signal stops intake, then workers drain and finish."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from fairwind.runtime.lifecycle import Worker, run_until_signalled


class Draining:
    """A worker that, asked to stop, finishes the item in hand before returning."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stopping = asyncio.Event()
        self.started = asyncio.Event()
        self.finished_cleanly = False

    async def run(self) -> None:
        self.started.set()
        await self.stopping.wait()
        await asyncio.sleep(0.01)  # the last batch being committed
        self.finished_cleanly = True

    def worker(self) -> Worker:
        return Worker(self.name, self.run, self.stopping.set)


async def test_sigterm_stops_intake_then_drains_every_worker() -> None:
    consumer, relay = Draining("consumer"), Draining("relay")
    order: list[str] = []

    async def stop_intake() -> None:
        order.append("intake stopped")

    async def send_sigterm() -> None:
        await consumer.started.wait()
        await relay.started.wait()
        os.kill(os.getpid(), signal.SIGTERM)

    sender = asyncio.create_task(send_sigterm())
    await run_until_signalled([consumer.worker(), relay.worker()], on_stop=stop_intake)
    await sender
    assert order == ["intake stopped"]
    assert consumer.finished_cleanly
    assert relay.finished_cleanly


async def test_a_failing_worker_stops_the_others_and_exits_non_zero() -> None:
    survivor = Draining("relay")

    async def crash() -> None:
        await survivor.started.wait()
        raise RuntimeError("broker unreachable")

    with pytest.raises(SystemExit) as exit_info:
        await run_until_signalled([Worker("consumer", crash, lambda: None), survivor.worker()])
    assert exit_info.value.code == 1
    assert survivor.finished_cleanly


async def test_a_worker_that_will_not_drain_is_cancelled_after_the_grace() -> None:
    cancelled = asyncio.Event()

    async def stubborn() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cancelled.set()

    async def send_sigterm() -> None:
        await asyncio.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    sender = asyncio.create_task(send_sigterm())
    await run_until_signalled([Worker("stubborn", stubborn, lambda: None)], grace_s=0.1)
    await sender
    assert cancelled.is_set()
