"""The ceilings beside the SLA worker: a Faust worker with the same settings that reads the
same events and does no work of its own; with ``--write`` it takes them in batches as the
SLA worker does and writes one table record per event the way it does (services/sla/
writes.py): the framework's cost of a worker whose every event changes its state. Run by
``bench.sla`` as a child process; it prints the rate it saw as JSON and exits.

    python -m bench.faust_floor EVENTS TOPIC [TOPIC ...] [--write]
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from typing import Any

import faust

from fairwind.infra.processes import free_port
from fairwind.settings import ServiceSettings
from services.sla.bootstrap import RAW
from services.sla.writes import BatchWrites


def floor_app(expected: int, topics: list[str], write: bool) -> faust.App:
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
    seen = {"n": 0, "first": 0.0}

    writes = BatchWrites(table)

    def count(events: int) -> None:
        if not seen["n"]:
            seen["first"] = time.perf_counter()
        seen["n"] += events
        if seen["n"] >= expected:
            elapsed = time.perf_counter() - seen["first"]
            print(json.dumps({"events": expected, "seconds": elapsed}), flush=True)
            os._exit(0)  # a measurement, not a worker: no graceful shutdown to wait for

    async def send(topic: str, key: bytes, value: bytes | None, partition: int) -> None:
        await app.producer.send(topic, key, value, partition, None, None)

    async def read(stream: Any) -> None:
        async for _event in stream.events():
            count(1)

    async def read_and_write(stream: Any) -> None:
        async for batch in stream.take_events(1000, within=0.05):
            for event in batch:
                message = event.message
                writes.set(message.partition, message.key.decode(), message.value.hex())
            await writes.flush(send)
            count(len(batch))

    app.agent(source, name="floor")(read_and_write if write else read)
    return app


def main() -> None:
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    app = floor_app(int(args[0]), args[1:], "--write" in sys.argv)
    sys.argv = [sys.argv[0], "worker", "--loglevel", "warn"]
    app.main()


if __name__ == "__main__":
    main()
