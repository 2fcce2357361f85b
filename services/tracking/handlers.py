"""The events the tracking service consumes, a batch at a time (a poll's events of one
type, each waybill's in order), and applying what waited for its order.

Each batch is one query for the shipments concerned and one unit of work (bulk writes and
the events they cause, one transaction, run again on a write conflict); what came before
its order is parked, and what waited for the shipments a batch created is applied after
it. Events are at-least-once: the kit skips redelivered ``ce_id``s and every write here is
idempotent (shipments created once, routes by version, moves forward only).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from fairwind.events import Event
from fairwind.problems import Rejected
from fairwind.v1 import orders_pb2, routes_pb2
from services.tracking import convert
from services.tracking.domain.status import Position, advance, cancelled, dispatched
from services.tracking.parking import give_up, park, parked_event, parked_scan
from services.tracking.recording import ScanCommand, check_movement, record_scans
from services.tracking.service import TrackingService
from services.tracking.store import RouteUpdate, TrackingUnit, position_of

Document = dict[str, Any]
BatchHandler = Callable[[TrackingService, Sequence[Event[Any]]], Awaitable[None]]


def _time(event: Event[Any], message: Any, name: str) -> datetime:
    """The business time ``name`` of ``message``; without one, when ``event`` was sent."""
    if message.HasField(name):
        return convert.when(getattr(message, name))
    return event.envelope.time


async def on_orders_created(
    svc: TrackingService, events: Sequence[Event[orders_pb2.OrderCreated]]
) -> None:
    """A shipment per new waybill (a redelivered order changes nothing), then what waited
    for them."""
    ships = [
        convert.shipment_doc(e.message.order, _time(e, e.message.order, "created_at"))
        for e in events
    ]

    async def create(uow: TrackingUnit) -> int:
        return await uow.shipments.create(ships)

    await svc.run_on((ship["_id"] for ship in ships), create)
    await replay_parked(svc, {ship["_id"] for ship in ships})


async def on_routes(svc: TrackingService, events: Sequence[Event[Any]]) -> None:
    """RoutePlanned / RouteReplanned: keep the newest plan, its promise and the places, and
    every version in ``plans`` (each scan is judged against the plan in force when it was
    made)."""
    updates = [_route_update(event) for event in events]
    await svc.devices.register_places(
        place for event in events for place in convert.route_places(event.message.route)
    )

    async def plan(uow: TrackingUnit) -> list[Document]:
        known = await uow.shipments.known({u.waybill for u in updates})
        await uow.shipments.plan([u for u in updates if u.waybill in known])
        return [
            parked_event(e, u.waybill)
            for e, u in zip(events, updates, strict=True)
            if u.waybill not in known
        ]

    await _park(svc, await svc.run_on((u.waybill for u in updates), plan))


def _route_update(event: Event[Any]) -> RouteUpdate:
    route: routes_pb2.Route = event.message.route
    plan = convert.route_doc(route, event.envelope.time)
    fields = {
        "eta": plan["arrival"],
        "promise": convert.promise_doc(route.promise),
        "origin_outlet": route.origin_outlet.code,
        "destination_outlet": route.destination_outlet.code,
    }
    return RouteUpdate(route.waybill, plan, fields)


@dataclass(frozen=True, slots=True)
class _Move:
    """A non-scan event that moves a shipment (dispatch, cancellation)."""

    event: Event[Any]
    position: Position
    changes: Document

    @property
    def waybill(self) -> str:
        waybill: str = self.event.message.waybill
        return waybill


async def on_pickups_dispatched(
    svc: TrackingService, events: Sequence[Event[routes_pb2.PickupDispatched]]
) -> None:
    moves = [
        _Move(
            e,
            dispatched(_time(e, e.message, "dispatched_at"), e.message.attempt),
            {"courier_id": e.message.courier_id},
        )
        for e in events
    ]
    await _move(svc, moves)


async def on_orders_cancelled(
    svc: TrackingService, events: Sequence[Event[orders_pb2.OrderCancelled]]
) -> None:
    await _move(svc, [_Move(e, cancelled(_time(e, e.message, "cancelled_at")), {}) for e in events])


async def _move(svc: TrackingService, moves: Sequence[_Move]) -> None:
    """Advance each shipment (forward only), publish each status change; park the events of
    shipments that are not there yet."""

    async def apply(uow: TrackingUnit) -> list[Document]:
        ships = await uow.shipments.for_moves({m.waybill for m in moves})
        now = svc.clock.now()
        changed: dict[str, set[str]] = {}  # waybill -> the fields its moves set
        for move in moves:
            if (ship := ships.get(move.waybill)) is not None:
                fields = changed.setdefault(move.waybill, {"updated_at"})
                fields.update(_advance(svc, uow, ship, move))
                ship["updated_at"] = now
        await uow.shipments.set_fields(
            (waybill, {f: ships[waybill][f] for f in fields}) for waybill, fields in changed.items()
        )
        return [parked_event(m.event, m.waybill) for m in moves if m.waybill not in ships]

    await _park(svc, await svc.run_on((m.waybill for m in moves), apply))


def _advance(svc: TrackingService, uow: TrackingUnit, ship: Document, move: _Move) -> set[str]:
    """Apply ``move`` to ``ship`` (forward only); returns the fields it set."""
    before = position_of(ship)
    after = advance(before, move.position)
    ship |= move.changes
    if after is before:
        return set(move.changes)
    previous = ship["status"]
    ship |= {"status": after.status.value, "substatus": "", "key": after.key.as_list()}
    changed = convert.status_changed(ship, previous, None, move.position.key.at)
    uow.emit(svc.codec.encode(changed, move.waybill))
    return {*move.changes, "status", "substatus", "key"}


async def _park(svc: TrackingService, docs: Sequence[Document]) -> None:
    """Park what came before its order; apply it at once if the order got in meanwhile."""
    await replay_parked(svc, await park(svc, docs))


async def park_scans(svc: TrackingService, commands: Sequence[ScanCommand]) -> None:
    """Keep scans of waybills tracking has not seen until their orders come."""
    await _park(svc, [parked_scan(command) for command in commands])


async def replay_parked(svc: TrackingService, waybills: Collection[str]) -> None:
    """Apply what waited for these shipments, in the order it was parked, then forget it.
    Applying twice is harmless (every handler is idempotent), so a crash or a concurrent
    replayer between the two loses nothing. What gave up waiting (``no_order``) is applied
    too: the order did come."""
    if not waybills:
        return
    early, late = await asyncio.gather(
        svc.store.parked.waiting(waybills), svc.store.unmatched.waiting(waybills)
    )
    for source, docs in ((svc.store.parked, early), (svc.store.unmatched, late)):
        # Runs of one kind, in parked order: a cancellation parked before a scan is applied
        # first, and the scan is refused then, as it would have been had it come after.
        for kind, run in groupby(docs, key=lambda doc: doc["kind"]):
            items = list(run)
            apply = _apply_scans if kind == "scan" else _apply_events
            await source.forget(await apply(svc, items))


async def _apply_events(svc: TrackingService, docs: Sequence[Document]) -> list[str]:
    events = [
        svc.codec.decode(
            doc["topic"],
            doc["key"].encode() if doc["key"] else None,
            bytes(doc["value"]),
            [(name, bytes(value)) for name, value in doc["headers"]],
        )
        for doc in docs
    ]
    await EARLY_HANDLERS[type(events[0].message)](svc, events)
    return [doc["_id"] for doc in docs]


async def _apply_scans(svc: TrackingService, docs: Sequence[Document]) -> list[str]:
    """Record parked scans; a movement scan of a shipment cancelled meanwhile is moved to
    ``unmatched`` instead (with the problem it would have got). The ids recorded."""
    ships = await svc.store.shipments.many({doc["waybill"] for doc in docs})
    commands: list[ScanCommand] = []
    applied: list[str] = []
    for doc in docs:
        command = ScanCommand(doc["scan"])
        try:
            check_movement(ships[doc["waybill"]], command.doc)
        except Rejected as exc:
            await give_up(svc, doc, exc.reason, exc.body())
            continue
        commands.append(command)
        applied.append(doc["_id"])

    async def record(uow: TrackingUnit) -> None:
        await record_scans(svc, uow, commands)

    if commands:
        await svc.run_on((c.doc["waybill"] for c in commands), record)
    for command in commands:
        svc.metrics.count(command)
    return applied


EARLY_HANDLERS: dict[type[Any], BatchHandler] = {
    routes_pb2.PickupDispatched: on_pickups_dispatched,
    routes_pb2.RoutePlanned: on_routes,
    routes_pb2.RouteReplanned: on_routes,
    orders_pb2.OrderCancelled: on_orders_cancelled,
}
