"""Planning a new order, without I/O: its offer (route, promise, price), the route document
and events, the pickup task, or the marker and event of an order that cannot be routed.
``handlers.on_orders_created`` gathers a batch's plans in ``Plans`` and stores them in one
transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fairwind.events import EncodedEvent, Event
from fairwind.observability import child_traceparent
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2
from services.routing import convert
from services.routing.domain.clock import to_minutes
from services.routing.domain.promise import NoService
from services.routing.domain.router import Offer, Unserved
from services.routing.pickups import pickup_task
from services.routing.service import RoutingService

Document = dict[str, Any]
UNROUTABLE = {
    "unserved_area": routes_pb2.UNROUTABLE_REASON_UNSERVED_AREA,
    "no_service": routes_pb2.UNROUTABLE_REASON_NO_SERVICE,
}


@dataclass
class Plans:
    """What a batch of new orders stores and announces, gathered before its transaction."""

    routes: list[Document] = field(default_factory=list)  # routes and unroutable markers
    tasks: list[Document] = field(default_factory=list)
    events: list[EncodedEvent] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)  # of each planned order, for metrics
    unroutable: list[tuple[str, str, str]] = field(default_factory=list)  # waybill, reason, why
    without_courier: int = 0


def placed_at(event: Event[orders_pb2.OrderCreated]) -> datetime:
    order = event.message.order
    if order.HasField("created_at"):
        return order.created_at.ToDatetime(tzinfo=UTC)
    return event.envelope.time


def offer_for(svc: RoutingService, order: orders_pb2.Order, placed: int) -> Offer:
    """The order's route, promise and price. Raises NoService (Unserved for an address no
    outlet serves)."""
    router = svc.router
    origin = router.outlet_of(order.shipper.address.city, order.shipper.address.district, "pickup")
    destination = router.outlet_of(
        order.consignee.address.city, order.consignee.address.district, "delivery"
    )
    window = (
        convert.minutes_of(order.pickup_window.start, svc.zone)
        if order.pickup_window.HasField("start")
        else None
    )
    pieces = convert.pieces_of(order.parcels)
    cod = convert.decimal_of(order.cod_amount) if order.HasField("cod_amount") else None
    level = convert.level_of(order.service_level)
    try:
        return router.offer(origin, destination, level, placed, window, pieces, cod)
    except NoService:
        if level == "standard":
            raise
        # The order is accepted already (perhaps while we were down): carry it anyway.
        return router.offer(origin, destination, "standard", placed, window, pieces, cod)


def plan_order(
    svc: RoutingService,
    plans: Plans,
    event: Event[orders_pb2.OrderCreated],
    load: dict[str, int],
    now: datetime,
) -> None:
    """Add the order's route, pickup task and events to ``plans`` (or its unroutable
    marker); ``load`` counts the task it gives a courier."""
    order = event.message.order
    # The events continue the order's trace, as a handler of that one event would.
    trace = child_traceparent(event.envelope.traceparent)
    placed = to_minutes(placed_at(event), svc.zone)
    try:
        offer = offer_for(svc, order, placed)
    except NoService as exc:
        _unroutable(svc, plans, order.waybill, exc, trace, now)
        return
    level = convert.level_of(order.service_level)
    route = convert.route_message(
        svc.router.network,
        order.waybill,
        1,
        offer.plan,
        offer.promise,
        level,
        offer.origin.code,
        now,
    )
    plans.routes.append(route_document(order.waybill, offer, level, route, now))
    planned = routes_pb2.RoutePlanned(
        route=route,
        price=convert.money(offer.price.total, offer.price.currency),
        chargeable_weight_kg=offer.price.chargeable_weight_kg,
    )
    messages: list[tuple[Any, str]] = [(planned, order.waybill)]
    window = _pickup_window(svc, order, placed, offer.promise.pickup_by)
    dispatch = pickup_task(svc, order, offer.origin, window, offer.promise.pickup_by, now, load)
    if dispatch is None:
        plans.without_courier += 1  # planned all the same; nobody's shift covers the window
    else:
        plans.tasks.append(dispatch[0])
        messages.append((dispatch[1], order.waybill))
    plans.events.extend(svc.codec.encode_many(messages, traceparent=trace))
    plans.levels.append(level)


def _unroutable(
    svc: RoutingService, plans: Plans, waybill: str, exc: NoService, trace: str, now: datetime
) -> None:
    """Nothing can be planned or dispatched: remember it (so a redelivered order changes
    nothing) and say so (orders cancels the order)."""
    side = exc.side if isinstance(exc, Unserved) else ""
    reason = "unserved_area" if side else "no_service"
    event = routes_pb2.OrderUnroutable(
        waybill=waybill,
        reason=UNROUTABLE[reason],
        side=convert.SIDES.get(side, common_pb2.ADDRESS_SIDE_UNSPECIFIED),
        detail=str(exc),
        failed_at=convert.stamp(now),
    )
    plans.routes.append({"_id": waybill, "unroutable": str(exc), "current": 0, "versions": []})
    plans.events.append(svc.codec.encode(event, waybill, traceparent=trace))
    plans.unroutable.append((waybill, reason, str(exc)))


def _pickup_window(
    svc: RoutingService, order: orders_pb2.Order, placed: int, pickup_by: int
) -> tuple[int, int]:
    if order.HasField("pickup_window") and order.pickup_window.HasField("start"):
        start = convert.minutes_of(order.pickup_window.start, svc.zone)
        end = convert.minutes_of(order.pickup_window.end, svc.zone)
        return start, max(end, start + 60)
    return placed, pickup_by


def route_document(
    waybill: str, offer: Offer, level: str, route: routes_pb2.Route, now: datetime
) -> Document:
    return {
        "_id": waybill,
        "origin": offer.origin.code,
        "destination": offer.destination.code,
        "level": level,
        "pickup_by": offer.promise.pickup_by,
        "current": 1,
        "versions": [
            {"version": 1, "route": route.SerializeToString(), "planned_at": now, "reason": "order"}
        ],
    }


def origin_couriers(svc: RoutingService, orders: Mapping[str, orders_pb2.Order]) -> set[str]:
    """Every courier of the origin outlets of ``orders`` (unserved addresses have none)."""
    couriers: set[str] = set()
    for order in orders.values():
        address = order.shipper.address
        outlet = svc.router.coverage(address.city, address.district).outlet
        if outlet is not None:
            couriers.update(c.id for c in outlet.couriers)
    return couriers
