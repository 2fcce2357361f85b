"""The services' command lines, one shape for all: ``serve`` plus the admin commands each
service adds (keys, devices, customers, ...), with logging configured the same way."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fairwind.logs import configure_logging
from fairwind.serving import run
from fairwind.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)
Commands = argparse._SubParsersAction


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
