"""Routing's batch of new orders through the real consumer runner, broker and mongod: a
waybill that PlanRoute stores while the batch is being planned fails the batch once, and
the retry plans the rest without planning that one twice."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from fairwind.v1 import routes_pb2
from services.routing import handlers
from services.routing.bootstrap import RoutingApp
from services.routing.consumer import GROUP, event_consumer
from tests.integration.conftest import wait_for
from tests.integration.routing.conftest import address, order_created
from tests.integration.routing.test_routing_service import outbox_events

pytestmark = pytest.mark.integration


async def test_a_waybill_planned_meanwhile_fails_the_batch_once_and_loses_no_order(
    routing: RoutingApp, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = routing.service
    real_known = svc.store.routes.known
    asked: list[list[str]] = []

    async def known_then_plan_route(waybills: Sequence[str]) -> set[str]:
        found = await real_known(waybills)
        asked.append(list(waybills))
        if len(asked) == 1:  # PlanRoute commits between the batch's query and its commit
            await handlers.plan_route(
                svc,
                routes_pb2.PlanRouteRequest(
                    waybill="FW-B",
                    origin=address("深圳市", "南山区"),
                    destination=address("北京市", "朝阳区"),
                ),
            )
        return found

    monkeypatch.setattr(svc.store.routes, "known", known_then_plan_route)
    codec = routing.platform.codec
    # One key, so one partition: the three orders come in one poll, as one batch.
    await routing.platform.publisher.send(
        [codec.encode(order_created(w), "ONE-KEY") for w in ("FW-A", "FW-B", "FW-C")]
    )
    consumer = event_consumer(routing.platform, svc)
    task = asyncio.create_task(consumer.run())
    topic = f"{unique_name}.orders.v1"
    handled = routing.platform.metrics.events_consumed.labels(topic, GROUP, "handled")
    try:
        await wait_for(lambda: handled._value.get() == 3)
    finally:
        consumer.stop()
        await task

    assert asked[:2] == [["FW-A", "FW-B", "FW-C"]] * 2  # the batch, then its retry
    retries = routing.platform.metrics.handler_retries.labels(topic, GROUP)._value.get()
    assert retries == 1
    events = await outbox_events(routing)
    planned = sorted(m.route.waybill for n, m in events if n == "RoutePlanned")
    assert planned == ["FW-A", "FW-B", "FW-C"]  # FW-B once: by PlanRoute
    dispatched = sorted(m.waybill for n, m in events if n == "PickupDispatched")
    assert dispatched == ["FW-A", "FW-C"]
    assert await routing.platform.db["routes"].count_documents({}) == 3
    assert await routing.platform.db["pickup_tasks"].count_documents({}) == 2
    dead: Any = routing.platform.metrics.dead_lettered
    assert [s for m in dead.collect() for s in m.samples if s.name.endswith("_total")] == []
