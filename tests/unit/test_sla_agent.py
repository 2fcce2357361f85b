"""The SLA agent with ``agent.test_context()`` and the memory store: no broker needed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from faust.types import TP
from prometheus_client import CollectorRegistry

from fairwind.events import EventCodec
from fairwind.events.batches import Outgoing
from fairwind.events.contracts import platform_catalog
from fairwind.v1 import common_pb2, orders_pb2, sla_pb2, tracking_pb2
from services.sla.bootstrap import SlaApp, bootstrap
from services.sla.clock import EventClock
from services.sla.consumer import TICK_HEADER, SlaAgent
from services.sla.counts import decode_change
from services.sla.settings import SlaSettings
from services.sla.stored import encode_state, load_state
from services.sla.views import aggregate

T0 = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
CODEC = EventCodec(platform_catalog(), "tests")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


class Sent:
    """What the agent hands the producer: its outputs, and its tables' changelog records."""

    def __init__(self) -> None:
        self.all: list[Outgoing] = []

    async def __call__(self, records: list[Outgoing]) -> None:
        self.all += records

    @property
    def records(self) -> list[Outgoing]:
        """Outcomes, snapshots and dead letters (not the changelogs), in order."""
        return [r for r in self.all if not r.topic.endswith("-changelog")]

    def types(self) -> list[str]:
        return [
            dict(r.headers or [])["ce_type"].decode().rsplit(".", 1)[1]
            for r in self.records
            if not r.topic.endswith(".dlq")
        ]

    def dead(self) -> list[str]:
        return [
            dict(r.headers or [])["dlq_reason"].decode()
            for r in self.records
            if r.topic.endswith(".dlq")
        ]

    def of(self, table: Any) -> list[tuple[int | None, Any, Any]]:
        """(partition, key, value) of the table's changelog records, decoded as its recovery
        would."""
        name = table.changelog_topic.get_topic_name()
        return [
            (
                r.partition,
                json.loads(r.key or b""),
                None if r.value is None else json.loads(r.value),
            )
            for r in self.all
            if r.topic == name
        ]


class Settled:
    """The agent's test context, each put returning once the batch it fell in is done:
    the agent takes events in batches and writes its tables at the end of each."""

    def __init__(self, context: Any, agent: SlaAgent) -> None:
        self.context, self.agent = context, agent

    async def put(self, *args: Any, **kwargs: Any) -> None:
        done = self.agent.handled
        await self.context.put(*args, **kwargs)
        for _ in range(2000):
            if self.agent.handled > done:
                return
            await asyncio.sleep(0.001)
        raise AssertionError("the agent never finished the batch")


@pytest.fixture
async def harness() -> AsyncIterator[tuple[SlaApp, Any, Sent, EventClock]]:
    sent = Sent()
    clock = EventClock("event", wall=lambda: at(0))
    sla = bootstrap(
        SlaSettings(store="memory://", kafka_partitions=1, clock="event", batch_within_s=0.001),
        clock=clock,
        registry=CollectorRegistry(),
        app_id="sla-unit-test",
        produce=sent,
    )
    sla.app.finalize()
    agent = sla.app.agents["sla-clocks"]
    async with agent.test_context() as context:
        yield sla, Settled(context, sla.agent), sent, clock


async def put(context: Any, message: Any, key: str = "FW1") -> None:
    encoded = CODEC.encode(message, key)
    await context.put(encoded.value, key=encoded.key, headers=encoded.headers, partition=0)


async def tick(context: Any) -> None:
    await context.put(b"", key=b"tick", headers=[(TICK_HEADER, b"1")], partition=0)


def order(minute: float = 0) -> orders_pb2.OrderCreated:
    message = orders_pb2.OrderCreated(
        order=orders_pb2.Order(
            waybill="FW1",
            origin_outlet_code="SZX001",
            destination_outlet_code="BJS003",
            origin_city_code="SZX",
            destination_city_code="BJS",
        )
    )
    message.order.created_at.FromDatetime(at(minute))
    return message


