"""One small async function per command or event of the tracking service."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession

from fairwind.clock import PlatformClock
from fairwind.events import Event, EventCodec
from fairwind.http import Problem
from fairwind.mongo.batching import GroupCommitter
from fairwind.mongo.outbox import Outbox, in_transaction
from fairwind.v1 import orders_pb2, routes_pb2
from fairwind.waybill import InvalidWaybill, parse_waybill
from services.tracking import convert
from services.tracking.devices import Device, DeviceStore
from services.tracking.domain.status import (
    MOVEMENT,
    Position,
    ScanEvent,
    Status,
    advance,
    cancelled,
    dispatched,
    ordered,
)
from services.tracking.guesses import GuessThrottle
from services.tracking.metrics import TrackingMetrics
from services.tracking.recording import Recorder, ScanCommand
from services.tracking.schemas import ScanIn
from services.tracking.settings import TrackingSettings
from services.tracking.store import TrackingStore, position_of

Document = dict[str, Any]
_SCAN = TypeAdapter(ScanIn)
REASONS = frozenset(convert.reason_names())
NEEDS_REASON = frozenset({ScanEvent.DELIVERY_FAILED, ScanEvent.EXCEPTION})


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


def _check(
    svc: TrackingService,
    device: Device,
    scan: ScanIn,
    ship: Document | None,
    place: Document | None,
    now: datetime,
) -> ScanCommand:
    waybill_of(svc, scan.waybill)
    if scan.location != device.location:
        raise Rejected(
            403, "wrong_location", f"this device scans at {device.location}, not {scan.location}"
        )
    if ship is None:
        raise Rejected(422, "unknown_waybill", f"no shipment {scan.waybill}")
    if place is None:
        raise Rejected(422, "unknown_location", f"unknown location {scan.location}")
    if scan.device_time > now + timedelta(seconds=svc.settings.max_future_skew_s):
        raise Rejected(
            422,
            "device_time_in_future",
            f"device time {scan.device_time.isoformat()} is in the future",
        )
    if scan.event is ScanEvent.DELIVERED and scan.proof_of_delivery is None:
        raise Rejected(422, "missing_proof", "a delivered scan needs proof_of_delivery")
    if scan.event in NEEDS_REASON and scan.reason not in REASONS:
        raise Rejected(
            422,
            "missing_reason",
            f"{scan.event.value} needs a reason code (carrier_*, consignee_*, "
            "customs_*, weather_*)",
        )
    if ship["status"] == Status.CANCELLED and scan.event in MOVEMENT:
        raise Rejected(409, "cancelled", f"{scan.waybill} was cancelled; no movement scans")
    pod = scan.proof_of_delivery.model_dump() if scan.proof_of_delivery else None
    return ScanCommand(
        {
            "_id": scan.scan_id,
            "waybill": scan.waybill,
            "event": scan.event.value,
            "location": {
                "code": place["_id"],
                "kind": place["kind"],
                "city_code": place.get("city_code", ""),
            },
            "courier_id": scan.courier_id or device.courier_id,
            "device_id": device.id,
            "device_time": scan.device_time.astimezone(UTC),
            "recorded_at": now,
            "reason": scan.reason,
            "pod": pod,
            "next_location": scan.next_location,
            "note": scan.note,
        }
    )


def _count(svc: TrackingService, command: ScanCommand) -> None:
    svc.metrics.scans.labels(command.doc["event"], command.outcome).inc()
    if command.status_changed:
        svc.metrics.transitions.inc()
    if command.deviation:
        svc.metrics.deviations.labels(command.deviation).inc()


async def record_scan(svc: TrackingService, device: Device, scan: ScanIn) -> ScanCommand:
    now = svc.clock.now()
    try:
        command = _check(
            svc,
            device,
            scan,
            await svc.store.get(scan.waybill),
            await svc.devices.location(scan.location),
            now,
        )
    except Rejected as exc:
        svc.metrics.rejected.labels(exc.reason).inc()
        raise
    await svc.writer.submit(command)
    _count(svc, command)
    return command


async def record_batch(svc: TrackingService, device: Device, items: list[Any]) -> list[Document]:
    """Per-item results: recorded, duplicate, or the problem of that item."""
    if len(items) > svc.settings.max_batch:
        raise Rejected(422, "batch_too_large", f"at most {svc.settings.max_batch} scans")
    now = svc.clock.now()
    parsed: dict[int, ScanIn] = {}
    results: dict[int, Document] = {}
    for index, item in enumerate(items):
        try:
            parsed[index] = _SCAN.validate_python(item)
        except ValidationError as exc:
            results[index] = _problem(
                index,
                Rejected(
                    422,
                    "invalid_scan",
                    "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()),
                ),
            )
    ships = await svc.store.many(list({s.waybill for s in parsed.values()}))
    place = await svc.devices.location(device.location)
    commands: dict[int, ScanCommand] = {}
    for index, scan in parsed.items():
        try:
            where = place if scan.location == device.location else None
            commands[index] = _check(svc, device, scan, ships.get(scan.waybill), where, now)
        except Rejected as exc:
            results[index] = _problem(index, exc)
    if commands:
        work = list(commands.values())
        await in_transaction(svc.mongo, functools.partial(_write, svc, work))
        svc.outbox.notify()
    for index, command in commands.items():
        _count(svc, command)
        results[index] = {
            "index": index,
            "status": 200 if command.outcome == "duplicate" else 201,
            "scan_id": command.doc["_id"],
            "outcome": command.outcome,
        }
    for result in results.values():
        if "problem" in result:
            svc.metrics.rejected.labels(result["problem"]["title"]).inc()
    return [results[i] for i in sorted(results)]


async def _write(
    svc: TrackingService, commands: list[ScanCommand], session: AsyncClientSession
) -> None:
    await svc.recorder.write(session, commands)


def _problem(index: int, error: Rejected) -> Document:
    return {"index": index, "status": error.status, "problem": error.body()}


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


async def _early(svc: TrackingService, event: Event[Any], waybill: str) -> None:
    """An event that came before its order (the topics are read independently): park it;
    ``on_order_created`` replays it. If the order got in meanwhile, replay it now."""
    await svc.store.early.update_one(
        {"_id": event.id},
        {
            "$setOnInsert": {
                "waybill": waybill,
                "topic": event.topic,
                "key": event.key,
                "value": event.message.SerializeToString(),
                "headers": [[name, value] for name, value in event.headers],
            }
        },
        upsert=True,
    )
    svc.metrics.early.inc()
    if await svc.store.shipments.count_documents({"_id": waybill}, limit=1):
        await _replay_early(svc, waybill)


async def _replay_early(svc: TrackingService, waybill: str) -> None:
    """Apply the parked events of a shipment, each claimed by exactly one replayer."""
    while doc := await svc.store.early.find_one_and_delete({"waybill": waybill}):
        event = svc.codec.decode(
            doc["topic"],
            doc["key"].encode() if doc["key"] else None,
            bytes(doc["value"]),
            [(name, bytes(value)) for name, value in doc["headers"]],
        )
        await EARLY_HANDLERS[type(event.message)](svc, event)


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
    await _replay_early(svc, order.waybill)


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
        await _early(svc, event, message.waybill)


async def on_route(svc: TrackingService, event: Event[Any]) -> None:
    """RoutePlanned / RouteReplanned: keep the newest plan, its promise and the places."""
    route: routes_pb2.Route = event.message.route
    for leg in route.legs:
        for ref in (leg.from_location, leg.to_location):
            kind = "hub" if ref.kind == 2 else "outlet"
            await svc.devices.register_location(ref.code, kind, ref.city_code, ref.name)
    plan = convert.route_doc(route)
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
            await _early(svc, event, route.waybill)
            return
        if (ship.get("route") or {}).get("version", 0) >= route.version:
            return  # this version or a newer one is in already
        # The order got in between the update and the look: try again.


async def on_order_cancelled(svc: TrackingService, event: Event[orders_pb2.OrderCancelled]) -> None:
    message = event.message
    at = (
        convert.when(message.cancelled_at)
        if message.HasField("cancelled_at")
        else event.envelope.time
    )
    if not await _move(svc, message.waybill, cancelled(at)):
        await _early(svc, event, message.waybill)


EARLY_HANDLERS: dict[type[Any], Any] = {
    routes_pb2.PickupDispatched: on_pickup_dispatched,
    routes_pb2.RoutePlanned: on_route,
    routes_pb2.RouteReplanned: on_route,
    orders_pb2.OrderCancelled: on_order_cancelled,
}
