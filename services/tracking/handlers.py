"""One small async function per event of the tracking service, and what waits for its
order (parked events and scans)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from fairwind.clock import PlatformClock
from fairwind.events import Event, EventCodec
from fairwind.http import Problem
from fairwind.mongo.batching import GroupCommitter
from fairwind.mongo.outbox import Outbox, in_transaction
from fairwind.v1 import orders_pb2, routes_pb2
from fairwind.waybill import InvalidWaybill, parse_waybill
from services.tracking import convert
from services.tracking.devices import DeviceStore
from services.tracking.domain.status import (
    Position,
    ScanEvent,
    Status,
    accepts,
    advance,
    cancelled,
    dispatched,
    ordered,
)
from services.tracking.guesses import GuessThrottle
from services.tracking.metrics import TrackingMetrics
from services.tracking.recording import Recorder, ScanCommand
from services.tracking.settings import TrackingSettings
from services.tracking.store import TrackingStore, position_of

Document = dict[str, Any]
NO_ORDER = "no_order"


class Rejected(Problem):
    """A refused command: problem+json with the reason code as title."""

    def __init__(
        self, status: int, reason: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status, detail, reason=reason, headers=headers)


@dataclass
class TrackingService:
    settings: TrackingSettings
    mongo: AsyncMongoClient[Document]
    store: TrackingStore
    devices: DeviceStore
    outbox: Outbox
    codec: EventCodec
    recorder: Recorder
    writer: GroupCommitter[ScanCommand]
    guesses: GuessThrottle
    metrics: TrackingMetrics
    clock: PlatformClock = field(default_factory=PlatformClock)


def waybill_of(svc: TrackingService, text: str) -> str:
    """The normalised waybill, or 400 ``invalid_waybill`` (as orders answers it): a wrong
    check digit is a typo, not a shipment that does not exist."""
    try:
        return parse_waybill(text, svc.settings.waybill_prefix)
    except InvalidWaybill as exc:
        raise Rejected(400, "invalid_waybill", str(exc)) from exc


async def _move(
    svc: TrackingService, waybill: str, position: Position, changes: Document | None = None
) -> bool:
    """Advance a shipment by a non-scan event (dispatch, cancel) and publish the change.
    False when there is no shipment yet (its order has not been handled)."""
    found = True

    async def work(session: AsyncClientSession) -> None:
        nonlocal found
        ship = await svc.store.shipments.find_one({"_id": waybill}, session=session)
        found = ship is not None
        if ship is None:
            return
        before = position_of(ship)
        after = advance(before, position)
        ship |= (changes or {}) | {"updated_at": svc.clock.now()}
        if after is not before:
            previous = ship["status"]
            ship |= {"status": after.status.value, "substatus": "", "key": after.key.as_list()}
            await svc.outbox.add(
                [
                    svc.codec.encode(
                        convert.status_changed(ship, previous, None, position.key.at), waybill
                    )
                ],
                session,
            )
        await svc.store.shipments.replace_one({"_id": waybill}, ship, session=session)

    await in_transaction(svc.mongo, work)
    svc.outbox.notify()
    return found


def check_movement(ship: Document, scan: Document) -> None:
    if not accepts(Status(ship["status"]), ScanEvent(scan["event"])):
        raise Rejected(409, "cancelled", f"{ship['_id']} was cancelled; no movement scans")


PARKED_SCAN = "scan:"  # the _id prefix of a parked scan; events are parked by event id


async def park(svc: TrackingService, docs: list[Document]) -> None:
    """Keep what came before its order (the topics are read independently, and a handheld
    may scan right after booking) in ``early_events`` until ``on_order_created`` applies
    it; if the order got in meanwhile, apply it now. The same id parked twice is kept once."""
    if not docs:
        return
    at = svc.clock.wall()  # the wait is for a topic to be read: processing time
    result = await svc.store.early.bulk_write(
        [
            UpdateOne({"_id": doc["_id"]}, {"$setOnInsert": doc | {"parked_at": at}}, upsert=True)
            for doc in docs
        ],
        ordered=False,
    )
    svc.metrics.early.inc(result.upserted_count)
    waybills = list({doc["waybill"] for doc in docs})
    for ship in await svc.store.shipments.find({"_id": {"$in": waybills}}, {"_id": 1}).to_list():
        await replay_parked(svc, ship["_id"])


async def _park_event(svc: TrackingService, event: Event[Any], waybill: str) -> None:
    doc: Document = {
        "_id": event.id,
        "waybill": waybill,
        "kind": type(event.message).__name__,
        "topic": event.topic,
        "key": event.key,
        "value": event.message.SerializeToString(),
        "headers": [[name, value] for name, value in event.headers],
    }
    await park(svc, [doc])


async def replay_parked(svc: TrackingService, waybill: str) -> None:
    """Apply what waited for this shipment, then forget it. Applying twice is harmless (every
    handler is idempotent), so a crash or a concurrent replayer between the two loses
    nothing. What gave up waiting (``no_order``) is applied too: the order did come."""
    sources = (
        (svc.store.early, {"waybill": waybill}),
        (svc.store.unmatched, {"waybill": waybill, "reason": NO_ORDER}),
    )
    for parked, query in sources:
        for doc in await parked.find(query).sort("parked_at", ASCENDING).to_list():
            if await _apply_parked(svc, doc):
                await parked.delete_one({"_id": doc["_id"]})


async def _apply_parked(svc: TrackingService, doc: Document) -> bool:
    """False when the item cannot be applied after all (it is moved to ``unmatched``)."""
    if "scan" not in doc:
        event = svc.codec.decode(
            doc["topic"],
            doc["key"].encode() if doc["key"] else None,
            bytes(doc["value"]),
            [(name, bytes(value)) for name, value in doc["headers"]],
        )
        await EARLY_HANDLERS[type(event.message)](svc, event)
        return True
    command = ScanCommand(doc["scan"])
    ship = await svc.store.get(doc["waybill"])
    try:
        if ship is not None:
            check_movement(ship, command.doc)
    except Rejected as exc:
        await give_up(svc, doc, exc.reason, exc.body())
        return False

    async def write(session: AsyncClientSession) -> None:
        await svc.recorder.write(session, [command])

    await in_transaction(svc.mongo, write)
    svc.outbox.notify()
    svc.metrics.count(command)
    return True


async def give_up(
    svc: TrackingService, doc: Document, reason: str, problem: Document | None = None
) -> None:
    """Move a parked item to ``unmatched`` (kept, never dropped): ``no_order`` when its order
    did not come in time, or the reason it could not be applied."""
    kept = doc | {"reason": reason, "problem": problem, "gave_up_at": svc.clock.wall()}
    await svc.store.unmatched.replace_one({"_id": doc["_id"]}, kept, upsert=True)
    moved = await svc.store.early.delete_one({"_id": doc["_id"]})
    if moved.deleted_count or reason != NO_ORDER:  # one count, whichever process moved it
        svc.metrics.unmatched.labels(doc.get("kind", "event"), reason).inc()


async def on_order_created(svc: TrackingService, event: Event[orders_pb2.OrderCreated]) -> None:
    order = event.message.order
    created = (
        convert.when(order.created_at) if order.HasField("created_at") else event.envelope.time
    )
    start = ordered(created)

    def party(contact: Any) -> Document:
        address = contact.address
        return {
            "name": contact.name,
            "phone": contact.phone,
            "province": address.province,
            "city": address.city,
            "district": address.district,
            "street": address.street,
        }

    ship = {
        "_id": order.waybill,
        "status": start.status.value,
        "substatus": "",
        "key": start.key.as_list(),
        "partner_id": order.partner_id,
        "customer_id": order.customer_id,
        "service_level": convert.LEVELS.get(order.service_level, "standard"),
        "customer_tier": int(order.customer_tier),
        "origin_outlet": order.origin_outlet_code or None,
        "destination_outlet": order.destination_outlet_code or None,
        "shipper": party(order.shipper),
        "consignee": party(order.consignee),
        "promise": convert.promise_doc(order.promise),
        "created_at": created,
        "updated_at": created,
        "location": None,
        "hops": {},
        "deviations": [],
    }
    await svc.store.shipments.update_one(
        {"_id": order.waybill}, {"$setOnInsert": ship}, upsert=True
    )
    await replay_parked(svc, order.waybill)


async def on_pickup_dispatched(
    svc: TrackingService, event: Event[routes_pb2.PickupDispatched]
) -> None:
    message = event.message
    at = (
        convert.when(message.dispatched_at)
        if message.HasField("dispatched_at")
        else event.envelope.time
    )
    changes = {"courier_id": message.courier_id}
    if not await _move(svc, message.waybill, dispatched(at, message.attempt), changes):
        await _park_event(svc, event, message.waybill)


async def on_route(svc: TrackingService, event: Event[Any]) -> None:
    """RoutePlanned / RouteReplanned: keep the newest plan, its promise and the places, and
    every version in ``plans`` (each scan is judged against the plan in force when it was
    made)."""
    route: routes_pb2.Route = event.message.route
    for leg in route.legs:
        for ref in (leg.from_location, leg.to_location):
            kind = "hub" if ref.kind == 2 else "outlet"
            await svc.devices.register_location(ref.code, kind, ref.city_code, ref.name)
    plan = convert.route_doc(route, event.envelope.time)
    newer = {
        "_id": route.waybill,
        "$or": [
            {"route": None},
            {"route": {"$exists": False}},
            {"route.version": {"$lt": route.version}},
        ],
    }
    changes = {
        "route": plan,
        "eta": plan["arrival"],
        "promise": convert.promise_doc(route.promise),
        "origin_outlet": route.origin_outlet.code,
        "destination_outlet": route.destination_outlet.code,
    }
    while not (await svc.store.shipments.update_one(newer, {"$set": changes})).matched_count:
        ship = await svc.store.shipments.find_one({"_id": route.waybill}, {"route.version": 1})
        if ship is None:
            await _park_event(svc, event, route.waybill)
            return
        if (ship.get("route") or {}).get("version", 0) >= route.version:
            break  # this version or a newer one is the current plan already
        # The order got in between the update and the look: try again.
    await svc.store.shipments.update_one(
        {"_id": route.waybill, "plans.version": {"$ne": route.version}},
        {"$push": {"plans": {"$each": [plan], "$sort": {"version": 1}}}},
    )


async def on_order_cancelled(svc: TrackingService, event: Event[orders_pb2.OrderCancelled]) -> None:
    message = event.message
    at = (
        convert.when(message.cancelled_at)
        if message.HasField("cancelled_at")
        else event.envelope.time
    )
    if not await _move(svc, message.waybill, cancelled(at)):
        await _park_event(svc, event, message.waybill)


EARLY_HANDLERS: dict[type[Any], Any] = {
    routes_pb2.PickupDispatched: on_pickup_dispatched,
    routes_pb2.RoutePlanned: on_route,
    routes_pb2.RouteReplanned: on_route,
    orders_pb2.OrderCancelled: on_order_cancelled,
}
