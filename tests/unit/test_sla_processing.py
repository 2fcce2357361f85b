"""SLA processing of platform events, outcome messages and compliance aggregation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.protobuf import duration_pb2, timestamp_pb2

from fairwind.events import Event, EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.sla.clock import EventClock, tick_time, tick_value
from services.sla.domain import Budgets, Shipment
from services.sla.processing import (
    Processor,
    Unprocessable,
    count_key,
    outcome_id,
    outcome_message,
    set_duration,
    set_time,
)
from services.sla.views import aggregate, at_risk, compliance_snapshot

T0 = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
CODEC = EventCodec(platform_catalog(), "tests")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def event(message: Any, key: str = "FW1", sent: datetime | None = None) -> Event[Any]:
    encoded = CODEC.encode(message, key, time=sent)
    return CODEC.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)


def created(minute: float = 0) -> orders_pb2.OrderCreated:
    order = orders_pb2.Order(
        waybill="FW1",
        origin_outlet_code="SZX001",
        destination_outlet_code="BJS003",
        origin_city_code="SZX",
        destination_city_code="BJS",
        service_level=common_pb2.SERVICE_LEVEL_NEXT_DAY,
        customer_tier=common_pb2.CUSTOMER_TIER_Q2,
    )
    order.created_at.FromDatetime(at(minute))
    order.promise.deliver_by.FromDatetime(at(1440))
    return orders_pb2.OrderCreated(order=order)


def changed(status: common_pb2.ShipmentStatus, minute: float) -> tracking_pb2.ShipmentStatusChanged:
    message = tracking_pb2.ShipmentStatusChanged(waybill="FW1", to_status=status)
    message.occurred_at.FromDatetime(at(minute))
    return message


@pytest.fixture
def processor() -> Processor:
    return Processor(Budgets(), EventClock("event", wall=lambda: at(0)), timedelta(days=1))


def test_an_order_opens_pickup_and_promise_clocks(processor: Processor) -> None:
    state, outcomes = processor.handle(None, event(created()))
    assert state is not None
    assert outcomes == []
    assert isinstance(state, Shipment)
    assert set(state.clocks) == {"pickup", "promise"}
    assert processor.handle(state, event(created()))[0] is None  # a redelivery changes nothing


def test_status_changes_close_clocks(processor: Processor) -> None:
    state, _ = processor.handle(None, event(created()))
    state, outcomes = processor.handle(
        state, event(changed(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40))
    )
    assert [(o.kind, o.sla) for o in outcomes] == [("met", "pickup")]


def test_the_event_clock_follows_event_time_for_timers(processor: Processor) -> None:
    state, _ = processor.handle(None, event(created()))
    assert state is not None
    processor.clock.saw(at(50))
    state, outcomes = processor.tick(state)
    assert [(o.kind, o.sla) for o in outcomes] == [("at_risk", "pickup")]
    processor.clock.saw(at(70))
    _, outcomes = processor.tick(state)
    assert [(o.kind, o.sla) for o in outcomes] == [("breached", "pickup")]


def test_a_scan_before_its_order_waits_for_it(processor: Processor) -> None:
    early, outcomes = processor.handle(
        None, event(changed(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40))
    )
    assert early is not None
    assert not isinstance(early, Shipment)
    assert outcomes == []
    state, outcomes = processor.handle(early, event(created()))
    assert state is not None
    assert [(o.kind, o.sla) for o in outcomes] == [("met", "pickup")]


def test_an_orphan_scan_expires_after_the_grace(processor: Processor) -> None:
    reading = [at(40)]  # processing time, here in step with the events
    processor.processing_time = lambda: reading[0]
    early, _ = processor.handle(None, event(changed(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40)))
    assert early is not None
    processor.clock.saw(at(90))
    reading[0] = at(90)
    assert not processor.expire(early)
    processor.clock.saw(at(101))  # an hour of event time, and ten minutes of reading
    reading[0] = at(101)
    assert processor.expire(early)


def test_an_early_scan_waits_while_the_orders_topic_is_read_behind(
    processor: Processor,
) -> None:
    """A backlog read unevenly: the scans' topic is hours of event time ahead of the orders'
    topic, but only seconds of reading. The scan waits for its order."""
    reading = [at(0)]
    processor.processing_time = lambda: reading[0]
    early, _ = processor.handle(None, event(changed(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40)))
    assert early is not None
    processor.clock.saw(at(600))
    reading[0] = at(9)
    assert not processor.expire(early)
    _, (met,) = processor.handle(early, event(created()))
    assert (met.kind, met.sla) == ("met", "pickup")
    reading[0] = at(11)  # had the order never come, ten minutes of reading drop the scan
    assert processor.expire(early)


def test_clock_skew_is_unprocessable(processor: Processor) -> None:
    with pytest.raises(Unprocessable) as skew:
        processor.handle(None, event(created(minute=3 * 1440)))
    assert skew.value.reason == "clock_skew"


def test_outcome_messages_and_ids(processor: Processor) -> None:
    state, _ = processor.handle(None, event(created()))
    state, (met,) = processor.handle(
        state, event(changed(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40))
    )
    assert isinstance(state, Shipment)
    message = outcome_message(state, met)
    assert isinstance(message, sla_pb2.SlaMet)
    assert (message.waybill, message.sla, message.outlet_code) == (
        "FW1",
        sla_pb2.SLA_KIND_PICKUP,
        "SZX001",
    )
    assert message.elapsed.ToTimedelta() == timedelta(minutes=40)
    assert message.customer_tier == common_pb2.CUSTOMER_TIER_Q2
    assert outcome_id("FW1", met) == outcome_id("FW1", met)


def test_counts_aggregate_by_dimension_and_window(processor: Processor) -> None:
    state, _ = processor.handle(None, event(created()))
    state, (met,) = processor.handle(
        state, event(changed(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40))
    )
    assert isinstance(state, Shipment)
    key = count_key(2, state, met)
    assert key.split("|")[2:] == ["pickup", "met", "SZX001", "SZX", "next_day", "Q2"]
    key_q1 = key.removesuffix("|Q2") + "|Q1"  # the same outlet, another tier
    counts = [(key, 1), (key.replace("|met|", "|breached|"), 4), (key_q1, 3)]
    rows = aggregate(counts, "pickup", "outlet", 1, at(50))  # the current hour (tumbling)
    assert rows == {"SZX001": {"met": 4, "breached": 4, "compliance": 0.5}}
    assert aggregate(counts, "pickup", "outlet", 1, at(60 * 30)) == {}  # outside the window
    assert aggregate(counts, "pickup", "customer_tier", 24, at(60)) == {
        "Q1": {"met": 3, "breached": 0, "compliance": 1.0},
        "Q2": {"met": 1, "breached": 4, "compliance": 0.2},
    }
    assert aggregate(counts, "outlet_delivery", "outlet", 24, at(60)) == {}


def test_counts_ahead_of_the_clock_are_not_hidden(processor: Processor) -> None:
    """A restarted worker's event clock can stand behind counts it made before the stop."""
    state, _ = processor.handle(None, event(created()))
    state, (met,) = processor.handle(
        state, event(changed(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40))
    )
    assert isinstance(state, Shipment)
    counts = [(count_key(2, state, met), 1)]
    expected = {"SZX001": {"met": 1, "breached": 0, "compliance": 1.0}}
    assert aggregate(counts, "pickup", "outlet", 24, at(40) - timedelta(hours=2)) == expected


