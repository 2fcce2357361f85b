"""The services' command lines, one shape for all: ``serve`` plus the admin commands each
service adds (keys, devices, customers, ...), with logging configured the same way, and
the one start-up sequence every asyncio service serves with (``serve``)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Protocol, TypeVar

from fairwind.events.consumer import ConsumerRunner
from fairwind.logs import configure_logging
from fairwind.metrics import start_metrics_exporter
from fairwind.platform import Platform
from fairwind.rpc import GrpcServer
from fairwind.runtime.lifecycle import Worker, run_until_signalled
from fairwind.runtime.serving import grpc_worker, http_worker, run, settle_memory
from fairwind.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)
Commands = argparse._SubParsersAction


class Bootstrapped(Protocol):
    """What a service's ``bootstrap()`` returns: its platform, and how to close it all."""

    @property
    def platform(self) -> Platform: ...

    async def close(self) -> None: ...


def service_parser(
    module: str, doc: str | None, serve_help: str
) -> tuple[argparse.ArgumentParser, Commands[argparse.ArgumentParser]]:
    """The parser of ``python -m <module>`` with its ``serve`` command; the caller adds the
    admin commands to the second value."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {module}",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help=serve_help)
    return parser, commands


def dispatch(
    args: argparse.Namespace,
    settings: S,
    serve: Callable[[S], Coroutine[Any, Any, None] | None],
    admin: Callable[[S, argparse.Namespace], Coroutine[Any, Any, int]] | None = None,
) -> int:
    """Run ``serve`` until signalled, or one admin command; the process's exit code.

    ``serve`` returns the coroutine to run, or runs a loop of its own and returns None once
    stopped (the SLA worker: Faust's worker owns its event loop and signals)."""
    configure_logging(settings.service_name, settings.log_level, json_format=settings.log_json)
    if args.command == "serve":
        serving = serve(settings)
        if serving is not None:
            run(serving)
        return 0
    if admin is None:
        raise ValueError(f"unknown command {args.command!r}")
    return asyncio.run(admin(settings, args))


async def serve(
    settings: ServiceSettings,
    app: Bootstrapped,
    consumer: ConsumerRunner,
    *,
    api: Any = None,
    grpc: GrpcServer | None = None,
    workers: Sequence[Worker] = (),
) -> None:
    """Serve a bootstrapped service until SIGTERM/SIGINT, then drain and close it.

    Topics first (a broker creating them on first use would get partition counts wrong),
    then the heap is settled, then HTTP (``api``, which serves ``/metrics`` itself, or else
    a metrics exporter), gRPC, the outbox relay, ``consumer`` and the service's own
    ``workers`` run under one ``run_until_signalled``; ``app.close()`` always follows."""
    try:
        await app.platform.ensure_topics()
        settle_memory()
        served: list[Worker] = []
        if api is None:
            start_metrics_exporter(settings.metrics_port, settings.metrics_host)
        else:
            served.append(http_worker(api, settings.http_host, settings.http_port)[0])
        if grpc is not None:
            served.append(grpc_worker(grpc))
        served += app.platform.event_workers(consumer)
        await run_until_signalled([*served, *workers], grace_s=settings.shutdown_grace_s)
    finally:
        await app.close()
