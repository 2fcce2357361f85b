"""One small async function per command or event; ``RoutingService`` (service.py) holds what
they need. Pickup dispatch and reassignment are in pickups.py."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from fairwind.events import Event
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, tracking_pb2
from services.routing import convert
from services.routing.domain.clock import to_minutes
from services.routing.domain.planner import NoRoute
from services.routing.domain.pricing import Piece
from services.routing.domain.promise import NoService
from services.routing.domain.router import Offer, Unserved
from services.routing.pickups import dispatch_pickup
from services.routing.service import RoutingService, Stale

log = logging.getLogger(__name__)
Document = dict[str, Any]
REASONS = {
    tracking_pb2.DEVIATION_KIND_UNPLANNED_HUB: routes_pb2.REPLAN_REASON_UNPLANNED_HUB,
    tracking_pb2.DEVIATION_KIND_LATE_DEPARTURE: routes_pb2.REPLAN_REASON_LATE_DEPARTURE,
}
UNROUTABLE = {
    "unserved_area": routes_pb2.UNROUTABLE_REASON_UNSERVED_AREA,
    "no_service": routes_pb2.UNROUTABLE_REASON_NO_SERVICE,
}


def _pickup_window(
    order: orders_pb2.Order, svc: RoutingService, placed: int, pickup_by: int
) -> tuple[int, int]:
    if order.HasField("pickup_window") and order.pickup_window.HasField("start"):
        start = convert.minutes_of(order.pickup_window.start, svc.zone)
        end = convert.minutes_of(order.pickup_window.end, svc.zone)
        return start, max(end, start + 60)
    return placed, pickup_by


def _offer(svc: RoutingService, order: orders_pb2.Order, placed: int) -> Offer:
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


async def on_order_created(svc: RoutingService, event: Event[orders_pb2.OrderCreated]) -> None:
    """Plan the route, dispatch the pickup; both events leave with the stored plan."""
    order = event.message.order
    if await svc.store.get(order.waybill) is not None:
        return  # planned already (a redelivery, or PlanRoute was called first)
    placed_at = (
        order.created_at.ToDatetime(tzinfo=UTC)
        if order.HasField("created_at")
        else event.envelope.time
    )
    placed = to_minutes(placed_at, svc.zone)
    try:
        offer = _offer(svc, order, placed)
    except NoService as exc:
        await _unroutable(svc, order.waybill, exc)
        return
    level = convert.level_of(order.service_level)
    now = svc.clock.now()
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
    document = _route_document(order.waybill, offer, level, route, now)
    window = _pickup_window(order, svc, placed, offer.promise.pickup_by)
    task, dispatched = await dispatch_pickup(
        svc, order, offer.origin, window, offer.promise.pickup_by, now
    )
    planned = routes_pb2.RoutePlanned(
        route=route,
        price=convert.money(offer.price.total, offer.price.currency),
        chargeable_weight_kg=offer.price.chargeable_weight_kg,
    )
    events = [svc.codec.encode(planned, order.waybill)]
    if dispatched is not None:
        events.append(svc.codec.encode(dispatched, order.waybill))
    try:
        await svc.commit(lambda s: svc.store.insert(s, document, task), events)
    except DuplicateKeyError:
        return  # a concurrent delivery of the same order won
    svc.metrics.planned.labels(level).inc()


async def _unroutable(svc: RoutingService, waybill: str, exc: NoService) -> None:
    """Nothing can be planned or dispatched: remember it and say so (orders cancels the
    order), in one transaction, so a redelivered order changes nothing."""
    side = exc.side if isinstance(exc, Unserved) else ""
    reason = "unserved_area" if side else "no_service"
    event = routes_pb2.OrderUnroutable(
        waybill=waybill,
        reason=UNROUTABLE[reason],
        side=convert.SIDES.get(side, common_pb2.ADDRESS_SIDE_UNSPECIFIED),
        detail=str(exc),
        failed_at=convert.stamp(svc.clock.now()),
    )
    document = {"_id": waybill, "unroutable": str(exc), "current": 0, "versions": []}
    try:
        await svc.commit(
            lambda s: svc.store.insert(s, document, None), [svc.codec.encode(event, waybill)]
        )
    except DuplicateKeyError:
        return  # a concurrent delivery of the same order got there first
    svc.metrics.unroutable.labels(reason).inc()
    log.warning("order cannot be routed", extra={"waybill": waybill, "reason": str(exc)})


async def plan_route(
    svc: RoutingService,
    request: routes_pb2.PlanRouteRequest,
) -> routes_pb2.Route:
    """PlanRoute: the stored route of the waybill, or a new plan (stored and published, no
    pickup dispatch: that needs the order). Raises NoService."""
    existing = await svc.store.get(request.waybill)
    if existing is not None and existing.get("versions"):
        return routes_pb2.Route.FromString(existing["versions"][-1]["route"])
    router = svc.router
    origin = router.outlet_of(request.origin.city, request.origin.district, "pickup")
    destination = router.outlet_of(
        request.destination.city, request.destination.district, "delivery"
    )
    now = svc.clock.now()
    placed = (
        convert.minutes_of(request.placed_at, svc.zone)
        if request.HasField("placed_at")
        else to_minutes(now, svc.zone)
    )
    window = (
        convert.minutes_of(request.pickup_window.start, svc.zone)
        if request.pickup_window.HasField("start")
        else None
    )
    level = convert.level_of(request.service_level)
    weight = request.weight_kg or 1.0
    offer = router.offer(origin, destination, level, placed, window, [Piece(weight, 0, 0, 0)])
    route = convert.route_message(
        router.network, request.waybill, 1, offer.plan, offer.promise, level, origin.code, now
    )
    document = _route_document(request.waybill, offer, level, route, now)
    try:
        await svc.commit(
            lambda s: svc.store.insert(s, document, None),
            [svc.codec.encode(routes_pb2.RoutePlanned(route=route), request.waybill)],
        )
    except DuplicateKeyError:
        return await plan_route(svc, request)
    svc.metrics.planned.labels(level).inc()
    return route


def _route_document(
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


async def on_order_cancelled(svc: RoutingService, event: Event[orders_pb2.OrderCancelled]) -> None:
    await svc.store.cancel(event.message.waybill, svc.clock.now())


async def on_deviation(
    svc: RoutingService, event: Event[tracking_pb2.RouteDeviationDetected]
) -> None:
    """Re-plan from where the parcel actually is; publish the new route and promise."""
    deviation = event.message
    doc = await svc.store.get(deviation.waybill)
    if doc is None or doc.get("cancelled_at") or not doc.get("versions"):
        return
    if deviation.route_version and deviation.route_version < doc["current"]:
        return  # about a route we have already replaced
    network = svc.router.network
    destination = network.outlets[doc["destination"]]
    at = (
        convert.minutes_of(deviation.actual_time, svc.zone)
        if deviation.HasField("actual_time")
        else to_minutes(event.envelope.time, svc.zone)
    )
    try:
        plan, terms = svc.router.replan(
            deviation.location.code, at, destination, doc["level"], doc["pickup_by"]
        )
    except NoRoute as exc:
        svc.metrics.unroutable.labels("no_replan").inc()
        log.error("cannot re-plan", extra={"waybill": deviation.waybill, "reason": str(exc)})
        return
    previous = routes_pb2.Route.FromString(doc["versions"][-1]["route"])
    version = doc["current"] + 1
    now = svc.clock.now()
    route = convert.route_message(
        network, deviation.waybill, version, plan, terms, doc["level"], doc["origin"], now
    )
    replanned = routes_pb2.RouteReplanned(
        route=route,
        previous_version=doc["current"],
        reason=REASONS.get(deviation.kind, routes_pb2.REPLAN_REASON_MANUAL),
        detail=f"parcel at {deviation.location.code}",
        from_location=deviation.location,
        previous_promise=previous.promise,
    )
    entry = {
        "version": version,
        "route": route.SerializeToString(),
        "planned_at": now,
        "reason": routes_pb2.ReplanReason.Name(replanned.reason),
    }

    async def write(session: AsyncClientSession) -> None:
        if not await svc.store.add_version(session, deviation.waybill, doc["current"], entry):
            raise Stale

    try:
        await svc.commit(write, [svc.codec.encode(replanned, deviation.waybill)])
    except Stale:
        return  # another deviation re-planned first; the consumer will see a newer version
    svc.metrics.replanned.inc()
