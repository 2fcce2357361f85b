"""Pickup tasks for couriers: the first dispatch of a planned order, and moving a task
nobody accepted in time to the next courier."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from fairwind.v1 import orders_pb2, routes_pb2
from services.routing import convert
from services.routing.domain.clock import from_minutes, to_minutes
from services.routing.domain.dispatch import choose_courier
from services.routing.domain.network import DAY, OutletRecord
from services.routing.service import RoutingService, Stale

Document = dict[str, Any]


async def dispatch_pickup(
    svc: RoutingService,
    order: orders_pb2.Order,
    outlet: OutletRecord,
    window: tuple[int, int],
    pickup_by: int,
    now: datetime,
) -> tuple[Document | None, routes_pb2.PickupDispatched | None]:
    """The task for the least-loaded courier on shift, and its event; (None, None) when no
    courier's shift covers the window (the order is planned all the same)."""
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
    return task, dispatched_event(task, outlet, card)


def dispatched_event(
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
                raise Stale

        event_task = task | {
            "courier_id": courier,
            "attempt": task["attempt"] + 1,
            "dispatched_at": now,
        }
        try:
            await svc.commit(
                write, [svc.codec.encode(dispatched_event(event_task, outlet, card), task["_id"])]
            )
        except Stale:
            continue  # accepted or moved meanwhile
        svc.metrics.reassigned.inc()
        moved += 1
    return moved
