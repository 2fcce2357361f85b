"""What the reliability rules rest on and only Apache Kafka gives (Tansu has neither): an
acknowledged record survives a crash of the broker, and an idempotent producer's retry
writes no duplicate. Each test runs a broker of its own, which it kills or pauses."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections import Counter

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition

from fairwind.events.kafka import ensure_topics, make_producer, make_reader, read_to_end
from fairwind.infra.broker import BrokerProcess
from fairwind.settings import ServiceSettings
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration
TOPIC = "guarantees.v1"
PARTITIONS = 3


async def stored(settings: ServiceSettings) -> list[bytes]:
    """Every record value on the topic."""
    reader = make_reader(settings)
    await reader.start()
    try:
        start = {TopicPartition(TOPIC, p): 0 for p in range(PARTITIONS)}
        return [r.value async for r in read_to_end(reader, start, exact=True) if r.value]
    finally:
        await reader.stop()


async def stored_eventually(settings: ServiceSettings, value: bytes) -> list[bytes]:
    for _ in range(150):
        values = await stored(settings)
        if value in values:
            return values
        await asyncio.sleep(0.2)
    raise AssertionError(f"{value!r} never reached the topic")


class Stream:
    """Numbered records sent in rounds of ``round_size``, remembering which were acknowledged."""

    def __init__(self, producer: AIOKafkaProducer, round_size: int = 50) -> None:
        self.producer = producer
        self.round_size = round_size
        self.sent = 0
        self.acknowledged: set[int] = set()
        self.stopping = asyncio.Event()

    async def run(self) -> None:
        while not self.stopping.is_set():
            numbers = range(self.sent, self.sent + self.round_size)
            self.sent += self.round_size
            await asyncio.gather(*(self._one(n) for n in numbers))

    async def _one(self, n: int) -> None:
        key = f"waybill-{n % 97}".encode()
        await self.producer.send_and_wait(TOPIC, str(n).encode(), key=key)
        self.acknowledged.add(n)

    async def until_acknowledged(self, count: int) -> None:
        await wait_for(lambda: len(self.acknowledged) >= count, timeout_s=120)


async def test_a_broker_killed_mid_stream_loses_no_acknowledged_record(
    own_kafka: BrokerProcess,
) -> None:
    settings = ServiceSettings(kafka_bootstrap=own_kafka.bootstrap)  # acks=all, idempotent
    await ensure_topics(settings, {TOPIC: PARTITIONS})
    producer = make_producer(settings)
    await producer.start()
    stream = Stream(producer)
    streaming = asyncio.create_task(stream.run())
    try:
        await stream.until_acknowledged(2000)
        own_kafka.kill()  # SIGKILL while rounds are in flight
        before_kill = set(stream.acknowledged)
        await asyncio.to_thread(own_kafka.start)  # same data directory and port
        await stream.until_acknowledged(len(before_kill) + 2000)
        stream.stopping.set()
        await streaming  # the rounds cut by the kill were retried until acknowledged
    finally:
        stream.stopping.set()
        with contextlib.suppress(Exception):
            await streaming
        await producer.stop()

    copies = Counter(int(value) for value in await stored(settings))
    assert before_kill <= set(copies)
    assert stream.acknowledged == set(range(stream.sent))
    assert set(copies) == stream.acknowledged
    assert [n for n, count in copies.items() if count > 1] == []


async def send_while_paused(
    broker: BrokerProcess,
    producer: AIOKafkaProducer,
    value: bytes,
    caplog: pytest.LogCaptureFixture,
) -> asyncio.Task[object]:
    """Send ``value`` to a paused broker and resume it once the request has timed out."""
    caplog.clear()
    os.kill(broker.pid, signal.SIGSTOP)
    try:
        sending = asyncio.create_task(producer.send_and_wait(TOPIC, value, key=b"k", partition=0))
        await wait_for(lambda: "RequestTimedOutError" in caplog.text, timeout_s=60)
    finally:
        os.kill(broker.pid, signal.SIGCONT)
    await asyncio.wait([sending], timeout=60)
    return sending


async def test_an_idempotent_retry_through_a_paused_broker_writes_no_duplicate(
    own_kafka: BrokerProcess, caplog: pytest.LogCaptureFixture
) -> None:
    settings = ServiceSettings(kafka_bootstrap=own_kafka.bootstrap)
    await ensure_topics(settings, {TOPIC: PARTITIONS})
    caplog.set_level(logging.WARNING, logger="aiokafka")
    # A short request timeout, so the paused broker's silence times the request out.
    options = settings.producer_options() | {"request_timeout_ms": 2000}
    plain = AIOKafkaProducer(**options | {"acks": 1, "enable_idempotence": False})
    idempotent = AIOKafkaProducer(**options)
    await plain.start()
    await idempotent.start()
    try:
        await plain.send_and_wait(TOPIC, b"connected", key=b"k", partition=0)
        await idempotent.send_and_wait(TOPIC, b"has its id", key=b"k", partition=0)
        # The timed-out request still reaches the broker once it resumes: the producer
        # reports a failure for a record that was written, so a retry would duplicate it.
        lost_answer = await send_while_paused(own_kafka, plain, b"plain", caplog)
        assert lost_answer.exception() is not None
        assert (await stored_eventually(settings, b"plain"))[-1] == b"plain"
        # The idempotent producer does retry, with the same sequence number; the broker
        # recognises the batch it already has.
        retried = await send_while_paused(own_kafka, idempotent, b"idempotent", caplog)
        assert retried.exception() is None
    finally:
        await plain.stop()
        await idempotent.stop()

    assert await stored(settings) == [b"connected", b"has its id", b"plain", b"idempotent"]
