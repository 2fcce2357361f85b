"""One small async function per command or event; ``RoutingService`` holds what they need."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from fairwind.clock import PlatformClock
from fairwind.events import EncodedEvent, Event, EventCodec
from fairwind.mongo.outbox import Outbox, in_transaction
from fairwind.v1 import orders_pb2, routes_pb2, tracking_pb2
from services.routing import convert
from services.routing.domain.clock import from_minutes, to_minutes
from services.routing.domain.dispatch import choose_courier
from services.routing.domain.network import DAY, OutletRecord
from services.routing.domain.planner import NoRoute
from services.routing.domain.pricing import Piece
from services.routing.domain.promise import NoService
from services.routing.domain.router import Offer, Router
from services.routing.metrics import RoutingMetrics
from services.routing.settings import RoutingSettings
from services.routing.store import RouteStore

log = logging.getLogger(__name__)
Document = dict[str, Any]
REASONS = {
    tracking_pb2.DEVIATION_KIND_UNPLANNED_HUB: routes_pb2.REPLAN_REASON_UNPLANNED_HUB,
    tracking_pb2.DEVIATION_KIND_LATE_DEPARTURE: routes_pb2.REPLAN_REASON_LATE_DEPARTURE,
}


@dataclass
class RoutingService:
    settings: RoutingSettings
    router: Router
    mongo: AsyncMongoClient[Document]
    store: RouteStore
    outbox: Outbox
    codec: EventCodec
    metrics: RoutingMetrics
    clock: PlatformClock = field(default_factory=PlatformClock)

    @property
    def zone(self) -> Any:
        return self.router.network.time_zone

    async def commit(self, work: Any, events: list[EncodedEvent]) -> None:
        async def run(session: AsyncClientSession) -> None:
            await work(session)
            await self.outbox.add(events, session)

        await in_transaction(self.mongo, run)
        self.outbox.notify()


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
        svc.metrics.unroutable.labels("no_service").inc()
        log.error("order cannot be routed", extra={"waybill": order.waybill, "reason": str(exc)})
        await svc.store.routes.insert_one(
            {"_id": order.waybill, "unroutable": str(exc), "current": 0, "versions": []}
        )
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
    task, dispatched = await _dispatch(
        svc, order, offer.origin, window, offer.promise.pickup_by, now
    )
    events = [svc.codec.encode(routes_pb2.RoutePlanned(route=route), order.waybill)]
    if dispatched is not None:
        events.append(svc.codec.encode(dispatched, order.waybill))
    try:
        await svc.commit(lambda s: svc.store.insert(s, document, task), events)
    except DuplicateKeyError:
        return  # a concurrent delivery of the same order won
    svc.metrics.planned.labels(level).inc()


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


async def _dispatch(
    svc: RoutingService,
    order: orders_pb2.Order,
    outlet: OutletRecord,
    window: tuple[int, int],
    pickup_by: int,
    now: datetime,
) -> tuple[Document | None, routes_pb2.PickupDispatched | None]:
    couriers = list(outlet.couriers)
    load = await svc.store.load([c.id for c in couriers])
    chosen = choose_courier(couriers, (window[0] % DAY, window[1] % DAY), load)
    if chosen is None:
        svc.metrics.unroutable.labels("no_courier").inc()
        return None, None
    card = routes_pb2.CourierTask(
        waybill=order.waybill,
        pickup_address=order.shipper.address,
        pickup_contact=order.shipper,
        pieces=sum(max(p.quantity, 1) for p in order.parcels),
        weight_kg=sum(p.weight_kg * max(p.quantity, 1) for p in order.parcels),
        pickup_by=convert.stamp(from_minutes(pickup_by, svc.zone)),
    )
    if order.HasField("pickup_window"):
        card.pickup_window.CopyFrom(order.pickup_window)
    task = {
        "_id": order.waybill,
        "outlet": outlet.code,
        "courier_id": chosen,
        "status": "assigned",
        "attempt": 1,
        "tried": [chosen],
        "dispatched_at": now,
        "pickup_by": from_minutes(pickup_by, svc.zone),
        "card": card.SerializeToString(),
    }
    return task, _dispatched_event(task, outlet, card)


def _dispatched_event(
    task: Document, outlet: OutletRecord, card: routes_pb2.CourierTask
) -> routes_pb2.PickupDispatched:
    event = routes_pb2.PickupDispatched(
        waybill=task["_id"],
        courier_id=task["courier_id"],
        outlet_code=outlet.code,
        city_code=outlet.city_code,
        pickup_by=card.pickup_by,
        dispatched_at=convert.stamp(task["dispatched_at"]),
        attempt=task["attempt"],
    )
    if card.HasField("pickup_window"):
        event.pickup_window.CopyFrom(card.pickup_window)
    return event


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
            raise _Stale

    try:
        await svc.commit(write, [svc.codec.encode(replanned, deviation.waybill)])
    except _Stale:
        return  # another deviation re-planned first; the consumer will see a newer version
    svc.metrics.replanned.inc()


class _Stale(Exception):
    pass


async def reassign_overdue(svc: RoutingService, now: datetime | None = None) -> int:
    """Pickups nobody accepted in time go to the next courier. Returns how many moved."""
    now = now or svc.clock.now()
    moved = 0
    deadline = now - timedelta(seconds=svc.settings.acceptance_timeout_s)
    for task in await svc.store.overdue(deadline):
        outlet = svc.router.network.outlets[task["outlet"]]
        load = await svc.store.load([c.id for c in outlet.couriers])
        minute = to_minutes(now, svc.zone) % DAY
        courier = choose_courier(
            outlet.couriers, (minute, minute + 60), load, task["tried"]
        ) or choose_courier(outlet.couriers, (minute, minute + 60), load, [task["courier_id"]])
        if courier is None:
            continue  # the only courier: leave the task with them
        card = routes_pb2.CourierTask.FromString(task["card"])
        updated: Document | None = None

        async def write(session: AsyncClientSession, t: Document = task, c: str = courier) -> None:
            nonlocal updated
            updated = await svc.store.reassign(session, t, c, now)
            if updated is None:
                raise _Stale

        event_task = task | {
            "courier_id": courier,
            "attempt": task["attempt"] + 1,
            "dispatched_at": now,
        }
        try:
            await svc.commit(
                write, [svc.codec.encode(_dispatched_event(event_task, outlet, card), task["_id"])]
            )
        except _Stale:
            continue  # accepted or moved meanwhile
        svc.metrics.reassigned.inc()
        moved += 1
    return moved