def status(code: Any, minute: float) -> tracking_pb2.ShipmentStatusChanged:
    message = tracking_pb2.ShipmentStatusChanged(waybill="FW1", to_status=code)
    message.occurred_at.FromDatetime(at(minute))
    return message


async def test_pickup_met_is_published_and_counted(harness: Any) -> None:
    sla, context, sent, _ = harness
    await put(context, order())
    await put(context, status(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40))
    assert sent.types() == ["SlaMet"]
    met = sla_pb2.SlaMet.FromString(sent.records[0][2])
    assert (met.waybill, met.outlet_code) == ("FW1", "SZX001")
    counts = dict(sla.counts.items())
    assert any("|pickup|met|SZX001|" in k and v == 1 for k, v in counts.items())
    await sla.agent._snapshot()
    assert sent.types()[-1] == "ComplianceSnapshot"
    snapshot = sla_pb2.ComplianceSnapshot.FromString(sent.records[-1][2])
    row = next(r for r in snapshot.rows if r.dimension_value == "SZX001")
    assert (row.met, row.breached, row.compliance_ratio) == (1, 0, 1.0)


async def test_timer_warns_then_breaches_without_any_scan(harness: Any) -> None:
    _, context, sent, clock = harness
    await put(context, order())
    clock.saw(at(50))
    await tick(context)
    clock.saw(at(61))
    await tick(context)
    await tick(context)  # nothing more to say
    assert sent.types() == ["SlaAtRisk", "SlaBreached"]


async def test_a_late_scan_after_the_breach_is_counted_once(harness: Any) -> None:
    sla, context, sent, clock = harness
    await put(context, order())
    clock.saw(at(90))
    await tick(context)
    await put(context, status(common_pb2.SHIPMENT_STATUS_PICKED_UP, 95))
    assert sent.types() == ["SlaBreached"]
    breached = [v for k, v in sla.counts.items() if "|pickup|breached|SZX001|" in k]
    assert breached == [1]


async def test_a_scan_in_time_read_after_the_breach_corrects_the_figures(harness: Any) -> None:
    sla, context, sent, clock = harness
    await put(context, order())
    clock.saw(at(90))
    await tick(context)
    await put(context, status(common_pb2.SHIPMENT_STATUS_PICKED_UP, 50))
    assert sent.types() == ["SlaBreached", "SlaMet"]
    rows = aggregate(sla.counts.items(), "pickup", "outlet", 24, at(90))
    assert rows == {"SZX001": {"met": 1, "breached": 0, "compliance": 1.0}}


async def test_cancellation_closes_without_counting(harness: Any) -> None:
    sla, context, sent, clock = harness
    await put(context, order())
    await put(context, orders_pb2.OrderCancelled(waybill="FW1"))
    clock.saw(at(500))
    await tick(context)
    assert sent.types() == []
    assert dict(sla.counts.items()) == {}


async def test_bad_events_go_to_the_dead_letter_topic(harness: Any) -> None:
    sla, context, sent, clock = harness
    reading = [at(5)]  # processing time, here in step with the events
    sla.processor.processing_time = lambda: reading[0]
    await context.put(b"garbage", key=b"FW1", headers=[("ce_specversion", b"1.0")], partition=0)
    await put(context, status(common_pb2.SHIPMENT_STATUS_PICKED_UP, 5), key="FW404")
    assert sent.dead() == ["undecodable"]  # a scan may come before its order: it waits
    clock.saw(at(60))  # 55 minutes after the scan: still within the grace
    reading[0] = at(60)
    await tick(context)
    assert sent.dead() == ["undecodable"]
    clock.saw(at(66))
    reading[0] = at(66)
    await tick(context)
    assert sent.dead() == ["undecodable", "unknown_waybill"]


