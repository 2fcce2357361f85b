"""Recording scans: one unit of work stores the scans not stored yet, moves each shipment
forward, notes the hops actually taken, detects deviations from the plan in force, and
emits ScanRecorded, ShipmentStatusChanged and RouteDeviationDetected.

A batch of scans is one unit; single scans are grouped into units by group commit
(``TrackingService.writer``). The shipments are read inside the unit's transaction, so a
concurrent scan of the same shipment makes the unit conflict and run again (``uow.run``)
rather than lose an update; the body sets everything it tells again on every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from google.protobuf.message import Message

from fairwind.events import EncodedEvent
from fairwind.v1 import common_pb2, tracking_pb2
from services.tracking import convert
from services.tracking.domain.route import Deviation, deviation, live_eta, plan_in_force
from services.tracking.domain.status import ScanEvent, Status, advance, scan_position
from services.tracking.store import TrackingUnit, legs_of, plans_of, position_of

if TYPE_CHECKING:
    from services.tracking.service import TrackingService

Document = dict[str, Any]
HOP_FIELD = {
    ScanEvent.ARRIVED: "arrived_at",
    ScanEvent.SORTED: "sorted_at",
    ScanEvent.DEPARTED: "departed_at",
    ScanEvent.AT_DELIVERY_OUTLET: "arrived_at",
}
DEVIATION_KINDS = {
    "unplanned_hub": tracking_pb2.DEVIATION_KIND_UNPLANNED_HUB,
    "late_departure": tracking_pb2.DEVIATION_KIND_LATE_DEPARTURE,
}


@dataclass
class ScanCommand:
    """A validated scan; ``outcome`` is set when it is written."""

    doc: Document  # the scan document (``_id`` = scan id)
    outcome: str = field(default="pending")  # recorded | duplicate | parked
    status_changed: bool = False
    deviation: str | None = None

    def reset(self) -> None:
        self.outcome, self.status_changed, self.deviation = "pending", False, None


async def record_scans(
    svc: TrackingService, uow: TrackingUnit, commands: Sequence[ScanCommand]
) -> None:
    """Record ``commands`` (their shipments exist) in ``uow``; a scan id stored already, or
    twice among the commands, is a duplicate."""
    for command in commands:
        command.reset()
    stored = await uow.scans.known({c.doc["_id"] for c in commands})
    ships = await uow.shipments.many({c.doc["waybill"] for c in commands})
    fresh: list[Document] = []
    touched: dict[str, Document] = {}
    for command in commands:
        scan = command.doc
        if scan["_id"] in stored:
            command.outcome = "duplicate"
            continue
        stored.add(scan["_id"])
        ship = ships[scan["waybill"]]
        uow.emit(*_record(svc, ship, command))
        fresh.append(scan)
        touched[ship["_id"]] = ship
        command.outcome = "recorded"
    await uow.scans.insert(fresh)
    await uow.shipments.replace(touched.values())


def _record(svc: TrackingService, ship: Document, command: ScanCommand) -> list[EncodedEvent]:
    """One scan applied to its shipment document; the events it causes."""
    scan = command.doc
    event = ScanEvent(scan["event"])
    previous = ship["status"]
    command.status_changed = _move_forward(ship, scan, event)
    scan["out_of_order"] = not command.status_changed
    _note_hop(ship, scan, event)
    ship["updated_at"] = svc.clock.now()
    messages: list[Message] = [
        tracking_pb2.ScanRecorded(
            scan=convert.scan_message(scan), out_of_order=scan["out_of_order"]
        )
    ]
    if command.status_changed:
        messages.append(convert.status_changed(ship, previous, scan, scan["device_time"]))
    judged = _new_deviation(svc, ship, scan, event)
    if judged is not None:
        found, version = judged
        command.deviation = found.kind
        messages.append(_deviation_event(svc, ship, scan, found, version))
    return [svc.codec.encode(message, ship["_id"]) for message in messages]


def _move_forward(ship: Document, scan: Document, event: ScanEvent) -> bool:
    """Take the scan's status if it ranks higher than the shipment's (forward only); whether
    it did. An out-of-order scan is kept in the timeline all the same."""
    before = position_of(ship)
    incoming = scan_position(event, _where(ship, scan), scan["device_time"], scan["_id"])
    after = advance(before, incoming)
    if after is before:
        return False
    ship |= {
        "status": after.status.value,
        "substatus": after.substatus,
        "key": after.key.as_list(),
        "reason": scan.get("reason"),
        "location": scan["location"],
    }
    if scan.get("courier_id"):
        ship["courier_id"] = scan["courier_id"]
    if after.status is Status.DELIVERED:
        ship |= {"delivered_at": scan["device_time"], "pod": scan.get("pod")}
    legs = legs_of(ship.get("route") or {})
    eta = live_eta(legs, scan["location"]["code"], event, scan["device_time"])
    if eta is not None:
        ship["eta"] = eta
    return True


def _note_hop(ship: Document, scan: Document, event: ScanEvent) -> None:
    """The actual route: each place once, in the order reached, with its earliest times."""
    field_name = HOP_FIELD.get(event)
    if field_name is None:
        return
    code = scan["location"]["code"]
    hops = ship.setdefault("hops", {})
    hop = hops.setdefault(code, {"location": scan["location"], "order": len(hops)})
    if hop.get(field_name) is None or scan["device_time"] < hop[field_name]:
        hop[field_name] = scan["device_time"]


def _new_deviation(
    svc: TrackingService, ship: Document, scan: Document, event: ScanEvent
) -> tuple[Deviation, int] | None:
    """A deviation from the plan in force when the scan was made (an offline scan uploaded
    after a re-plan is judged against the plan the parcel then followed), and that plan's
    version; None if there is none, or it was reported already."""
    plan = plan_in_force(plans_of(ship), scan["device_time"])
    if plan is None:
        return None
    found = deviation(
        plan.legs,
        event,
        scan["location"]["code"],
        scan["location"]["kind"] == "hub",
        scan["device_time"],
        svc.late_tolerance,
    )
    if found is None:
        return None
    marker = f"{plan.version}:{found.kind}:{found.location}"
    reported = ship.setdefault("deviations", [])
    if marker in reported:
        return None  # one report per route version, kind and place
    reported.append(marker)
    return found, plan.version


def _deviation_event(
    svc: TrackingService, ship: Document, scan: Document, found: Deviation, version: int
) -> tracking_pb2.RouteDeviationDetected:
    message = tracking_pb2.RouteDeviationDetected(
        waybill=ship["_id"],
        kind=convert.enum(DEVIATION_KINDS[found.kind]),
        location=convert.location_ref(scan["location"]),
        expected_location=common_pb2.LocationRef(code=found.expected_location),
        route_version=version,
        scan_id=scan["_id"],
    )
    message.actual_time.CopyFrom(convert.stamp(found.actual))
    message.detected_at.CopyFrom(convert.stamp(svc.clock.now()))
    if found.planned is not None:
        message.planned_time.CopyFrom(convert.stamp(found.planned))
        message.delay.FromTimedelta(found.delay)
    return message


def _where(ship: Document, scan: Document) -> str:
    if scan["location"]["kind"] == "hub":
        return "hub"
    if scan["location"]["code"] == ship.get("origin_outlet"):
        return "origin_outlet"
    return "destination_outlet"
