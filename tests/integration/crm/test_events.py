"""Orders on the real broker move revenue; re-ranking moves tiers and publishes
SegmentChanged on the crm topic; cancellations take revenue back; poison goes to the DLQ."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from prometheus_client import CollectorRegistry

from fairwind.clock import PlatformClock
from fairwind.v1 import common_pb2, crm_pb2, orders_pb2
from services.crm import handlers
from services.crm.bootstrap import CrmApp
from services.crm.domain.classification import window_start
from services.crm.ranking import rerank
from tests.integration.crm.conftest import (
    as_event,
    cny,
    eventually,
    import_archive,
    order_created,
    profile,
    publish,
    running,
)

pytestmark = pytest.mark.integration
ReadTopic = Callable[[str], Coroutine[Any, Any, list[ConsumerRecord[bytes, bytes]]]]
BIG, SMALL = "FW000000000011", "FW000000000029"


def handled(registry: CollectorRegistry, event: str, outcome: str) -> float:
    value = registry.get_sample_value(
        "fairwind_crm_events_total", {"event": event, "outcome": outcome}
    )
    return value or 0.0


async def applied_once_of_two(registry: CollectorRegistry, event: str) -> None:
    """Wait until both copies of ``event`` are handled; exactly one may have counted."""

    async def both_handled() -> bool:
        outcomes = ("applied", "duplicate")
        return sum(handled(registry, event, outcome) for outcome in outcomes) == 2

    await eventually(both_handled)
    assert handled(registry, event, "applied") == 1


async def test_orders_move_revenue_and_a_rerank_moves_the_tier_with_an_event(
    crm: CrmApp, stub: Any, read_topic: ReadTopic, registry: CollectorRegistry
) -> None:
    await import_archive(crm)
    async with running(crm):
        await publish(
            crm,
            (order_created(BIG, "echo", 100_000.0), BIG),
            (order_created(SMALL, "echo", 1000.5), SMALL),
        )

        async def revenue_moved() -> bool:
            return cny((await profile(stub, "echo")).revenue_90d) == 111_000.5

        await eventually(revenue_moved)
        echo = await profile(stub, "echo")
        assert echo.shipments_90d == 2
        assert echo.tier == common_pb2.CUSTOMER_TIER_Q5  # tiers move on re-rank only
        assert "+8613800138000" in echo.phones  # the shipper's phone is now known
        assert echo.HasField("last_order_at")

        result = await rerank(crm.service)
        assert ("echo", "Q5", "Q1") in {
            (c.ranked.customer_id, c.previous, c.ranked.tier) for c in result.changes
        }
        echo = await profile(stub, "echo")
        assert (echo.tier, echo.revenue_rank, echo.key_account) == (
            common_pb2.CUSTOMER_TIER_Q1,
            1,
            True,
        )

        async def relayed() -> bool:
            return await crm.platform.outbox.backlog() == 0

        await eventually(relayed)
        topic = crm.platform.catalog.kind_of(crm_pb2.SegmentChanged).topic
        records = await read_topic(topic)
        changes = [
            (r.key, crm_pb2.SegmentChanged.FromString(r.value))
            for r in records
            if dict(r.headers)["ce_type"].endswith(b".SegmentChanged")
        ]
        promoted = [m for key, m in changes if key == b"echo" and m.from_tier]
        assert len(promoted) == 1
        assert (promoted[0].from_tier, promoted[0].to_tier) == (
            common_pb2.CUSTOMER_TIER_Q5,
            common_pb2.CUSTOMER_TIER_Q1,
        )
        assert cny(promoted[0].revenue_90d) == 111_000.5
        assert (promoted[0].rank, promoted[0].ranked_customers) == (1, 5)
        assert promoted[0].key_account

        # The big order is cancelled: its revenue and shipment are taken back, once.
        cancel = orders_pb2.OrderCancelled(waybill=BIG, partner_id="echo", customer_id="echo")
        cancel.cancelled_at.GetCurrentTime()
        await publish(crm, (cancel, BIG), (cancel, BIG))

        await applied_once_of_two(registry, "OrderCancelled")
        echo = await profile(stub, "echo")
        assert cny(echo.revenue_90d) == 11_000.5
        assert echo.shipments_90d == 1
        demoted = await rerank(crm.service)
        assert ("echo", "Q1", "Q5") in {
            (c.ranked.customer_id, c.previous, c.ranked.tier) for c in demoted.changes
        }


async def test_a_redelivered_order_is_counted_once(
    crm: CrmApp, stub: Any, registry: CollectorRegistry
) -> None:
    await import_archive(crm)
    order = order_created(BIG, "delta", 500.0)
    async with running(crm):
        # The same order twice under different event ids (a producer retry after a crash).
        await publish(crm, (order, BIG), (order, BIG))

        await applied_once_of_two(registry, "OrderCreated")
    delta = await profile(stub, "delta")
    assert cny(delta.revenue_90d) == 20_500.0
    assert delta.shipments_90d == 1


async def test_one_batch_of_many_orders_counts_each_once_per_customer_day(
    crm: CrmApp, stub: Any
) -> None:
    """Orders of two customers and a repeated one, handled as one batch: one write each."""
    await import_archive(crm)
    orders = [order_created(f"FW{n:012d}", "delta" if n % 2 else "echo", 10.0) for n in range(40)]
    events = [as_event(crm, o, o.order.waybill) for o in orders]
    await handlers.on_orders_created(crm.service, [*events, events[0], events[1]])
    delta, echo = await profile(stub, "delta"), await profile(stub, "echo")
    assert (cny(delta.revenue_90d), delta.shipments_90d) == (20_000.0 + 200.0, 20)
    assert (cny(echo.revenue_90d), echo.shipments_90d) == (10_000.0 + 200.0, 20)
    buckets = await crm.platform.db["revenue_days"].count_documents({})
    assert buckets == 2  # one per customer and day, however many orders


async def test_poison_events_go_to_the_dead_letter_topic(
    crm: CrmApp, stub: Any, read_topic: ReadTopic
) -> None:
    await import_archive(crm)
    topic = crm.platform.catalog.kind_of(orders_pb2.OrderCreated).topic
    no_waybill = order_created("", "alpha", 10.0)
    async with running(crm):
        await crm.platform.producer.send_and_wait(topic, b"not protobuf", key=b"X")
        await publish(crm, (no_waybill, "none"), (order_created(BIG, "alpha", 10.0), BIG))

        async def counted() -> bool:
            return cny((await profile(stub, "alpha")).revenue_90d) == 50_010.0

        await eventually(counted)

        async def dead_lettered() -> bool:
            return len(await read_topic(f"{topic}.dlq")) == 2

        await eventually(dead_lettered)
    reasons = sorted(dict(r.headers)["dlq_reason"] for r in await read_topic(f"{topic}.dlq"))
    assert reasons == [b"rejected", b"undecodable"]


def simulated_clock(business_now: datetime) -> PlatformClock:
    return PlatformClock(origin=business_now, anchor=datetime.now(UTC))


async def test_the_window_is_of_utc_days_even_with_a_clock_in_beijing_time(
    crm: CrmApp, stub: Any
) -> None:
    """07:00 in Beijing is still the previous UTC day: the first day of that day's window
    still counts (the buckets are UTC dates)."""
    beijing = timezone(timedelta(hours=8))
    business_now = datetime(2026, 11, 27, 7, 0, tzinfo=beijing)  # 2026-11-26 23:00 UTC
    crm.service.clock = simulated_clock(business_now)
    first_day = window_start(date(2026, 11, 26))
    oldest = order_created(BIG, "newco", 300.0, at=datetime.combine(first_day, time(12), UTC))
    await handlers.on_orders_created(crm.service, [as_event(crm, oldest, BIG)])

    newco = await profile(stub, "newco")
    assert (cny(newco.revenue_90d), newco.shipments_90d) == (300.0, 1)
    result = await rerank(crm.service)
    assert result.totals["newco"].revenue_fen == 300_00


async def test_an_order_without_a_creation_time_counts_on_the_business_day(
    crm: CrmApp, stub: Any
) -> None:
    """Not on the envelope's wall-clock day, which a simulated clock may be far from."""
    crm.service.clock = simulated_clock(datetime.now(UTC) + timedelta(days=200))
    untimed = order_created(BIG, "newco", 80.0)
    untimed.order.ClearField("created_at")
    await handlers.on_orders_created(crm.service, [as_event(crm, untimed, BIG)])
    newco = await profile(stub, "newco")
    assert (cny(newco.revenue_90d), newco.shipments_90d) == (80.0, 1)


