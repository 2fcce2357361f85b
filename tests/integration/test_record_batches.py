"""The kit's record batches on the real broker: where records land, in what order, and that
the producer's flush covers batches submitted without waiting."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord

from fairwind.events.batches import Outgoing, RecordBatches, submit
from fairwind.events.partitioning import partition_for
from tests.integration.conftest import PARTITIONS

pytestmark = pytest.mark.integration

ReadTopic = Callable[[str], Coroutine[Any, Any, list[ConsumerRecord[bytes, bytes]]]]


async def test_records_land_by_key_or_where_named_in_order(
    topic: str, producer: AIOKafkaProducer, read_topic: ReadTopic
) -> None:
    keyed = [Outgoing(topic, f"FW{n}".encode(), f"v{n}".encode()) for n in range(40)]
    named = [Outgoing(topic, b"any", f"p{n}".encode(), [("h", b"1")], 1) for n in range(5)]
    assert await submit(producer, [*keyed, *named]) >= 1
    await producer.flush()  # what a stream processor's commit does
    records = await read_topic(topic)
    assert len(records) == 45
    for record in records:
        if record.value.startswith(b"v"):
            assert record.partition == partition_for(record.key, PARTITIONS)
        else:
            assert (record.partition, list(record.headers)) == (1, [("h", b"1")])
    on_one = [r.value for r in records if r.partition == 1 and r.value.startswith(b"p")]
    assert on_one == [f"p{n}".encode() for n in range(5)]


async def test_a_full_batch_starts_the_next_and_order_is_kept(
    topic: str, producer: AIOKafkaProducer, read_topic: ReadTopic
) -> None:
    batches = RecordBatches(producer)
    values = [bytes([n]) * 20_000 for n in range(80)]  # more than one batch holds (1 MiB)
    placed = [await batches.add(topic, b"same-key", value) for value in values]
    assert len({id(batch) for batch, _ in placed}) > 1
    submitted = await batches.submit()
    offsets = [(await future).offset for _, future in submitted]
    assert offsets == sorted(offsets)
    assert [r.value for r in await read_topic(topic)] == values
