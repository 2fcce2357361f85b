"""Transactional outbox and relay against the real mongod and broker."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import defaultdict
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.events import EncodedEvent, EventCatalog, EventCodec, EventPublisher
from fairwind.events.kafka import make_reader
from fairwind.events.publisher import Receipt
from fairwind.metrics import kit_metrics
from fairwind.mongo.client import in_transaction
from fairwind.mongo.outbox import Outbox
from fairwind.mongo.relay import LeaseLost, OutboxRelay
from fairwind.settings import ServiceSettings
from fairwind.v1 import orders_pb2
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration

Document = dict[str, Any]
ReadTopic = Callable[[str], Coroutine[Any, Any, list[ConsumerRecord[bytes, bytes]]]]
WAYBILLS = [f"SF{n:04d}" for n in range(12)]


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing inside catches it."""


class DiesAfterPublishing(EventPublisher):
    """Publishes the n-th batch for real, then dies before the relay can mark it."""

    def __init__(self, producer: AIOKafkaProducer, codec: EventCodec, die_on_batch: int) -> None:
        super().__init__(producer, codec)
        self.batches = 0
        self.die_on_batch = die_on_batch

    async def send(self, records: Sequence[EncodedEvent]) -> Receipt:
        receipt = await super().send(records)
        self.batches += 1
        if self.batches == self.die_on_batch:
            raise Killed
        return receipt


@pytest.fixture
async def outbox(db: AsyncDatabase[Document]) -> Outbox:
    store = Outbox(db)
    await store.create_indexes()
    return store


@pytest.fixture
def codec(topic: str) -> EventCodec:
    return EventCodec(EventCatalog().register(topic, orders_pb2.OrderCreated), "orders-test")


async def store_orders(
    mongo: AsyncMongoClient[Document],
    outbox: Outbox,
    codec: EventCodec,
    count: int,
    per_transaction: int = 50,
    first: int = 0,
) -> list[str]:
    """Write orders and their events atomically; returns event ids in write order."""
    ids: list[str] = []
    for start in range(first, first + count, per_transaction):
        events = []
        for seq in range(start, min(first + count, start + per_transaction)):
            message = orders_pb2.OrderCreated()
            message.order.waybill = WAYBILLS[seq % len(WAYBILLS)]
            message.order.partner_order_id = str(seq)
            events.append(codec.encode(message, message.order.waybill))

        async def work(session: AsyncClientSession, batch: list[EncodedEvent] = events) -> None:
            orders = outbox.records.database["orders"]
            await orders.insert_many([{"event": e.event_id} for e in batch], session=session)
            await outbox.add(batch, session)

        await in_transaction(mongo, work)
        ids.extend(e.event_id for e in events)
    return ids


def sequences_by_key(records: list[ConsumerRecord[bytes, bytes]]) -> dict[bytes, list[int]]:
    by_key: dict[bytes, list[int]] = defaultdict(list)
    for record in records:
        message = orders_pb2.OrderCreated.FromString(record.value or b"")
        by_key[record.key or b""].append(int(message.order.partner_order_id))
    return by_key


def assert_exactly_once_in_order(
    records: list[ConsumerRecord[bytes, bytes]], expected_ids: list[str]
) -> None:
    published = [dict(r.headers)["ce_id"].decode() for r in records]
    assert len(published) == len(set(published)), "an event was published twice"
    assert set(published) == set(expected_ids), "an event was lost"
    for key, seqs in sequences_by_key(records).items():
        assert seqs == sorted(seqs), f"events for {key!r} out of order"


def relay_for(
    outbox: Outbox, publisher: EventPublisher, settings: ServiceSettings, **options: Any
) -> OutboxRelay:
    exact = not settings.embedded
    return OutboxRelay(
        outbox, publisher, lambda: make_reader(settings), exact_end_offsets=exact, **options
    )


async def drain(relay: OutboxRelay) -> None:
    assert await relay.try_acquire()
    await relay.recover()
    while await relay.relay_once():
        pass


async def test_the_write_and_its_event_commit_or_roll_back_together(
    mongo: AsyncMongoClient[Document],
    db: AsyncDatabase[Document],
    outbox: Outbox,
    codec: EventCodec,
) -> None:
    event = codec.encode(orders_pb2.OrderCreated(), "SF1")

    async def fails_after_writing(session: AsyncClientSession) -> None:
        await db["orders"].insert_one({"_id": "SF1"}, session=session)
        await outbox.add([event], session)
        raise ValueError("validation failed late")

    with pytest.raises(ValueError, match="late"):
        await in_transaction(mongo, fails_after_writing)
    assert await db["orders"].count_documents({}) == 0
    assert await outbox.backlog() == 0

    async def succeeds(session: AsyncClientSession) -> None:
        await db["orders"].insert_one({"_id": "SF1"}, session=session)
        await outbox.add([event], session)

    await in_transaction(mongo, succeeds)
    assert await db["orders"].count_documents({}) == 1
    assert await outbox.backlog() == 1


