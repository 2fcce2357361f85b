"""Outbox relay throughput: preloaded outbox records published and marked, against its two
ceilings measured in the same run on the same records and batch size.

- **relay**: ``OutboxRelay.run`` (with the kit's metrics, as services run it) from start
  until every preloaded record is marked published;
- **broker ceiling**: ``EventPublisher.send`` of the same encoded records from memory, one
  batch at a time, waiting for the acks (no MongoDB);
- **MongoDB ceiling**: per batch, read the pending records (the fields a broker record
  needs) and mark them published with one ``update_many`` (no broker, no transaction).

A relay that does the two sides one after the other is bounded by the **sequential floor**
``1 / (1/broker + 1/mongo)``; one that overlaps them, by ``min(broker, mongo)``. Both ratios
are printed; the figure is recorded against the sequential floor. The records are inserted
with ``insert_many`` before the clock starts. Per-CPU-second figures divide by the CPU time
of this process only (mongod and the broker run beside it on the same box). The process
settles its memory as services do (``settle_memory``) once the records are built.

``BENCH_RELAY_BATCHES`` (e.g. ``500,2000,5000``) picks the batch sizes; the first is recorded.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry
from pymongo import ASCENDING

from bench.helpers import Rate
from bench.infra import bench_settings, machine
from bench.publish import sample_order
from bench.summary import Figure, record, scaled
from fairwind.events import EncodedEvent, EventCatalog, EventCodec, EventPublisher
from fairwind.events.kafka import ensure_topics, make_producer, make_reader
from fairwind.metrics import kit_metrics
from fairwind.mongo.client import create_client, in_transaction
from fairwind.mongo.outbox import Outbox
from fairwind.mongo.relay import OutboxRelay
from fairwind.runtime.serving import settle_memory
from fairwind.settings import ServiceSettings
from fairwind.v1 import orders_pb2

EVENTS = int(scaled(50_000, 10_000))
PARTITIONS = 12  # as services create their topics
BATCHES = [int(b) for b in os.environ.get("BENCH_RELAY_BATCHES", "2000").split(",")]
PRELOAD_CHUNK = 5_000
STALL_S = 30.0
BROKER_FIELDS = {"topic": 1, "key": 1, "value": 1, "headers": 1, "event_id": 1}


@dataclass(frozen=True)
class Round:
    batch: int
    relay: Rate
    broker: Rate
    mongo: Rate

    @property
    def sequential_floor(self) -> float:
        return 1 / (1 / self.broker.per_second + 1 / self.mongo.per_second)

    @property
    def overlap_ceiling(self) -> float:
        return min(self.broker.per_second, self.mongo.per_second)


async def timed(events: int, run: Callable[[], Awaitable[None]]) -> Rate:
    wall, cpu = time.perf_counter(), time.process_time()
    await run()
    return Rate(events, time.perf_counter() - wall, time.process_time() - cpu)


def encode(codec: EventCodec) -> list[EncodedEvent]:
    encoded: list[EncodedEvent] = []
    for start in range(0, EVENTS, 1000):
        items = [(sample_order(i), f"SF{i:012d}") for i in range(start, start + 1000)]
        encoded.extend(codec.encode_many(items))
    return encoded[:EVENTS]


async def preload(settings: ServiceSettings, outbox: Outbox, records: list[EncodedEvent]) -> None:
    """The records as services store them (``Outbox.add`` in transactions)."""
    await outbox.create_indexes()
    client = outbox.records.database.client
    for start in range(0, len(records), PRELOAD_CHUNK):
        chunk = records[start : start + PRELOAD_CHUNK]
        await in_transaction(client, lambda s, c=chunk: outbox.add(c, s))  # type: ignore[misc]


async def relay_run(
    settings: ServiceSettings, outbox: Outbox, publisher: EventPublisher, batch: int
) -> None:
    metrics = kit_metrics(CollectorRegistry())
    relay = OutboxRelay(
        outbox,
        publisher,
        lambda: make_reader(settings),
        batch_size=batch,
        metrics=metrics,
        exact_end_offsets=not settings.embedded,
    )
    task = asyncio.create_task(relay.run())
    relayed = metrics.outbox_relayed.labels(publisher_topic(publisher))
    progress, deadline = 0.0, time.monotonic() + STALL_S
    try:
        while (done := relayed._value.get()) < EVENTS:  # rises as batches are marked
            if task.done():
                task.result()
                raise RuntimeError("the relay stopped early")
            if done > progress:
                progress, deadline = done, time.monotonic() + STALL_S
            elif time.monotonic() > deadline:
                raise RuntimeError(f"the relay made no progress for {STALL_S} s")
            await asyncio.sleep(0.005)
    finally:
        relay.stop()
        await task


def publisher_topic(publisher: EventPublisher) -> str:
    (topic,) = publisher.codec.catalog.topics()
    return topic


async def broker_side(publisher: EventPublisher, records: list[EncodedEvent], batch: int) -> None:
    for start in range(0, len(records), batch):
        await publisher.send(records[start : start + batch])


async def mongo_side(outbox: Outbox, batch: int) -> None:
    while True:
        cursor = outbox.records.find({"published_at": None}, BROKER_FIELDS)
        docs = await cursor.sort("_id", ASCENDING).limit(batch).to_list()
        if not docs:
            return
        await outbox.records.update_many(
            {"_id": {"$in": [d["_id"] for d in docs]}},
            {"$set": {"published_at": datetime.now(UTC)}},
        )


async def one_round(
    settings: ServiceSettings, publisher: EventPublisher, records: list[EncodedEvent], batch: int
) -> Round:
    db = create_client(settings)[settings.database_name]
    relay_box, mongo_box = Outbox(db, f"relay_{batch}"), Outbox(db, f"floor_{batch}")
    await preload(settings, relay_box, records)
    await preload(settings, mongo_box, records)
    relay = await timed(EVENTS, lambda: relay_run(settings, relay_box, publisher, batch))
    assert await relay_box.backlog() == 0
    broker = await timed(EVENTS, lambda: broker_side(publisher, records, batch))
    mongo = await timed(EVENTS, lambda: mongo_side(mongo_box, batch))
    for box in (relay_box, mongo_box):
        await box.records.drop()
        await box.state.drop()
    await db.client.close()
    return Round(batch, relay, broker, mongo)


async def main() -> list[Round]:
    with bench_settings("bench-relay") as settings:
        topic = f"bench.relay.{uuid.uuid4().hex[:8]}.v1"
        await ensure_topics(settings, {topic: PARTITIONS})
        producer = make_producer(settings)
        await producer.start()
        try:
            codec = EventCodec(EventCatalog().register(topic, orders_pb2.OrderCreated), "bench")
            publisher = EventPublisher(producer, codec)
            records = encode(codec)
            settle_memory()  # as services do once started: the records out of the GC's way
            await publisher.send(records[:1000])  # warm up metadata and buffers
            rounds = [await one_round(settings, publisher, records, b) for b in BATCHES]
        finally:
            await producer.stop()
        report(rounds, settings.broker_profile.value, len(records[0].value))
    return rounds


def report(rounds: list[Round], profile: str, payload_bytes: int) -> None:
    print(
        f"\n== outbox relay ({EVENTS:,} preloaded OrderCreated records, {payload_bytes} B payload "
        f"+ CloudEvents headers, {PARTITIONS} partitions, broker: {profile}; {machine()})"
    )
    print(f"{'':34}{'events/s':>10}{'events/CPU-s':>14}")
    for r in rounds:
        for name, rate in (("relay", r.relay), ("ceiling: broker (kit send)", r.broker)):
            print(
                f"{name + f' [{r.batch}]':42}{rate.per_second:>10,.0f}{rate.per_cpu_second:>14,.0f}"
            )
        mongo = f"ceiling: MongoDB (read + mark) [{r.batch}]"
        print(f"{mongo:42}{r.mongo.per_second:>10,.0f}{r.mongo.per_cpu_second:>14,.0f}")
        print(
            f"  sequential floor 1/(1/broker + 1/mongo) {r.sequential_floor:,.0f}/s: ratio "
            f"{r.relay.per_second / r.sequential_floor:.2f}; min(ceilings) "
            f"{r.overlap_ceiling:,.0f}/s: ratio {r.relay.per_second / r.overlap_ceiling:.2f}"
        )
    first = rounds[0]
    record(
        Figure(
            "outbox relay",
            f"preloaded, batch {first.batch}",
            first.relay.per_second,
            "events/s",
            "sustain the services' batches",
            "1/(1/send + 1/mongo)",
            first.sequential_floor,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
