"""``fairwind.runtime.lifecycle.periodic``: rounds now and then again, a failed round does not end
the worker, and stopping ends it even in the middle of a long wait."""

from __future__ import annotations

import asyncio
import logging

import pytest

from fairwind.runtime.lifecycle import periodic

HANG_GUARD_S = 10  # only so that a broken worker fails the test instead of hanging it


async def test_the_first_round_runs_at_once_and_stop_ends_the_wait() -> None:
    rounds: list[int] = []
    ran = asyncio.Event()

    async def work() -> None:
        rounds.append(len(rounds))
        ran.set()

    worker = periodic("once-an-hour", work, interval_s=3600)
    running = asyncio.create_task(worker.run())
    await asyncio.wait_for(ran.wait(), HANG_GUARD_S)
    worker.stop()
    await asyncio.wait_for(running, HANG_GUARD_S)  # does not sit out the hour
    assert rounds == [0]
    assert worker.name == "once-an-hour"


async def test_a_failing_round_is_logged_and_the_next_round_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outcomes: list[str] = []
    third = asyncio.Event()

    async def work() -> None:
        outcomes.append("failed" if not outcomes else "ran")
        if len(outcomes) == 3:
            third.set()
        if len(outcomes) == 1:
            raise RuntimeError("mongod stepped down")

    worker = periodic("expirer", work, interval_s=0)
    with caplog.at_level(logging.ERROR, logger="fairwind.runtime.lifecycle"):
        running = asyncio.create_task(worker.run())
        await asyncio.wait_for(third.wait(), HANG_GUARD_S)
        worker.stop()
        await asyncio.wait_for(running, HANG_GUARD_S)
    assert outcomes[:3] == ["failed", "ran", "ran"]
    failures = [r for r in caplog.records if "periodic work failed" in r.getMessage()]
    assert len(failures) == 1
    assert getattr(failures[0], "worker", None) == "expirer"
    assert failures[0].exc_info is not None


async def test_a_worker_stopped_before_it_starts_runs_no_round() -> None:
    rounds: list[int] = []

    async def work() -> None:
        rounds.append(1)

    worker = periodic("never", work, interval_s=0)
    worker.stop()
    await asyncio.wait_for(worker.run(), HANG_GUARD_S)
    assert rounds == []