async def test_relay_publishes_in_order_and_marks_sent(
    mongo: AsyncMongoClient[Document],
    outbox: Outbox,
    codec: EventCodec,
    producer: AIOKafkaProducer,
    settings: ServiceSettings,
    topic: str,
    read_topic: ReadTopic,
) -> None:
    ids = await store_orders(mongo, outbox, codec, 300)
    metrics = kit_metrics(CollectorRegistry())
    relay = relay_for(
        outbox, EventPublisher(producer, codec), settings, batch_size=64, metrics=metrics
    )
    task = asyncio.create_task(relay.run())
    try:
        await wait_for(lambda: metrics.outbox_relayed.labels(topic)._value.get() >= 300)
        more = await store_orders(mongo, outbox, codec, 5, first=300)
        outbox.notify()
        await wait_for(lambda: metrics.outbox_relayed.labels(topic)._value.get() >= 305)
    finally:
        relay.stop()
        await task
    assert await outbox.backlog() == 0
    assert metrics.outbox_backlog._value.get() == 0
    assert_exactly_once_in_order(await read_topic(topic), ids + more)


async def test_relay_dying_between_publish_and_mark_publishes_nothing_twice(
    mongo: AsyncMongoClient[Document],
    outbox: Outbox,
    codec: EventCodec,
    producer: AIOKafkaProducer,
    settings: ServiceSettings,
    topic: str,
    read_topic: ReadTopic,
) -> None:
    ids = await store_orders(mongo, outbox, codec, 500)
    lease = timedelta(seconds=1)
    dying = relay_for(
        outbox,
        DiesAfterPublishing(producer, codec, die_on_batch=3),
        settings,
        batch_size=100,
        lease=lease,
        owner="first",
    )
    with pytest.raises(Killed):
        await drain(dying)
    assert await outbox.backlog() == 300  # batch 3 went out but was never marked

    successor = relay_for(
        outbox,
        EventPublisher(producer, codec),
        settings,
        batch_size=100,
        lease=lease,
        owner="second",
    )
    assert not await successor.try_acquire(), "the lease of the dead relay is still valid"
    await asyncio.sleep(lease.total_seconds() + 0.2)
    assert await successor.try_acquire()
    assert await successor.recover() == 100
    while await successor.relay_once():
        pass
    assert await outbox.backlog() == 0
    assert_exactly_once_in_order(await read_topic(topic), ids)

    with pytest.raises(LeaseLost):
        await dying.relay_once()  # the old owner cannot write any more


async def test_relay_process_killed_and_restarted_loses_and_repeats_nothing(
    mongo: AsyncMongoClient[Document],
    outbox: Outbox,
    codec: EventCodec,
    producer: AIOKafkaProducer,
    settings: ServiceSettings,
    topic: str,
    read_topic: ReadTopic,
) -> None:
    ids = await store_orders(mongo, outbox, codec, 3000, per_transaction=100)
    env = os.environ | {
        "FAIRWIND_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "FAIRWIND_MONGO_URL": settings.mongo_url,
        "FAIRWIND_BROKER_PROFILE": settings.broker_profile.value,
        "FAIRWIND_MONGO_DB": settings.database_name,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.integration.relay_process", topic, env=env
    )
    try:
        backlog = len(ids)
        while backlog > len(ids) // 2 and process.returncode is None:
            await asyncio.sleep(0.01)
            backlog = await outbox.backlog()
        assert process.returncode is None, "the relay process ended by itself"
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert 0 < await outbox.backlog() < len(ids), "the kill did not land mid-way"

    restarted = relay_for(
        outbox, EventPublisher(producer, codec), settings, owner="relay-process", batch_size=50
    )  # same owner: no lease wait
    await drain(restarted)
    assert await outbox.backlog() == 0
    assert_exactly_once_in_order(await read_topic(topic), ids)


class DiesMarking(Outbox):
    """Dies in its n-th mark: the batch before it acknowledged, the one after it sent."""

    def __init__(self, outbox: Outbox, die_on_mark: int) -> None:
        super().__init__(outbox.records.database)
        self.marks = 0
        self.die_on_mark = die_on_mark

    async def mark_published(self, ids: Sequence[Any]) -> None:
        self.marks += 1
        if self.marks == self.die_on_mark:
            raise Killed
        await super().mark_published(ids)


