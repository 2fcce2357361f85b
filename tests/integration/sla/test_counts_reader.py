"""The counts view's changelog reader on the real broker: no consumer group, every
partition from the beginning, a topic that only appears after the reader started."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaProducer
from faust.serializers import codecs

from fairwind.events.kafka import ensure_topics
from fairwind.settings import ServiceSettings
from services.sla.counts import ChangelogReader, CountsView

pytestmark = pytest.mark.integration


async def until(condition: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the condition never held")
        await asyncio.sleep(0.1)


async def test_the_reader_follows_every_partition_of_the_changelog(
    settings: ServiceSettings, producer: AIOKafkaProducer, unique_name: str
) -> None:
    topic = f"{unique_name}-sla-counts-local-changelog"
    view = CountsView()
    reader = ChangelogReader(settings, topic, view, retry_s=0.2, poll_ms=100)
    task = asyncio.create_task(reader.run())
    try:
        await asyncio.sleep(0.5)  # the topic does not exist yet: the reader waits for it
        await ensure_topics(settings, {topic: 3})

        async def send(partition: int, key: str, value: int | None) -> None:
            raw = None if value is None else codecs.dumps("json", value)
            await producer.send_and_wait(
                topic, raw, key=codecs.dumps("json", key), partition=partition
            )

        await send(0, "0|1|pickup|outlet|A|met", 1)
        await send(0, "0|1|pickup|outlet|A|met", 2)
        await send(1, "1|1|pickup|outlet|A|breached", 1)
        await send(2, "2|1|pickup|outlet|B|met", 4)
        await send(2, "2|1|pickup|outlet|B|met", None)  # a tombstone
        await producer.send_and_wait(topic, b"not a counter", key=b"\xff", partition=1)
        await send(1, "1|1|pickup|outlet|C|met", 1)
        await until(lambda: reader.read == 6)
        assert dict(view.items()) == {
            "0|1|pickup|outlet|A|met": 2,
            "1|1|pickup|outlet|A|breached": 1,
            "1|1|pickup|outlet|C|met": 1,
        }
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert task.cancelled()
