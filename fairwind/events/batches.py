"""Records gathered into one aiokafka record batch per partition: the producer's fast path.

A record sent alone costs the producer a future, a metadata check and an accumulator entry;
appended to a ``BatchBuilder`` it costs little more than its bytes. The publisher uses this
for its batches, and a stream processor for what one batch of its input produced (its
outcomes and table changelogs), submitted together before the batch's offsets are committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from aiokafka import AIOKafkaProducer

from fairwind.events.partitioning import partition_for

Headers = Sequence[tuple[str, bytes]]


class Outgoing(NamedTuple):
    """One record to produce; ``partition`` None means by key (murmur2, as Kafka's clients)."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: Headers | None = None
    partition: int | None = None


class Batch:
    __slots__ = ("base_offset", "builder", "count", "partition", "topic")

    def __init__(self, builder: Any, topic: str, partition: int) -> None:
        self.builder = builder
        self.topic = topic
        self.partition = partition
        self.count = 0
        self.base_offset = -1

    def append(self, key: bytes | None, value: bytes | None, headers: Headers | None) -> bool:
        """False when the batch is full (the record starts the next one)."""
        added = self.builder.append(key=key, value=value, timestamp=None, headers=headers or [])
        if added is None:
            return False
        self.count += 1
        return True


class RecordBatches:
    """Builds the batches for records added in order; order is kept per partition."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer
        self._partitions: dict[str, list[int]] = {}
        self._open: dict[tuple[str, int], Batch] = {}
        self._sealed: list[Batch] = []

    async def add(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        headers: Headers | None = None,
        partition: int | None = None,
    ) -> tuple[Batch, int]:
        """Where the record went: its batch and its index in it."""
        if partition is None:
            partitions = self._partitions.get(topic)
            if partitions is None:
                found = await self.producer.partitions_for(topic)
                partitions = self._partitions[topic] = sorted(found)
            partition = partitions[partition_for(key, len(partitions))]
        slot = (topic, partition)
        batch = self._open.get(slot)
        if batch is None or not batch.append(key, value, headers):
            if batch is not None:
                self._sealed.append(batch)
            batch = self._open[slot] = Batch(self.producer.create_batch(), topic, partition)
            if not batch.append(key, value, headers):
                raise ValueError(f"a record for {topic} is larger than a whole batch")
        return batch, batch.count - 1

    async def submit(self) -> list[tuple[Batch, asyncio.Future[Any]]]:
        """Hand every batch to the producer; each future resolves with its metadata once the
        broker has it. The caller waits for them, or for ``producer.flush()``."""
        batches = [*self._sealed, *self._open.values()]
        self._sealed, self._open = [], {}
        return [
            (b, await self.producer.send_batch(b.builder, b.topic, partition=b.partition))
            for b in batches
        ]


async def submit(producer: AIOKafkaProducer, records: Iterable[Outgoing]) -> int:
    """Queue ``records`` in batches without waiting for the broker; how many batches."""
    batches = RecordBatches(producer)
    for record in records:
        await batches.add(*record)
    return len(await batches.submit())