def planned(deliver_by: float) -> routes_pb2.RoutePlanned:
    message = routes_pb2.RoutePlanned(route=routes_pb2.Route(waybill="FW1"))
    message.route.promise.deliver_by.FromDatetime(at(deliver_by))
    return message


def test_route_events_do_not_move_the_event_clock(processor: Processor) -> None:
    # The envelope time is the wall clock, here far ahead of the simulated domain time.
    early, _ = processor.handle(None, event(planned(1440), sent=at(600)))
    assert processor.clock.newest is None
    assert early is not None
    state, _ = processor.handle(early, event(created(10)))
    assert processor.clock.newest == at(10)
    processor.handle(state, event(planned(1440), sent=at(600)))
    assert processor.clock.newest == at(10)
    # Without its occurred_at, a status change has no domain time either.
    processor.handle(state, event(tracking_pb2.ShipmentStatusChanged(waybill="FW1"), sent=at(600)))
    assert processor.clock.newest == at(10)


def test_an_early_route_event_waits_on_event_time(processor: Processor) -> None:
    processor.clock.saw(at(5))
    early, _ = processor.handle(None, event(planned(1440), key="FW2", sent=at(600)))
    assert isinstance(early, dict)
    assert [p["at"] for p in early["pending"]] == [at(5).isoformat()]


def test_timers_wait_for_the_first_event_time() -> None:
    processor = Processor(Budgets(), EventClock("event", wall=lambda: at(500)))
    early, _ = processor.handle(None, event(changed(common_pb2.SHIPMENT_STATUS_PICKED_UP, 0)))
    processor.clock.newest = None  # as after a restart, before any event
    assert processor.clock.timer_now() is None
    assert processor.clock.now() == at(500)  # the pages still have a time
    assert early is not None
    assert not processor.expire(early)
    assert processor.tick(early) == (early, [])
    assert EventClock("wall", wall=lambda: at(500)).timer_now() == at(500)


