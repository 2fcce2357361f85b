"""Routes, dispatches and cancellations that arrive before their order (the topics are read
independently) are parked and applied once the order is in: nothing is dropped."""

from __future__ import annotations

import asyncio

import pytest

from fairwind.v1 import common_pb2, orders_pb2, routes_pb2
from services.tracking import handlers
from services.tracking.bootstrap import TrackingApp
from tests.integration.tracking.conftest import as_event

pytestmark = pytest.mark.integration
W = "FW000000000130"


def route(version: int) -> routes_pb2.RoutePlanned:
    plan = routes_pb2.Route(waybill=W, version=version)
    plan.origin_outlet.code, plan.destination_outlet.code = "SZX001", "BJS003"
    leg = plan.legs.add(
        from_location=common_pb2.LocationRef(code="SZX001", kind=common_pb2.LOCATION_KIND_OUTLET),
        to_location=common_pb2.LocationRef(code="BJS003", kind=common_pb2.LOCATION_KIND_OUTLET),
    )
    leg.planned_departure.GetCurrentTime()
    leg.planned_arrival.GetCurrentTime()
    plan.arrival_at_destination_outlet.GetCurrentTime()
    return routes_pb2.RoutePlanned(route=plan)


async def test_a_route_and_a_dispatch_before_the_order_are_applied_when_it_comes(
    tracking: TrackingApp,
) -> None:
    svc = tracking.service
    dispatch = routes_pb2.PickupDispatched(waybill=W, courier_id="SZX001-C1", attempt=1)
    dispatch.dispatched_at.GetCurrentTime()
    await handlers.on_routes(svc, [as_event(tracking, route(1), W)])
    await handlers.on_pickups_dispatched(svc, [as_event(tracking, dispatch, W)])
    assert await svc.store.shipments.get(W) is None
    assert await svc.store.parked.collection.count_documents({"waybill": W}) == 2

    order = orders_pb2.Order(waybill=W, partner_id="acme", customer_id="acme")
    order.created_at.GetCurrentTime()
    await handlers.on_orders_created(
        svc, [as_event(tracking, orders_pb2.OrderCreated(order=order), W)]
    )

    ship = await svc.store.shipments.get(W)
    assert ship is not None
    assert ship["route"]["version"] == 1
    assert ship["status"] == "pickup_dispatched"
    assert ship["courier_id"] == "SZX001-C1"
    assert await svc.store.parked.collection.count_documents({"waybill": W}) == 0


async def test_an_early_event_racing_its_order_is_applied_exactly_once(
    tracking: TrackingApp,
) -> None:
    svc, waybill = tracking.service, "FW000000000149"
    plan = route(1)
    plan.route.waybill = waybill
    order = orders_pb2.Order(waybill=waybill, partner_id="acme", customer_id="acme")
    order.created_at.GetCurrentTime()
    await asyncio.gather(
        handlers.on_routes(svc, [as_event(tracking, plan, waybill)]),
        handlers.on_orders_created(
            svc, [as_event(tracking, orders_pb2.OrderCreated(order=order), waybill)]
        ),
    )
    ship = await svc.store.shipments.get(waybill)
    assert ship is not None
    assert ship["route"]["version"] == 1
    assert await svc.store.parked.collection.count_documents({"waybill": waybill}) == 0
