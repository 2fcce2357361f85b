"""Command line of the SLA stream processors.

    python -m services.sla worker     # (``serve`` is the same, for ``make run``)

Scale by starting more workers with the same settings and another
``FAIRWIND_HTTP_PORT`` (each worker's web port): they split the partitions.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import faust

from fairwind.events.kafka import ensure_topics
from fairwind.logs import configure_logging
from fairwind.serving import settle_memory
from services.sla.app import SlaApp
from services.sla.settings import SlaSettings


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in ("worker", "serve"):
        print(__doc__, file=sys.stderr)
        return 2
    settings = SlaSettings()
    configure_logging(settings.service_name, settings.log_level, json_format=settings.log_json)
    sla = SlaApp(settings)
    wanted = dict.fromkeys(sla.input_names, settings.input_partitions)
    wanted |= {f"{name}.dlq": 3 for name in sla.input_names}
    wanted[sla.output_topic] = settings.input_partitions
    # Created here, before the first tick is sent: a broker that creates topics on first
    # use would otherwise give the tick topic its default partition count.
    wanted[sla.ticks_name] = settings.input_partitions
    asyncio.run(ensure_topics(settings, wanted))
    Path(sla.app.conf.datadir).mkdir(parents=True, exist_ok=True)
    settle_memory()
    worker = faust.Worker(sla.app, loglevel=settings.log_level.lower(), quiet=True)
    worker.execute_from_commandline()
    return 0


if __name__ == "__main__":
    sys.exit(main())