async def test_relay_dying_before_marking_an_acknowledged_batch_publishes_nothing_twice(
    mongo: AsyncMongoClient[Document],
    outbox: Outbox,
    codec: EventCodec,
    producer: AIOKafkaProducer,
    settings: ServiceSettings,
    topic: str,
    read_topic: ReadTopic,
) -> None:
    ids = await store_orders(mongo, outbox, codec, 500)
    dying = relay_for(
        outbox, EventPublisher(producer, codec), settings, batch_size=100, owner="first"
    )
    dying.outbox = DiesMarking(outbox, die_on_mark=2)
    with pytest.raises(Killed):
        await drain(dying)
    # batch 1 marked; batch 2 acknowledged but not marked; batch 3 sent meanwhile
    assert await outbox.backlog() == 400
    state = await outbox.state.find_one({"_id": "relay"})
    assert state is not None
    assert state["inflight"]

    successor = relay_for(
        outbox, EventPublisher(producer, codec), settings, batch_size=100, owner="first"
    )  # same owner: no lease wait
    assert await successor.try_acquire()
    assert await successor.recover() == 200  # found on the broker after the stored offsets
    while await successor.relay_once():
        pass
    assert await outbox.backlog() == 0
    assert_exactly_once_in_order(await read_topic(topic), ids)


async def test_relay_that_lost_its_lease_sends_nothing_it_read_ahead(
    mongo: AsyncMongoClient[Document],
    outbox: Outbox,
    codec: EventCodec,
    producer: AIOKafkaProducer,
    settings: ServiceSettings,
    topic: str,
    read_topic: ReadTopic,
) -> None:
    ids = await store_orders(mongo, outbox, codec, 400)
    lease = timedelta(seconds=1)
    first = relay_for(
        outbox, EventPublisher(producer, codec), settings, batch_size=100, lease=lease, owner="a"
    )
    assert await first.try_acquire()
    assert await first.relay_once() == 100  # batch 2 is read ahead while batch 1 is acked
    await asyncio.sleep(lease.total_seconds() + 0.2)

    second = relay_for(
        outbox, EventPublisher(producer, codec), settings, batch_size=100, lease=lease, owner="b"
    )
    await drain(second)
    with pytest.raises(LeaseLost):
        await first.relay_once()
    assert await outbox.backlog() == 0
    assert_exactly_once_in_order(await read_topic(topic), ids)


async def test_relay_keeps_order_per_key_while_writers_commit_beside_it(
    mongo: AsyncMongoClient[Document],
    outbox: Outbox,
    codec: EventCodec,
    producer: AIOKafkaProducer,
    settings: ServiceSettings,
    topic: str,
    read_topic: ReadTopic,
) -> None:
    """Batches are read while the previous one is on the broker; writes keep landing."""
    ids = await store_orders(mongo, outbox, codec, 1000, per_transaction=100)
    metrics = kit_metrics(CollectorRegistry())
    relay = relay_for(
        outbox, EventPublisher(producer, codec), settings, batch_size=150, metrics=metrics
    )
    task = asyncio.create_task(relay.run())
    try:
        for first in range(1000, 2000, 100):
            ids += await store_orders(mongo, outbox, codec, 100, per_transaction=20, first=first)
            outbox.notify()
        await wait_for(lambda: metrics.outbox_relayed.labels(topic)._value.get() >= 2000)
    finally:
        relay.stop()
        await task
    assert await outbox.backlog() == 0
    state = await outbox.state.find_one({"_id": "relay"})
    assert state is not None
    assert not state["inflight"]
    assert_exactly_once_in_order(await read_topic(topic), ids)


async def test_a_caught_up_relay_marks_a_small_batch_at_once(
    mongo: AsyncMongoClient[Document],
    outbox: Outbox,
    codec: EventCodec,
    producer: AIOKafkaProducer,
    settings: ServiceSettings,
    topic: str,
    read_topic: ReadTopic,
) -> None:
    """Fewer records than a batch: sent and marked in one step, so the next record written
    is read at once (nothing read ahead, nothing left to mark). ``inflight`` is cleared
    once the state document was written ``state_every_s`` ago, not after every record."""
    ids = await store_orders(mongo, outbox, codec, 30)
    relay = relay_for(
        outbox, EventPublisher(producer, codec), settings, batch_size=100, state_every_s=3600
    )
    assert await relay.try_acquire()
    assert await relay.relay_once() == 30
    assert await outbox.backlog() == 0
    state = await outbox.state.find_one({"_id": "relay"})
    assert state is not None
    assert state["inflight"], "written just before the send: cleared later, not per record"
    assert await relay.relay_once() == 0
    state = await outbox.state.find_one({"_id": "relay"})
    assert state is not None
    assert state["inflight"], "dry, but the state was written less than an hour ago"
    relay.state_every_s = 0
    assert await relay.relay_once() == 0
    state = await outbox.state.find_one({"_id": "relay"})
    assert state is not None
    assert not state["inflight"]
    assert {(o["topic"], o["partition"]) for o in state["offsets"]}, "offsets stored with it"
    assert_exactly_once_in_order(await read_topic(topic), ids)
