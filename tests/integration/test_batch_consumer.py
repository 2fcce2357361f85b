"""The consumer runner's batch mode on the real broker: a handler gets a partition's events
of one poll at once, in order; a poison event is isolated without losing or re-applying
its neighbours; redeliveries are skipped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.events import Batched, ConsumerRunner, Event, PermanentError
from fairwind.events.partitioning import partition_for
from fairwind.settings import ServiceSettings
from fairwind.v1 import orders_pb2
from tests.integration.conftest import PARTITIONS
from tests.integration.test_event_bus import (
    Harness,
    ReadTopic,
    cancelled,
    created,
    run_until,
)

pytestmark = pytest.mark.integration


class BatchHarness(Harness):
    """Batch handlers that apply a batch all or nothing, as one transaction would."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.calls: list[list[str]] = []  # the waybills of each call, as given
        self.applied: list[str] = []  # what was applied, in order

    async def on_created_many(self, events: Sequence[Event[orders_pb2.OrderCreated]]) -> None:
        waybills = [e.message.order.waybill for e in events]
        self.calls.append(waybills)
        for event in events:
            self.attempts[event.id] = self.attempts.get(event.id, 0) + 1
        if any(w in self.failing for w in waybills):
            raise RuntimeError(f"cannot handle a batch of {len(waybills)}")
        if any(w.startswith("REJECT") for w in waybills):
            raise PermanentError("waybill refused")
        self.applied.extend(waybills)

    async def on_cancelled_many(self, events: Sequence[Event[orders_pb2.OrderCancelled]]) -> None:
        self.calls.append([f"cancel:{e.message.waybill}" for e in events])
        self.applied.extend(f"cancel:{e.message.waybill}" for e in events)

    def runner(self, commit_interval_s: float = 0.0) -> ConsumerRunner:
        runner = super().runner(commit_interval_s)
        runner.handlers = {
            orders_pb2.OrderCreated: Batched(self.on_created_many),
            orders_pb2.OrderCancelled: Batched(self.on_cancelled_many),
        }
        return runner


@pytest.fixture
def batches(
    settings: ServiceSettings,
    topic: str,
    producer: AIOKafkaProducer,
    db: AsyncDatabase[dict[str, Any]],
    unique_name: str,
) -> BatchHarness:
    return BatchHarness(settings, topic, producer, db, f"{unique_name}-group")


async def test_one_call_per_run_of_a_type_in_partition_order(batches: BatchHarness) -> None:
    # One key: one partition. Created x3, cancelled, created x2 must stay in that order.
    events = [created(f"SF{i}") for i in range(3)] + [cancelled("SF1")]
    events += [created(f"SF{i}") for i in range(3, 5)]
    await batches.publisher.send([batches.codec.encode(e, "ONE-KEY") for e in events])
    await run_until(batches.runner(), lambda: len(batches.applied) == 6)

    assert batches.applied == ["SF0", "SF1", "SF2", "cancel:SF1", "SF3", "SF4"]
    assert ["cancel:SF1"] in batches.calls
    assert max(len(call) for call in batches.calls) > 1, "events were not batched"
    assert batches.outcome("handled") == 6


async def test_a_poison_event_is_isolated_and_its_neighbours_applied_once(
    batches: BatchHarness, read_topic: ReadTopic
) -> None:
    waybills = [f"SF{i:02d}" for i in range(16)]
    waybills[5], waybills[11] = "SF-BROKEN", "REJECT-1"
    batches.failing.add("SF-BROKEN")
    encoded = [batches.codec.encode(created(w), "ONE-KEY") for w in waybills]
    await batches.publisher.send(encoded)
    await run_until(batches.runner(), lambda: batches.outcome("dead_lettered") == 2)

    good = [w for w in waybills if w not in ("SF-BROKEN", "REJECT-1")]
    assert batches.applied == good  # every neighbour, once, in order
    assert batches.outcome("handled") == 14
    broken = encoded[5].event_id
    assert batches.attempts[broken] >= 3  # alone, it had the full retry policy
    dead = await read_topic(f"{batches.topic}.dlq")
    reasons = {dict(r.headers)["ce_id"]: dict(r.headers)["dlq_reason"] for r in dead}
    assert reasons == {
        broken.encode(): b"handler_failed",
        encoded[11].event_id.encode(): b"rejected",
    }

    # All committed and remembered: the same group has nothing left, and a redelivery of
    # a handled event is skipped.
    batches.applied.clear()
    await batches.publisher.send([encoded[0], batches.codec.encode(created("SF-AFTER"), "K")])
    await run_until(batches.runner(), lambda: batches.applied == ["SF-AFTER"])
    assert batches.outcome("duplicate") == 1


async def test_a_poll_of_many_partitions_is_one_batch_per_type(batches: BatchHarness) -> None:
    keys = [f"KEY-{n}" for n in range(30)]  # spread over the topic's partitions
    await batches.publisher.send([batches.codec.encode(created(k), k) for k in keys])
    await run_until(batches.runner(), lambda: len(batches.applied) == 30)

    assert sorted(batches.applied) == sorted(keys)
    # Runs of several partitions went to the handler together (created() keys the waybill).
    spans = [{partition_for(w.encode(), PARTITIONS) for w in call} for call in batches.calls]
    assert any(len(span) > 1 for span in spans), spans
