"""Publisher and consumer runner against the real broker and mongod."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord, TopicPartition
from prometheus_client import CollectorRegistry
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.events import (
    ConsumerRunner,
    Event,
    EventCatalog,
    EventCodec,
    EventPublisher,
    MongoDedupeStore,
    PermanentError,
    RetryPolicy,
)
from fairwind.events.kafka import make_consumer
from fairwind.metrics import KitMetrics, kit_metrics
from fairwind.observability import correlation, trace_id_of
from fairwind.settings import ServiceSettings
from fairwind.v1 import orders_pb2
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration

ReadTopic = Callable[[str], Coroutine[Any, Any, list[ConsumerRecord[bytes, bytes]]]]
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def created(waybill: str, seq: int = 0) -> orders_pb2.OrderCreated:
    event = orders_pb2.OrderCreated()
    event.order.waybill = waybill
    event.order.partner_order_id = f"po-{seq}"
    return event


def cancelled(waybill: str) -> orders_pb2.OrderCancelled:
    return orders_pb2.OrderCancelled(waybill=waybill, reason="customer asked")


class Harness:
    """A runner on a unique topic and group, with handlers that record what they saw."""

    def __init__(
        self,
        settings: ServiceSettings,
        topic: str,
        producer: AIOKafkaProducer,
        db: AsyncDatabase[dict[str, Any]],
        group: str,
    ) -> None:
        self.catalog = EventCatalog().register(
            topic, orders_pb2.OrderCreated, orders_pb2.OrderCancelled
        )
        self.codec = EventCodec(self.catalog, source="tests")
        self.metrics: KitMetrics = kit_metrics(CollectorRegistry())
        self.publisher = EventPublisher(producer, self.codec, self.metrics)
        self.settings, self.topic, self.producer, self.group = settings, topic, producer, group
        self.dedupe = MongoDedupeStore(db["processed_events"])
        self.seen: list[Event[Any]] = []
        self.failing: set[str] = set()
        self.attempts: dict[str, int] = {}

    async def on_created(self, event: Event[orders_pb2.OrderCreated]) -> None:
        self.attempts[event.id] = self.attempts.get(event.id, 0) + 1
        if event.message.order.waybill in self.failing:
            raise RuntimeError(f"cannot handle {event.message.order.waybill}")
        if event.message.order.waybill.startswith("REJECT"):
            raise PermanentError("waybill refused")
        self.seen.append(event)

    async def on_cancelled(self, event: Event[orders_pb2.OrderCancelled]) -> None:
        self.seen.append(event)

    def runner(self, commit_interval_s: float = 0.0) -> ConsumerRunner:
        return ConsumerRunner(
            make_consumer(self.settings, self.group, self.topic),
            self.group,
            self.codec,
            {
                orders_pb2.OrderCreated: self.on_created,
                orders_pb2.OrderCancelled: self.on_cancelled,
            },
            self.producer,
            self.dedupe,
            retry=RetryPolicy(max_attempts=3, initial_backoff_s=0.01, max_backoff_s=0.05),
            metrics=self.metrics,
            poll_timeout_ms=100,
            commit_interval_s=commit_interval_s,
        )

    def outcome(self, name: str) -> float:
        value = self.metrics.events_consumed.labels(self.topic, self.group, name)._value.get()
        return float(value)


@pytest.fixture
def harness(
    settings: ServiceSettings,
    topic: str,
    producer: AIOKafkaProducer,
    db: AsyncDatabase[dict[str, Any]],
    unique_name: str,
) -> Harness:
    return Harness(settings, topic, producer, db, group=f"{unique_name}-group")


async def run_until(runner: ConsumerRunner, done: Callable[[], bool]) -> None:
    task = asyncio.create_task(runner.run())
    try:
        await wait_for(lambda: done() or task.done())
    finally:
        runner.stop()
        await task


async def test_publish_consume_round_trip_keeps_headers_and_order(
    harness: Harness, read_topic: ReadTopic
) -> None:
    with correlation(TRACEPARENT):
        receipt = await harness.publisher.publish_many(
            [(created("SF1", 1), "SF1"), (created("SF2", 2), "SF2"), (cancelled("SF1"), "SF1")]
        )
    delivered = receipt.delivered()
    assert all(d.offset >= 0 for d in delivered)
    assert receipt.last_offsets()[(harness.topic, delivered[0].partition)] == delivered[2].offset
    await run_until(harness.runner(), lambda: len(harness.seen) == 3)

    by_key = {e.key: [] for e in harness.seen}  # type: dict[str | None, list[str]]
    for event in harness.seen:
        by_key[event.key].append(event.type.rsplit(".", 1)[1])
    assert by_key == {"SF1": ["OrderCreated", "OrderCancelled"], "SF2": ["OrderCreated"]}
    assert {e.id for e in harness.seen} == {d.event_id for d in delivered}
    first = next(e for e in harness.seen if e.key == "SF2")
    assert first.message == created("SF2", 2)
    assert first.envelope.source == "tests"
    assert trace_id_of(first.envelope.traceparent) == trace_id_of(TRACEPARENT)

    records = await read_topic(harness.topic)
    headers = dict(records[0].headers)
    assert set(headers) == {
        "ce_specversion",
        "ce_id",
        "ce_type",
        "ce_source",
        "ce_time",
        "content-type",
        "traceparent",
    }
    assert headers["content-type"] == b"application/protobuf"
    assert harness.metrics.events_published.labels(harness.topic)._value.get() == 3
    assert harness.outcome("handled") == 3


async def test_keys_land_on_the_partition_kafka_clients_agree_on(
    harness: Harness, producer: AIOKafkaProducer
) -> None:
    receipt = await harness.publisher.publish_many(
        [(created(f"SF{i}"), f"SF{i}") for i in range(30)]
    )
    delivered = receipt.delivered()
    for i, item in enumerate(delivered):
        reference = await producer.send_and_wait(harness.topic, b"x", key=f"SF{i}".encode())
        assert item.partition == reference.partition
    assert len({d.partition for d in delivered}) > 1


async def test_a_redelivered_event_is_handled_once(harness: Harness) -> None:
    original = harness.codec.encode(created("SF9"), "SF9")
    # The same event twice in one batch, then again after the first run committed.
    await harness.publisher.send([original, original])
    await run_until(harness.runner(), lambda: harness.outcome("duplicate") >= 1)
    assert len(harness.seen) == 1

    await harness.publisher.send([original, harness.codec.encode(created("SF10"), "SF10")])
    await run_until(harness.runner(), lambda: len(harness.seen) == 2)
    assert [e.message.order.waybill for e in harness.seen] == ["SF9", "SF10"]
    assert harness.attempts[original.event_id] == 1
    assert harness.outcome("duplicate") == 2


async def test_poison_goes_to_the_dlq_and_the_partition_carries_on(
    harness: Harness, producer: AIOKafkaProducer, read_topic: ReadTopic
) -> None:
    good = harness.codec.encode(created("SF-GOOD"), "SAME-KEY")
    failing = harness.codec.encode(created("SF-BROKEN"), "SAME-KEY")
    rejected = harness.codec.encode(created("REJECT-1"), "SAME-KEY")
    harness.failing.add("SF-BROKEN")
    unknown = [(k, b"fairwind.orders.v1.Nope" if k == "ce_type" else v) for k, v in good.headers]
    await producer.send_and_wait(harness.topic, b"raw bytes", key=b"SAME-KEY")
    await producer.send_and_wait(harness.topic, good.value, key=b"SAME-KEY", headers=unknown)
    await producer.send_and_wait(
        harness.topic,
        b"\xff\xff\xff",
        key=b"SAME-KEY",
        headers=harness.codec.encode(created("x"), "x").headers,
    )
    await harness.publisher.send([failing, rejected, good])

    await run_until(harness.runner(), lambda: len(harness.seen) == 1)
    assert harness.seen[0].message.order.waybill == "SF-GOOD"
    assert harness.attempts[failing.event_id] == 3  # retried with backoff, then given up
    assert harness.attempts[rejected.event_id] == 1  # permanent errors are not retried

    dead = await read_topic(f"{harness.topic}.dlq")
    reasons = [dict(r.headers)["dlq_reason"] for r in dead]
    assert reasons == [
        b"undecodable",
        b"undecodable",
        b"undecodable",
        b"handler_failed",
        b"rejected",
    ]
    broken = dict(dead[3].headers)
    assert broken["dlq_error"] == b"RuntimeError: cannot handle SF-BROKEN"
    assert broken["dlq_attempts"] == b"3"
    assert broken["dlq_original_topic"] == harness.topic.encode()
    assert broken["dlq_consumer_group"] == harness.group.encode()
    assert broken["ce_id"] == failing.event_id.encode()  # original headers kept
    assert dead[3].value == failing.value
    assert dead[0].value == b"raw bytes"
    assert b"ce_specversion" in dict(dead[0].headers)["dlq_error"]
    assert harness.outcome("dead_lettered") == 5

    # Everything was committed: a new runner in the same group has nothing left to do.
    harness.seen.clear()
    await harness.publisher.send([harness.codec.encode(created("SF-AFTER"), "SAME-KEY")])
    await run_until(harness.runner(), lambda: len(harness.seen) == 1)
    assert [e.message.order.waybill for e in harness.seen] == ["SF-AFTER"]
    assert harness.attempts[failing.event_id] == 3


async def test_events_without_a_handler_are_skipped_and_committed(
    harness: Harness,
    settings: ServiceSettings,
    producer: AIOKafkaProducer,
    db: AsyncDatabase[dict[str, Any]],
) -> None:
    await harness.publisher.publish_many([(cancelled("SF1"), "SF1"), (created("SF2"), "SF2")])
    runner = harness.runner()
    runner.handlers.pop(orders_pb2.OrderCancelled)
    await run_until(runner, lambda: len(harness.seen) == 1)
    assert harness.outcome("ignored") == 1
    assert harness.outcome("dead_lettered") == 0


async def test_stop_drains_and_commits(harness: Harness) -> None:
    await harness.publisher.publish_many([(created(f"SF{i}"), f"SF{i}") for i in range(50)])
    runner = harness.runner()
    task = asyncio.create_task(runner.run())
    await wait_for(lambda: len(harness.seen) > 0)
    runner.stop()
    await task
    handled_first = len(harness.seen)
    await run_until(harness.runner(), lambda: len(harness.seen) >= 50)
    waybills = [e.message.order.waybill for e in harness.seen]
    assert sorted(waybills) == sorted(f"SF{i}" for i in range(50))
    assert len(set(waybills)) == 50, "a committed event was handled again"
    assert handled_first >= 1


async def committed_total(runner: ConsumerRunner, topic: str) -> int:
    partitions = runner.consumer.partitions_for_topic(topic) or set()
    offsets = [await runner.consumer.committed(TopicPartition(topic, p)) for p in partitions]
    return sum(offset or 0 for offset in offsets)


async def test_with_a_commit_interval_an_idle_poll_commits_what_was_handled(
    harness: Harness,
) -> None:
    await harness.publisher.publish_many([(created(f"SF{i}"), f"SF{i}") for i in range(10)])
    runner = harness.runner(commit_interval_s=3600)
    task = asyncio.create_task(runner.run())
    try:
        await wait_for(lambda: len(harness.seen) == 10)
        totals: list[int] = []

        async def all_committed() -> bool:
            totals.append(await committed_total(runner, harness.topic))
            return totals[-1] == 10

        # Not an hour later: the first poll that comes back empty commits.
        for _ in range(100):
            if await all_committed():
                break
            await asyncio.sleep(0.05)
        assert totals[-1] == 10
    finally:
        runner.stop()
        await task


async def test_handled_but_not_committed_comes_back_and_is_not_handled_twice(
    harness: Harness,
) -> None:
    await harness.publisher.publish_many([(created(f"SF{i}"), f"SF{i}") for i in range(5)])
    first = harness.runner(commit_interval_s=3600)
    await first.consumer.start()
    try:
        while len(harness.seen) < 5:  # polled and handled, the commit left for later
            await first.process(await first.consumer.getmany(timeout_ms=500))
        assert await committed_total(first, harness.topic) == 0
    finally:
        await first.consumer.stop()  # a crash: the handled offsets never committed
    await run_until(harness.runner(), lambda: harness.outcome("duplicate") == 5)
    assert sorted(e.message.order.waybill for e in harness.seen) == [f"SF{i}" for i in range(5)]
