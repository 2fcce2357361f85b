"""One small async function per command or event; ``RoutingService`` (service.py) holds what
they need. Planning an order is in planning.py, pickup dispatch and reassignment in
pickups.py; every write goes through the unit of work (``svc.uow``) with its events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from fairwind.events import Event
from fairwind.v1 import orders_pb2, routes_pb2, tracking_pb2
from services.routing import convert
from services.routing.domain.clock import to_minutes
from services.routing.domain.planner import NoRoute
from services.routing.domain.pricing import Piece
from services.routing.domain.promise import NoService
from services.routing.planning import Plans, origin_couriers, plan_order, route_document
from services.routing.service import RoutingService, Stale
from services.routing.store import AlreadyPlanned, RoutingUnit

log = logging.getLogger(__name__)
Document = dict[str, Any]
REASONS = {
    tracking_pb2.DEVIATION_KIND_UNPLANNED_HUB: routes_pb2.REPLAN_REASON_UNPLANNED_HUB,
    tracking_pb2.DEVIATION_KIND_LATE_DEPARTURE: routes_pb2.REPLAN_REASON_LATE_DEPARTURE,
}


async def on_orders_created(
    svc: RoutingService, events: Sequence[Event[orders_pb2.OrderCreated]]
) -> None:
    """Plan a poll's new orders and dispatch their pickups: one query for the waybills
    planned already and one for the load of every origin outlet's couriers (together),
    then one transaction storing every route, task and unroutable marker with its events.

    A waybill that PlanRoute stores between the query and the commit fails the whole
    batch (AlreadyPlanned); the consumer runs it again and the query then skips it."""
    fresh: dict[str, Event[orders_pb2.OrderCreated]] = {}
    for event in events:
        fresh.setdefault(event.message.order.waybill, event)  # an order once per batch
    orders = {waybill: event.message.order for waybill, event in fresh.items()}
    known, load = await asyncio.gather(
        svc.store.routes.known(list(fresh)), svc.store.tasks.load(origin_couriers(svc, orders))
    )
    plans = Plans()
    now = svc.clock.now()
    for waybill, event in fresh.items():
        if waybill not in known:  # planned already: a redelivery, or PlanRoute was first
            plan_order(svc, plans, event, load, now)
    if not plans.routes:
        return

    async def store(uow: RoutingUnit) -> None:
        await uow.routes.insert(plans.routes)
        await uow.tasks.insert(plans.tasks)
        uow.emit(*plans.events)

    await svc.uow.run(store)
    _count(svc, plans)


def _count(svc: RoutingService, plans: Plans) -> None:
    for level in plans.levels:
        svc.metrics.planned.labels(level).inc()
    if plans.without_courier:
        svc.metrics.unroutable.labels("no_courier").inc(plans.without_courier)
    for waybill, reason, detail in plans.unroutable:
        svc.metrics.unroutable.labels(reason).inc()
        log.warning("order cannot be routed", extra={"waybill": waybill, "reason": detail})


async def plan_route(svc: RoutingService, request: routes_pb2.PlanRouteRequest) -> routes_pb2.Route:
    """PlanRoute: the stored route of the waybill, or a new plan (stored and published, no
    pickup dispatch: that needs the order). Raises NoService."""
    existing = await svc.store.routes.get(request.waybill)
    if existing is not None:
        if not existing.get("versions"):
            raise NoService(existing.get("unroutable") or "the order cannot be routed")
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

    async def store(uow: RoutingUnit) -> None:
        await uow.routes.insert([route_document(request.waybill, offer, level, route, now)])
        uow.emit(svc.codec.encode(routes_pb2.RoutePlanned(route=route), request.waybill))

    try:
        await svc.uow.run(store)
    except AlreadyPlanned:
        return await plan_route(svc, request)  # planned meanwhile: answer with that plan
    svc.metrics.planned.labels(level).inc()
    return route


async def on_orders_cancelled(
    svc: RoutingService, events: Sequence[Event[orders_pb2.OrderCancelled]]
) -> None:
    """Mark the routes cancelled and close their open pickup tasks, for a poll at once."""
    waybills = [event.message.waybill for event in events]
    now = svc.clock.now()

    async def cancel(uow: RoutingUnit) -> None:
        await uow.routes.cancel(waybills, now)
        await uow.tasks.cancel(waybills, now)

    await svc.uow.run(cancel)


async def on_deviation(
    svc: RoutingService, event: Event[tracking_pb2.RouteDeviationDetected]
) -> None:
    """Re-plan from where the parcel actually is; publish the new route and promise."""
    deviation = event.message
    doc = await svc.store.routes.get(deviation.waybill)
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

    async def store(uow: RoutingUnit) -> None:
        if not await uow.routes.add_version(deviation.waybill, doc["current"], entry):
            raise Stale
        uow.emit(svc.codec.encode(replanned, deviation.waybill))

    try:
        await svc.uow.run(store)
    except Stale:
        return  # another deviation re-planned first; the consumer will see a newer version
    svc.metrics.replanned.inc()
