"""The ceilings beside the SLA worker: a Faust worker with the same settings that reads the
same events and does no work of its own; with ``--write`` it takes them in batches as the
SLA worker does and writes one table record per event the way it does (services/sla/
writes.py): the framework's cost of a worker whose every event changes its state. With
``--mirror=BYTES --every=N`` it produces what the SLA worker produces on these events: each
table record BYTES long (the worker's shipment records), and every N-th event forwarded to
an output topic with its headers (the worker's outcomes), still with no SLA work. Run by
``bench.sla`` as a child process; it prints the rate it saw as JSON and exits.

    python -m bench.faust_floor EVENTS TOPIC [TOPIC ...] [--write | --mirror=B --every=N]
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any

import faust

from fairwind.events.batches import Outgoing, submit
from fairwind.infra.processes import free_port
from fairwind.settings import ServiceSettings
from services.sla.bootstrap import RAW
from services.sla.writes import BatchWrites

OUTPUT = "fairwind.sla.v1"


@dataclass(frozen=True)
class Work:
    """What the floor writes per event besides reading it: nothing, one table record, or
    the SLA worker's own output on these events (a table record the size of its shipment
    records, and every ``output_every``-th event forwarded with its headers, as many
    records as the outcomes it publishes)."""

    write: bool = False
    value_bytes: int = 0
    output_every: int = 0


def floor_app(expected: int, topics: list[str], work: Work) -> faust.App:
    settings = ServiceSettings(service_name="bench-floor")
    app_id = f"bench-floor-{uuid.uuid4().hex[:6]}"
    app = faust.App(
        app_id,
        **settings.faust_options(),
        store="memory://",
        datadir=f"/tmp/{app_id}",
        autodiscover=False,
        web_enabled=False,
        web_port=free_port(),  # Faust binds its port even with the web off
        topic_partitions=4,
    )
    source = app.topic(*topics, **RAW)
    table = app.Table("floor", default=None, partitions=4)
    seen = {"n": 0, "first": 0.0, "cpu": 0.0}

    writes = BatchWrites(table)

    def count(events: int) -> None:
        if not seen["n"]:
            seen["first"], seen["cpu"] = time.perf_counter(), time.process_time()
        seen["n"] += events
        if seen["n"] >= expected:
            elapsed = time.perf_counter() - seen["first"]
            cpu = time.process_time() - seen["cpu"]
            print(json.dumps({"events": expected, "seconds": elapsed, "cpu": cpu}), flush=True)
            os._exit(0)  # a measurement, not a worker: no graceful shutdown to wait for

    async def read(stream: Any) -> None:
        async for _event in stream.events():
            count(1)

    async def read_and_write(stream: Any) -> None:
        forwarded = 0
        filler = "0" * max(work.value_bytes - 2, 0)  # as JSON: a string of value_bytes
        async for batch in stream.take_events(1000, within=0.05):
            outputs = []
            for event in batch:
                message = event.message
                value = filler or message.value.hex()
                writes.set(message.partition, message.key.decode(), value)
                forwarded += 1
                if work.output_every and forwarded % work.output_every == 0:
                    headers = list(message.headers or [])
                    outputs.append(Outgoing(OUTPUT, message.key, message.value, headers))
            producer: Any = app.producer
            await submit(producer._ensure_producer(), [*outputs, *writes.records()])
            writes.apply()
            count(len(batch))

    app.agent(source, name="floor")(read_and_write if work.write else read)
    return app


def main() -> None:
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    flags = dict(arg.removeprefix("--").partition("=")[::2] for arg in sys.argv if arg[:2] == "--")
    work = Work(
        write="write" in flags or "mirror" in flags,
        value_bytes=int(flags.get("mirror", "0") or 0),
        output_every=int(flags.get("every", "0") or 0),
    )
    app = floor_app(int(args[0]), args[1:], work)
    sys.argv = [sys.argv[0], "worker", "--loglevel", "warn"]
    app.main()


if __name__ == "__main__":
    main()
