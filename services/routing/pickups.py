"""Pickup tasks for couriers: the first dispatch of a planned order, and moving a task
nobody accepted in time to the next courier."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fairwind.v1 import orders_pb2, routes_pb2
from services.routing import convert
from services.routing.domain.clock import from_minutes, to_minutes
from services.routing.domain.dispatch import choose_courier
from services.routing.domain.network import DAY, OutletRecord
from services.routing.service import RoutingService, Stale
from services.routing.store import RoutingUnit

Document = dict[str, Any]


def pickup_task(
    svc: RoutingService,
    order: orders_pb2.Order,
    outlet: OutletRecord,
    window: tuple[int, int],
    pickup_by: int,
    now: datetime,
    load: dict[str, int],
) -> tuple[Document, routes_pb2.PickupDispatched] | None:
    """The task for the least-loaded courier on shift, and its event; None when the outlet
    has no courier. ``load`` (open tasks per courier) counts the new task, so the orders
    of one batch spread over the couriers as they would one by one."""
    couriers = list(outlet.couriers)
    chosen = choose_courier(couriers, (window[0] % DAY, window[1] % DAY), load)
    if chosen is None:
        return None
    load[chosen] = load.get(chosen, 0) + 1
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
    deadline = now - timedelta(seconds=svc.settings.acceptance_timeout_s)
    overdue = await svc.store.tasks.overdue(deadline)
    if not overdue:
        return 0
    network = svc.router.network
    # One load query for the round; each move is counted in memory.
    load = await svc.store.tasks.load(
        c.id for outlet in {t["outlet"] for t in overdue} for c in network.outlets[outlet].couriers
    )
    moved = 0
    for task in overdue:
        if await _reassign(svc, task, load, now):
            moved += 1
    return moved


async def _reassign(
    svc: RoutingService, task: Document, load: dict[str, int], now: datetime
) -> bool:
    outlet = svc.router.network.outlets[task["outlet"]]
    minute = to_minutes(now, svc.zone) % DAY
    window = (minute, minute + 60)
    courier = choose_courier(outlet.couriers, window, load, task["tried"]) or choose_courier(
        outlet.couriers, window, load, [task["courier_id"]]
    )
    if courier is None:
        return False  # the only courier: leave the task with them
    card = routes_pb2.CourierTask.FromString(task["card"])
    moved = task | {"courier_id": courier, "attempt": task["attempt"] + 1, "dispatched_at": now}

    async def write(uow: RoutingUnit) -> None:
        if await uow.tasks.reassign(task, courier, now) is None:
            raise Stale
        uow.emit(svc.codec.encode(dispatched_event(moved, outlet, card), task["_id"]))

    try:
        await svc.uow.run(write)
    except Stale:
        return False  # accepted or moved meanwhile
    load[task["courier_id"]] = load.get(task["courier_id"], 1) - 1
    load[courier] = load.get(courier, 0) + 1
    svc.metrics.reassigned.inc()
    return True
