"""Servers as lifecycle workers, so one ``run_until_signalled`` drains them all on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
from collections.abc import Coroutine, Generator
from typing import Any

import uvicorn

from fairwind.rpc import GrpcServer
from fairwind.runtime.lifecycle import Worker


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

    async def run() -> None:
        await server.serve(sockets=[reusable_socket(host, port)])

    return Worker(name, run, stop), server


def reusable_socket(host: str, port: int) -> socket.socket:
    """A listening socket with SO_REUSEPORT: several processes of one service can share a
    port and the kernel spreads connections over them (one process per core)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def settle_memory() -> None:
    """Call once start-up is done: move everything built so far (settings, clients, data
    tables, caches) out of the garbage collector's way and collect young objects less often.
    Full collections over a large, long-lived heap are what stall a Python service for tens
    of milliseconds at a time."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def run(main: Coroutine[Any, Any, None]) -> None:
    """``asyncio.run`` on uvloop when it is installed (it is, with uvicorn[standard])."""
    try:
        import uvloop  # noqa: PLC0415 - optional speed-up
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def grpc_worker(server: GrpcServer, grace_s: float = 5.0, *, name: str = "grpc") -> Worker:
    stopping = asyncio.Event()

    async def run() -> None:
        await server.start()
        await stopping.wait()
        await server.stop(grace_s)

    return Worker(name, run, stopping.set)
