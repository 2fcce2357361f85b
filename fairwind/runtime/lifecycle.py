"""Running a service's long-lived tasks until SIGTERM/SIGINT, then draining them in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Worker:
    """A long-running coroutine and how to ask it to finish (e.g. a consumer or relay)."""

    name: str
    run: Callable[[], Coroutine[Any, Any, None]]
    stop: Callable[[], None]


async def run_until_signalled(
    workers: Sequence[Worker],
    *,
    on_stop: Callable[[], Awaitable[None]] | None = None,
    grace_s: float = 10.0,
) -> None:
    """Run ``workers`` until a signal arrives or one of them fails.

    On SIGTERM/SIGINT: ``on_stop`` (e.g. stop accepting requests), then every worker's
    ``stop()``; each gets ``grace_s`` to drain and commit before it is cancelled.
    """
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    tasks: dict[asyncio.Task[None], Worker] = {
        asyncio.create_task(w.run(), name=w.name): w for w in workers
    }
    stop_wait = asyncio.create_task(stopping.wait())
    try:
        done, _ = await asyncio.wait([*tasks, stop_wait], return_when=asyncio.FIRST_COMPLETED)
        failed = [t for t in done if t is not stop_wait and t.exception() is not None]
        for task in failed:
            log.error("worker failed", exc_info=task.exception(), extra={"worker": task.get_name()})
        log.info("stopping", extra={"reason": "signal" if stop_wait in done else "worker ended"})
        if on_stop is not None:
            await on_stop()
        for worker in tasks.values():
            worker.stop()
        pending = [t for t in tasks if not t.done()]
        if pending:
            _, late = await asyncio.wait(pending, timeout=grace_s)
            for task in late:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*late, return_exceptions=True)
        if failed:
            raise SystemExit(1)
    finally:
        stop_wait.cancel()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def periodic(name: str, work: Callable[[], Awaitable[None]], interval_s: float) -> Worker:
    """A worker that runs ``work`` now and then every ``interval_s`` until stopped; a round
    that fails is logged and the next one runs as planned."""
    stopping = asyncio.Event()

    async def run() -> None:
        while not stopping.is_set():
            try:
                await work()
            except Exception:
                log.exception("periodic work failed; trying again", extra={"worker": name})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), interval_s)

    return Worker(name, run, stopping.set)
