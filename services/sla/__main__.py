"""Command line of the SLA stream processors.

    python -m services.sla serve      # a Faust worker (``worker`` is the same)

Scale by starting more workers with the same settings and another
``FAIRWIND_HTTP_PORT`` (each worker's web port): they split the partitions.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import faust

from fairwind.events.kafka import ensure_topics
from fairwind.runtime.cli import dispatch, service_parser
from fairwind.runtime.serving import settle_memory
from services.sla.bootstrap import bootstrap
from services.sla.settings import SlaSettings


def serve(settings: SlaSettings) -> None:
    """Runs until SIGTERM; Faust's worker owns the event loop and the signals."""
    sla = bootstrap(settings)
    asyncio.run(ensure_topics(settings, sla.topics_wanted(), compacted=sla.changelogs()))
    Path(sla.app.conf.datadir).mkdir(parents=True, exist_ok=True)
    settle_memory()
    worker = faust.Worker(sla.app, loglevel=settings.log_level.lower(), quiet=True)
    worker.execute_from_commandline()


def main(argv: list[str] | None = None) -> int:
    parser, commands = service_parser("services.sla", __doc__, "run a worker")
    commands.add_parser("worker", help="the same as serve")
    args = parser.parse_args(argv)
    args.command = "serve"  # both commands serve
    return dispatch(args, SlaSettings(), serve)


if __name__ == "__main__":
    sys.exit(main())
