"""Servers as lifecycle workers, so one ``run_until_signalled`` drains them all on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Generator
from typing import Any

import uvicorn

from fairwind.lifecycle import Worker
from fairwind.rpc import GrpcServer


class _EmbeddedUvicorn(uvicorn.Server):
    """Uvicorn without its own signal handlers: the service's lifecycle owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def http_worker(
    app: Any, host: str, port: int, *, name: str = "http"
) -> tuple[Worker, uvicorn.Server]:
    """Serve an ASGI app; on stop, uvicorn stops accepting and finishes open requests."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
        loop="none",
        timeout_graceful_shutdown=10,
    )
    server = _EmbeddedUvicorn(config)

    def stop() -> None:
        server.should_exit = True

    return Worker(name, server.serve, stop), server


def grpc_worker(server: GrpcServer, grace_s: float = 5.0, *, name: str = "grpc") -> Worker:
    stopping = asyncio.Event()

    async def run() -> None:
        await server.start()
        await stopping.wait()
        await server.stop(grace_s)

    return Worker(name, run, stopping.set)
