"""Publishing protobuf events with CloudEvents headers, one at a time or in batches."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from aiokafka import AIOKafkaProducer
from google.protobuf.message import Message

from fairwind.events.batches import Batch, RecordBatches
from fairwind.events.codec import EncodedEvent, EventCodec
from fairwind.metrics import KitMetrics


class Delivered(NamedTuple):
    """Where the broker stored a record."""

    topic: str
    partition: int
    offset: int
    event_id: str


class Receipt:
    """What the broker acknowledged for one ``send``: cheap to build, detailed on demand."""

    def __init__(
        self, records: Sequence[EncodedEvent], placements: list[tuple[Batch, int]]
    ) -> None:
        self._records = records
        self._placements = placements

    def __len__(self) -> int:
        return len(self._records)

    def delivered(self) -> list[Delivered]:
        """Per record, in the order given: topic, partition, offset, event id."""
        return [
            Delivered(batch.topic, batch.partition, batch.base_offset + index, record.event_id)
            for (batch, index), record in zip(self._placements, self._records, strict=True)
        ]

    def last_offsets(self) -> dict[tuple[str, int], int]:
        """The highest offset written per (topic, partition)."""
        last: dict[tuple[str, int], int] = {}
        for batch, _ in self._placements:
            slot = (batch.topic, batch.partition)
            last[slot] = max(last.get(slot, -1), batch.base_offset + batch.count - 1)
        return last


class EventPublisher:
    """Sends encoded events through one aiokafka producer.

    ``send`` builds one record batch per partition (the producer's own fast path), so a
    thousand events cost a few produce requests, and returns only when the broker has
    acknowledged every record. Keys are partitioned with Kafka's murmur2, as every other
    Kafka client does, so a waybill lands on the same partition whoever publishes it.
    """

    def __init__(
        self, producer: AIOKafkaProducer, codec: EventCodec, metrics: KitMetrics | None = None
    ) -> None:
        self.producer = producer
        self.codec = codec
        self._metrics = metrics

    async def publish(
        self,
        message: Message,
        key: str | None,
        *,
        event_id: str | None = None,
        time: datetime | None = None,
    ) -> Delivered:
        encoded = self.codec.encode(message, key, event_id=event_id, time=time)
        (delivered,) = (await self.send([encoded])).delivered()
        return delivered

    async def publish_many(self, items: Iterable[tuple[Message, str | None]]) -> Receipt:
        """Publish events that happen together (they share ``ce_time``)."""
        return await self.send(self.codec.encode_many(items))

    async def send(self, records: Sequence[EncodedEvent]) -> Receipt:
        """Send already encoded records (e.g. from the outbox); order is kept per partition."""
        batches = RecordBatches(self.producer)
        placements = [await batches.add(r.topic, r.key, r.value, r.headers) for r in records]
        submitted = await batches.submit()
        acks = await asyncio.gather(*(future for _, future in submitted))
        for (batch, _), metadata in zip(submitted, acks, strict=True):
            batch.base_offset = metadata.offset
            if self._metrics is not None:
                self._metrics.events_published.labels(batch.topic).inc(batch.count)
        return Receipt(records, placements)
