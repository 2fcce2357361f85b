"""Event publish throughput: the kit's publisher vs raw aiokafka ``send_batch``, same run.

Both sides send the same realistic OrderCreated events to the same topic with the same
partitioning. The raw side gets pre-serialised bytes and headers (the client ceiling);
the kit side does everything a service does: protobuf serialisation, CloudEvents envelope,
partitioning, batching, waiting for acks. Throughput is reported per wall second and per
CPU second of the publishing process (the broker runs on the other core).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from bench.helpers import Rate
from bench.infra import bench_settings, machine
from bench.summary import Figure, record, scaled
from fairwind.events import EventCatalog, EventCodec, EventPublisher
from fairwind.events.kafka import ensure_topics, make_producer
from fairwind.v1 import common_pb2, orders_pb2

EVENTS = int(scaled(200_000, 30_000))
CHUNK = 5_000  # events handed to the publisher per call, as a relay batch would
PARTITIONS = 6


@dataclass(frozen=True)
class Result(Rate):
    name: str = ""


def sample_order(seq: int) -> orders_pb2.OrderCreated:
    event = orders_pb2.OrderCreated()
    order = event.order
    order.waybill = f"SF{seq:012d}"
    order.partner_id = "partner-7"
    order.partner_order_id = f"PO-{seq}"
    order.service_level = common_pb2.SERVICE_LEVEL_NEXT_DAY
    order.shipper.name = "深圳市顺达电子有限公司"
    order.shipper.phone = "13800138000"
    order.shipper.address.city = "深圳市"
    order.shipper.address.district = "南山区"
    order.shipper.address.street = "科技园南区高新南七道 12 号"
    order.consignee.name = "张三"
    order.consignee.phone = "13912345678"
    order.consignee.address.city = "北京市"
    order.consignee.address.district = "朝阳区"
    order.consignee.address.street = "建国路 88 号 SOHO 现代城 5 号楼"
    parcel = order.parcels.add()
    parcel.weight_kg = 1.2
    parcel.description = "mobile phone accessories"
    return event


async def timed(name: str, events: int, run: Callable[[], Awaitable[None]]) -> Result:
    wall, cpu = time.perf_counter(), time.process_time()
    await run()
    return Result(events, time.perf_counter() - wall, time.process_time() - cpu, name)


async def raw_send_batch(
    producer: AIOKafkaProducer,
    topic: str,
    records: list[tuple[bytes, bytes, list[tuple[str, bytes]]]],
) -> None:
    partitioner = DefaultPartitioner()
    partitions = sorted(await producer.partitions_for(topic))
    for start in range(0, len(records), CHUNK):
        batches: dict[int, object] = {}
        futures = []
        for key, value, headers in records[start : start + CHUNK]:
            partition = partitioner(key, partitions, partitions)
            batch = batches.get(partition) or batches.setdefault(partition, producer.create_batch())
            if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:  # type: ignore[attr-defined]
                futures.append(await producer.send_batch(batch, topic, partition=partition))
                batch = batches[partition] = producer.create_batch()
                batch.append(key=key, value=value, timestamp=None, headers=headers)  # type: ignore[attr-defined]
        for partition, batch in batches.items():
            futures.append(await producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*futures)


async def main() -> list[Result]:
    with bench_settings("bench-publish") as settings:
        topic = f"bench.publish.{uuid.uuid4().hex[:8]}.v1"
        await ensure_topics(settings, {topic: PARTITIONS})
        producer = make_producer(settings)
        await producer.start()
        try:
            codec = EventCodec(EventCatalog().register(topic, orders_pb2.OrderCreated), "bench")
            publisher = EventPublisher(producer, codec)
            messages = [(sample_order(i), f"SF{i:012d}") for i in range(EVENTS)]
            encoded = [codec.encode(m, k) for m, k in messages[:EVENTS]]
            raw = [(e.key or b"", e.value, e.headers) for e in encoded]
            await raw_send_batch(producer, topic, raw[:CHUNK])  # warm up metadata and buffers

            async def kit() -> None:
                for start in range(0, EVENTS, CHUNK):
                    await publisher.publish_many(messages[start : start + CHUNK])

            async def kit_pre_encoded() -> None:
                for start in range(0, EVENTS, CHUNK):
                    await publisher.send(encoded[start : start + CHUNK])

            results = [
                await timed(
                    "raw aiokafka send_batch (pre-serialised)",
                    EVENTS,
                    lambda: raw_send_batch(producer, topic, raw),
                ),
                await timed("kit EventPublisher.publish_many (encode + send)", EVENTS, kit),
                await timed(
                    "kit EventPublisher.send (pre-encoded, relay path)", EVENTS, kit_pre_encoded
                ),
            ]
        finally:
            await producer.stop()
    report(results, settings.broker_profile.value, len(encoded[0].value))
    return results


def report(results: list[Result], profile: str, payload_bytes: int) -> None:
    ceiling = results[0]
    print(
        f"\n== event publish ({EVENTS:,} OrderCreated events, {payload_bytes} B payload + "
        f"CloudEvents headers, {PARTITIONS} partitions, broker: {profile}; {machine()})"
    )
    print(f"{'':52}{'events/s':>12}{'events/CPU-s':>14}{'ratio':>8}")
    for r in results:
        print(
            f"{r.name:52}{r.per_second:>12,.0f}{r.per_cpu_second:>14,.0f}"
            f"{r.per_second / ceiling.per_second:>8.2f}"
        )
    print("target: >= 100,000 events/s per core (kit, encode + send)")
    kit = results[1]
    record(
        Figure(
            "event publish",
            "kit publish_many (encode + send)",
            kit.per_second,
            "events/s",
            ">= 100,000/s per core",
            "raw send_batch",
            ceiling.per_second,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
