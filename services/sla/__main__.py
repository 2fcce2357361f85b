"""Command line of the SLA stream processors.

    python -m services.sla serve      # a Faust worker (``worker`` is the same)

Scale by starting more workers with the same settings and another
``FAIRWIND_HTTP_PORT`` (each worker's web port): they split the partitions.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import faust

from fairwind.events.contracts import platform_catalog
from fairwind.events.kafka import ensure_topics, partition_counts
from fairwind.runtime.cli import dispatch, service_parser
from fairwind.runtime.serving import settle_memory
from services.sla.bootstrap import bootstrap, input_topics
from services.sla.settings import SlaSettings

log = logging.getLogger(__name__)


def serve(settings: SlaSettings) -> None:
    """Runs until SIGTERM; Faust's worker owns the event loop and the signals."""
    inputs = input_topics(platform_catalog())
    sla = bootstrap(asyncio.run(matching_partitions(settings, inputs)))
    asyncio.run(ensure_topics(settings, sla.topics_wanted(), compacted=sla.changelogs()))
    Path(sla.app.conf.datadir).mkdir(parents=True, exist_ok=True)
    settle_memory()
    worker = faust.Worker(sla.app, loglevel=settings.log_level.lower(), quiet=True)
    worker.execute_from_commandline()


async def matching_partitions(settings: SlaSettings, inputs: list[str]) -> SlaSettings:
    """The settings with the partition count of the ``inputs`` topics where they exist
    already (a broker kept from a run with another count): the worker's tables, ticks and
    timer index must have as many partitions as its inputs."""
    counts = set((await partition_counts(settings, inputs)).values())
    if not counts or counts == {settings.kafka_partitions}:
        return settings
    if len(counts) > 1:
        raise SystemExit(f"the SLA worker's input topics {inputs} differ in partition count")
    (actual,) = counts
    log.warning(
        "input topics have %d partitions, not FAIRWIND_KAFKA_PARTITIONS=%d; using %d",
        actual,
        settings.kafka_partitions,
        actual,
    )
    return settings.model_copy(update={"kafka_partitions": actual})


def main(argv: list[str] | None = None) -> int:
    parser, commands = service_parser("services.sla", __doc__, "run a worker")
    commands.add_parser("worker", help="the same as serve")
    args = parser.parse_args(argv)
    args.command = "serve"  # both commands serve
    return dispatch(args, SlaSettings(), serve)


if __name__ == "__main__":
    sys.exit(main())