async def test_a_scan_read_hours_of_event_time_before_its_order_still_counts(
    harness: Any,
) -> None:
    """A backlog read unevenly: the scans' topic runs hours of event time ahead of the
    orders'. The scan's wait for its order is measured in reading time, so it is kept."""
    sla, context, sent, clock = harness
    await put(context, status(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40))
    clock.saw(at(600))
    await tick(context)
    await tick(context)
    assert sent.dead() == []
    await put(context, order())
    assert sent.types() == ["SlaMet"]
    assert sla.shipments["FW1"].clocks["pickup"].state == "met"


async def test_a_scan_before_its_order_is_counted_when_the_order_comes(harness: Any) -> None:
    sla, context, sent, _ = harness
    await put(context, status(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40))
    await put(context, order())
    assert sent.types() == ["SlaMet"]
    assert sla.shipments["FW1"].clocks["pickup"].state == "met"


async def test_a_tick_brings_the_clock_of_another_worker(harness: Any) -> None:
    _, context, sent, clock = harness
    await put(context, order())
    await tick(context)  # this worker's clock: the order's time
    assert sent.types() == []
    other = at(61).isoformat().encode()  # a worker whose partitions are further on
    await context.put(other, key=b"tick", headers=[(TICK_HEADER, b"1")], partition=0)
    assert clock.newest == at(61)
    assert sent.types() == ["SlaBreached"]


async def test_each_shipment_has_one_timer_however_many_events(harness: Any) -> None:
    sla, context, sent, clock = harness
    await put(context, order())
    await put(context, status(common_pb2.SHIPMENT_STATUS_PICKED_UP, 10))
    for code in (
        common_pb2.SHIPMENT_STATUS_AT_DELIVERY_OUTLET,
        common_pb2.SHIPMENT_STATUS_AT_DELIVERY_OUTLET,  # a redelivery
        common_pb2.SHIPMENT_STATUS_OUT_FOR_DELIVERY,
    ):
        await put(context, status(code, 20))
    assert len(sla.agent.timers) == 1  # the outlet delivery clock's
    clock.saw(at(20 + 121))
    await tick(context)
    await tick(context)
    assert sent.types() == ["SlaMet", "SlaBreached"]
    assert len(sla.agent.timers) == 0


async def test_a_revoked_partition_rebuilds_its_timers_from_the_table(harness: Any) -> None:
    sla, context, sent, clock = harness
    await put(context, order())
    await tick(context)
    assert 0 in sla.agent._indexed
    sla.agent.forget_partitions([TP(sla.ticks_name, 0), TP("some-changelog", 1)])
    assert 0 not in sla.agent._indexed
    assert len(sla.agent.timers) == 0
    clock.saw(at(61))
    await tick(context)  # the index comes back from the table
    assert sent.types() == ["SlaBreached"]


async def test_a_tick_marks_where_the_clock_stands_in_its_partition(harness: Any) -> None:
    sla, context, _, clock = harness
    await put(context, order())
    await tick(context)
    assert sla.clock_marks[0] == at(0).isoformat()
    clock.saw(at(61))  # the breach and the mark are written in the same step
    await tick(context)
    assert sla.clock_marks[0] == at(61).isoformat()


async def test_a_restarted_worker_resumes_its_clock_from_the_mark(harness: Any) -> None:
    sla, context, sent, clock = harness
    sla.clock_marks.data[0] = at(61).isoformat()  # as the changelog's recovery leaves it
    await put(context, order())  # older than the mark, as re-read after a restart
    assert clock.newest == at(61)
    await tick(context)
    assert sent.types() == ["SlaBreached"]


def test_the_counts_view_reads_the_changelog_as_the_table_writes_it(harness: Any) -> None:
    sla, *_ = harness
    table = sla.local_counts
    topic = table.changelog_topic
    assert topic.get_topic_name() == sla.counts_reader.topic
    key, _ = topic.prepare_key("0|1|pickup|met|X|XC|standard|Q3", table.key_serializer)
    value, _ = topic.prepare_value(3, table.value_serializer)
    assert decode_change(key, value) == ("0|1|pickup|met|X|XC|standard|Q3", 3)