async def test_an_order_cancelled_before_it_was_seen_is_never_counted(
    crm: CrmApp, stub: Any, registry: CollectorRegistry
) -> None:
    await import_archive(crm)
    cancel = orders_pb2.OrderCancelled(waybill=BIG, partner_id="delta", customer_id="delta")
    cancel.cancelled_at.GetCurrentTime()
    await handlers.on_order_cancelled(crm.service, as_event(crm, cancel, BIG))
    await handlers.on_orders_created(
        crm.service, [as_event(crm, order_created(BIG, "delta", 500.0), BIG)]
    )
    await handlers.on_order_cancelled(crm.service, as_event(crm, cancel, BIG))
    delta = await profile(stub, "delta")
    assert (cny(delta.revenue_90d), delta.shipments_90d) == (20_000.0, 0)
    assert handled(registry, "OrderCancelled", "unknown_order") == 1
    assert handled(registry, "OrderCreated", "applied") == 0


async def test_two_rankers_at_once_announce_each_change_once(crm: CrmApp) -> None:
    """The serving process and ``customers rank`` may re-rank at the same moment."""
    await import_archive(crm)
    for n, customer in enumerate(["echo", "delta"]):
        waybill = f"FW00000000{n}100"
        big = order_created(waybill, customer, 100_000.0 * (n + 1))
        await handlers.on_orders_created(crm.service, [as_event(crm, big, waybill)])
    records = crm.platform.outbox.records
    before = await records.count_documents({})
    results = await asyncio.gather(*(rerank(crm.service) for _ in range(3)))
    announced = sum(len(r.changes) for r in results)
    assert announced == await records.count_documents({}) - before == 5  # everyone moved
    assert len({c.ranked.customer_id for r in results for c in r.changes}) == 5