def test_timers_run_the_allowed_lateness_behind_the_event_clock() -> None:
    clock = EventClock("event", wall=lambda: at(0), lateness=timedelta(minutes=10))
    processor = Processor(Budgets(), clock)
    state, _ = processor.handle(None, event(created()))
    assert state is not None
    clock.saw(at(65))  # past the pickup deadline, but within the lateness
    assert clock.timer_now() == at(55)
    assert clock.now() == at(65)
    state, outcomes = processor.tick(state)
    assert [(o.kind, o.sla) for o in outcomes] == [("at_risk", "pickup")]
    # A scan from another topic, a little behind, still closes the clock as met (on a copy,
    # as read afresh from the table: the timer below runs without it).
    assert isinstance(state, Shipment)
    scanned = state.copy()
    _, outcomes = processor.handle(
        scanned, event(changed(common_pb2.SHIPMENT_STATUS_PICKED_UP, 58))
    )
    assert [(o.kind, o.sla) for o in outcomes] == [("met", "pickup")]
    clock.saw(at(71))
    _, outcomes = processor.tick(state)
    assert [(o.kind, o.sla) for o in outcomes] == [("breached", "pickup")]


def test_ticks_carry_the_event_clock() -> None:
    clock = EventClock("event", wall=lambda: at(0))
    assert tick_value(clock) == b""  # nothing seen yet: nothing to tell
    clock.saw(at(200))
    assert tick_time(tick_value(clock)) == at(200)
    wall = EventClock("wall", wall=lambda: at(0))
    wall.saw(at(200))
    assert tick_value(wall) == b""
    for value in (None, b"", b"1", b"\xff", b"2026-11-26T02:00:00"):  # naive: no zone
        assert tick_time(value) is None


def test_the_snapshot_and_the_at_risk_list(processor: Processor) -> None:
    hour = str(int(at(0).timestamp()) // 3600)
    counts = [
        (f"0|{hour}|pickup|{kind}|SZX001|SZX|standard|Q3", count)
        for kind, count in (("met", 3), ("breached", 1))
    ]
    snapshot = compliance_snapshot(counts, at(30), at(31))
    (row,) = [r for r in snapshot.rows if r.dimension == sla_pb2.COMPLIANCE_DIMENSION_OUTLET]
    assert (row.sla, row.dimension_value, row.met, row.breached) == (
        sla_pb2.SLA_KIND_PICKUP,
        "SZX001",
        3,
        1,
    )
    assert row.compliance_ratio == 0.75
    state, _ = processor.handle(None, event(created()))
    assert state is not None
    processor.clock.saw(at(50))
    state, _ = processor.tick(state)
    assert isinstance(state, Shipment)
    # The at-risk list reads the table: objects the worker wrote, dicts it recovered.
    for stored in (state, state.to_dict()):
        assert [
            (r["waybill"], r["sla"], r["minutes_left"]) for r in at_risk([("FW1", stored)], at(50))
        ] == [("FW1", "pickup", 10.0)]


def test_due_is_the_grace_of_early_events_or_the_next_clock_time(processor: Processor) -> None:
    early, _ = processor.handle(None, event(changed(common_pb2.SHIPMENT_STATUS_PICKED_UP, 40)))
    assert early is not None
    assert processor.due(early) == at(40) + timedelta(hours=1)
    state, _ = processor.handle(None, event(created()))
    assert state is not None
    assert processor.due(state) == at(48)  # the pickup clock's 80 %


@pytest.mark.parametrize(
    "value",
    [
        timedelta(0),
        timedelta(minutes=40, microseconds=7),
        timedelta(days=2, seconds=3),
        timedelta(minutes=-5),
        timedelta(microseconds=-1),
        timedelta(days=-3, seconds=1),
    ],
)
def test_durations_and_times_are_set_as_protobuf_sets_them(value: timedelta) -> None:
    mine, theirs = duration_pb2.Duration(), duration_pb2.Duration()
    set_duration(mine, value)
    theirs.FromTimedelta(value)
    assert (mine.seconds, mine.nanos) == (theirs.seconds, theirs.nanos)
    stamp, expected = timestamp_pb2.Timestamp(), timestamp_pb2.Timestamp()
    set_time(stamp, at(0) + value)
    expected.FromDatetime(at(0) + value)
    assert (stamp.seconds, stamp.nanos) == (expected.seconds, expected.nanos)