def test_the_lateness_setting_reaches_the_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRWIND_EVENT_LATENESS_S", "90")
    sla = bootstrap(
        SlaSettings(clock="event"), registry=CollectorRegistry(), app_id="sla-unit-lateness"
    )
    assert sla.clock.lateness == timedelta(seconds=90)
    sla.clock.saw(at(10))
    assert sla.clock.timer_now() == at(10) - timedelta(seconds=90)


@dataclass
class Record:
    """A consumed record as the agent sees it (``event.message``)."""

    topic: str
    partition: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]
    offset: int = 0


def record(message: Any, key: str, partition: int) -> Record:
    encoded = CODEC.encode(message, key)
    return Record(encoded.topic, partition, encoded.key, encoded.value, encoded.headers)


async def test_a_batch_writes_each_shipment_and_count_once_in_its_partition(
    harness: Any,
) -> None:
    sla, _, sent, _ = harness
    second = order()
    second.order.waybill = "FW2"
    await sla.agent.handle_batch(
        [
            record(order(), "FW1", 2),
            record(status(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40), "FW1", 2),
            record(status(common_pb2.SHIPMENT_STATUS_AT_DELIVERY_OUTLET, 50), "FW1", 2),
            record(second, "FW2", 3),
        ]
    )
    changelog = sent
    shipments = sorted((partition, key) for partition, key, _ in changelog.of(sla.shipments))
    assert shipments == [(2, "FW1"), (3, "FW2")]
    counts = changelog.of(sla.local_counts)
    assert [(partition, value) for partition, _, value in counts] == [(2, 1)]  # pickup met
    # The changelog holds the shipment in the compact form, as its recovery reads it back.
    recovered = changelog.of(sla.shipments)[0][2]
    assert isinstance(recovered, list)
    assert load_state(recovered) == sla.shipments["FW1"]
    clocks = sla.shipments["FW1"].clocks
    assert (clocks["pickup"].state, clocks["outlet_delivery"].state) == ("met", "open")
    assert sent.types() == ["SlaMet"]
    assert sla.agent.handled == 4


async def test_a_batch_that_fails_part_way_writes_nothing(harness: Any) -> None:
    sla, _, sent, _ = harness

    async def broken(*_: Any) -> None:
        raise ConnectionError("broker gone")

    sla.agent.produce = broken
    batch = [
        record(order(), "FW1", 0),
        record(status(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40), "FW1", 0),
    ]
    with pytest.raises(ConnectionError):
        await sla.agent.handle_batch(batch)
    assert (sent.all, sla.shipments.get("FW1"), sla.agent.outgoing) == ([], None, [])
    assert sla.agent.handled == 0
    sla.agent.produce = sent  # the batch is read again: its outcome comes, once
    await sla.agent.handle_batch(batch)
    assert sent.types() == ["SlaMet"]
    assert sla.shipments["FW1"].clocks["pickup"].state == "met"


@pytest.mark.parametrize("form", ["compact", "keyed"])
async def test_a_shipment_recovered_from_the_changelog_goes_on(harness: Any, form: str) -> None:
    """After a restart the store holds what the table's json serializer read from the
    changelog, not the worker's objects: the compact form this worker writes, or the keyed
    one earlier workers wrote."""
    sla, context, sent, _ = harness
    await put(context, order())
    shipment = sla.shipments["FW1"]
    stored = json.loads(encode_state(shipment)) if form == "compact" else shipment.to_dict()
    sla.shipments.data["FW1"] = stored  # as recovery leaves it
    await put(context, status(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40))
    assert sent.types() == ["SlaMet"]
    assert sla.shipments["FW1"].clocks["pickup"].state == "met"
