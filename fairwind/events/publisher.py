"""Publishing protobuf events with CloudEvents headers, one at a time or in batches."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from google.protobuf.message import Message

from fairwind.events.codec import EncodedEvent, EventCodec
from fairwind.metrics import KitMetrics


@dataclass(frozen=True, slots=True)
class Delivered:
    """Where the broker stored a record."""

    topic: str
    partition: int
    offset: int
    event_id: str


class EventPublisher:
    """Sends encoded events through one aiokafka producer.

    ``send`` builds one record batch per partition (the producer's own fast path), so a
    thousand events cost a few produce requests, and returns only when the broker has
    acknowledged every record. The key's partition is chosen with Kafka's murmur2
    partitioner, the same as every other Kafka client, so a waybill lands on the same
    partition whoever publishes it.
    """

    def __init__(
        self, producer: AIOKafkaProducer, codec: EventCodec, metrics: KitMetrics | None = None
    ) -> None:
        self.producer = producer
        self.codec = codec
        self._metrics = metrics
        self._partitioner = DefaultPartitioner()

    async def publish(
        self,
        message: Message,
        key: str | None,
        *,
        event_id: str | None = None,
        time: datetime | None = None,
    ) -> Delivered:
        encoded = self.codec.encode(message, key, event_id=event_id, time=time)
        (delivered,) = await self.send([encoded])
        return delivered

    async def publish_many(self, items: Iterable[tuple[Message, str | None]]) -> list[Delivered]:
        return await self.send([self.codec.encode(message, key) for message, key in items])

    async def send(self, records: Sequence[EncodedEvent]) -> list[Delivered]:
        """Send already encoded records (e.g. from the outbox); order is kept per partition."""
        if not records:
            return []
        partitions = await self._partitions({r.topic for r in records})
        open_batches: dict[tuple[str, int], _Batch] = {}
        sealed: list[_Batch] = []
        placements: list[tuple[_Batch, int]] = []
        for record in records:
            partition = self._partition(record, partitions[record.topic])
            batch = open_batches.get((record.topic, partition))
            if batch is None or not batch.append(record):
                if batch is not None:
                    sealed.append(batch)
                batch = _Batch(self.producer, record.topic, partition)
                open_batches[(record.topic, partition)] = batch
                if not batch.append(record):
                    raise ValueError(f"event {record.event_id} is larger than a whole batch")
            placements.append((batch, batch.count - 1))
        sealed.extend(open_batches.values())
        futures = [
            await self.producer.send_batch(b.builder, b.topic, partition=b.partition)
            for b in sealed
        ]
        for batch, metadata in zip(sealed, await asyncio.gather(*futures), strict=True):
            batch.base_offset = metadata.offset
            if self._metrics is not None:
                self._metrics.events_published.labels(batch.topic).inc(batch.count)
        return [
            Delivered(batch.topic, batch.partition, batch.base_offset + index, record.event_id)
            for (batch, index), record in zip(placements, records, strict=True)
        ]

    async def _partitions(self, topics: set[str]) -> dict[str, list[int]]:
        return {topic: sorted(await self.producer.partitions_for(topic)) for topic in topics}

    def _partition(self, record: EncodedEvent, partitions: list[int]) -> int:
        return int(self._partitioner(record.key, partitions, partitions))


class _Batch:
    __slots__ = ("base_offset", "builder", "count", "partition", "topic")

    def __init__(self, producer: AIOKafkaProducer, topic: str, partition: int) -> None:
        self.builder = producer.create_batch()
        self.topic = topic
        self.partition = partition
        self.count = 0
        self.base_offset = -1

    def append(self, record: EncodedEvent) -> bool:
        added = self.builder.append(
            key=record.key, value=record.value, timestamp=None, headers=record.headers
        )
        if added is None:
            return False
        self.count += 1
        return True
