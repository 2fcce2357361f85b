"""Recording scans: one unit of work stores the scans not stored yet, moves each shipment
forward, notes the hops actually taken, detects deviations from the plan in force, and
emits ScanRecorded, ShipmentStatusChanged and RouteDeviationDetected.

A batch of scans is one unit; single scans are grouped into units by group commit
(``TrackingService.writer``). A unit reads its shipments once (``$in``, without the parties
no scan touches), applies its scans in memory in the order given (several scans of one
waybill see each other's effect, as one at a time would), then writes the scans with one
``insert_many``, the shipments' changed fields with one ``bulk_write`` and the events,
encoded together, to the outbox. The shipments are read inside the unit's transaction, so a
concurrent scan of the same shipment makes the unit conflict and run again (``uow.run``)
rather than lose an update; the body sets everything it tells again on every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from google.protobuf.message import Message

from fairwind.problems import Rejected
from fairwind.v1 import common_pb2, tracking_pb2
from services.tracking import convert
from services.tracking.domain.route import Deviation, deviation, live_eta, plan_in_force
from services.tracking.domain.status import ScanEvent, Status, accepts, advance, scan_position
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
# What a scan that moves its shipment forward may change (written back when it did).
MOVE_FIELDS = (
    "status",
    "substatus",
    "key",
    "reason",
    "location",
    "courier_id",
    "delivered_at",
    "pod",
    "eta",
)
DEVIATION_KINDS = {
    "unplanned_hub": tracking_pb2.DEVIATION_KIND_UNPLANNED_HUB,
    "late_departure": tracking_pb2.DEVIATION_KIND_LATE_DEPARTURE,
}


@dataclass
class ScanCommand:
    """A validated scan; ``outcome`` is set when it is written."""

    doc: Document  # the scan document (``_id`` = scan id)
    outcome: str = field(default="pending")  # recorded | duplicate | parked | refused
    status_changed: bool = False
    deviation: str | None = None
    problem: Rejected | None = None  # why it was refused

    def reset(self) -> None:
        self.outcome, self.status_changed, self.deviation = "pending", False, None
        self.problem = None


async def record_scans(
    svc: TrackingService, uow: TrackingUnit, commands: Sequence[ScanCommand]
) -> None:
    """Record ``commands`` (their shipments exist) in ``uow``; a scan id stored already, or
    twice among the commands, is a duplicate."""
    for command in commands:
        command.reset()
    ships = await uow.shipments.for_scans({c.doc["waybill"] for c in commands})
    await _record_all(svc, uow, commands, ships)


async def record_batch(
    svc: TrackingService, uow: TrackingUnit, commands: Sequence[ScanCommand]
) -> None:
    """Record a batch's ``commands`` in ``uow``, reading its shipments once: a scan of a
    shipment not stored stays ``pending`` (to park), a movement scan of a cancelled one is
    ``refused`` (its ``problem`` set), the others are recorded or duplicates."""
    for command in commands:
        command.reset()
    ships = await uow.shipments.for_scans({c.doc["waybill"] for c in commands})
    accepted = [c for c in commands if c.doc["waybill"] in ships and _accepted(ships, c)]
    await _record_all(svc, uow, accepted, ships)


def check_movement(ship: Document, scan: Document) -> None:
    if not accepts(Status(ship["status"]), ScanEvent(scan["event"])):
        raise Rejected(409, "cancelled", f"{ship['_id']} was cancelled; no movement scans")


def _accepted(ships: dict[str, Document], command: ScanCommand) -> bool:
    try:
        check_movement(ships[command.doc["waybill"]], command.doc)
    except Rejected as exc:
        command.outcome, command.problem = "refused", exc
        return False
    return True


async def _record_all(
    svc: TrackingService,
    uow: TrackingUnit,
    commands: Sequence[ScanCommand],
    ships: dict[str, Document],
) -> None:
    """Apply each new scan to its shipment in memory, in order; then one insert of the
    scans, one bulk write of the shipments' changed fields, and the events encoded at
    once (they go to the outbox in the unit's commit)."""
    stored = await uow.scans.known({c.doc["_id"] for c in commands})
    now = svc.clock.now()
    fresh: list[Document] = []
    changed: dict[str, set[str]] = {}  # waybill -> the fields (or hop paths) scans changed
    messages: list[tuple[Message, str]] = []
    for command in commands:
        scan = command.doc
        if scan["_id"] in stored:
            command.outcome = "duplicate"
            continue
        stored.add(scan["_id"])
        ship = ships[scan["waybill"]]
        paths = changed.setdefault(ship["_id"], set())
        messages.extend((m, ship["_id"]) for m in _record(svc, ship, command, now, paths))
        fresh.append(scan)
        command.outcome = "recorded"
    uow.emit(*svc.codec.encode_many(messages))
    await uow.scans.insert(fresh)
    await uow.shipments.set_fields((w, _fields(ships[w], paths)) for w, paths in changed.items())


def _fields(ship: Document, paths: set[str]) -> Document:
    """``paths`` of ``ship`` as they are now (``hops.<code>``: one hop), for ``$set``."""
    fields: Document = {}
    for path in paths:
        name, _, hop = path.partition(".")
        if hop:
            fields[path] = ship[name][hop]
        elif name in ship:
            fields[name] = ship[name]
    return fields


def _record(
    svc: TrackingService, ship: Document, command: ScanCommand, now: datetime, changed: set[str]
) -> list[Message]:
    """One scan applied to its shipment document, the paths it changed added to
    ``changed``; the events it causes."""
    scan = command.doc
    event = ScanEvent(scan["event"])
    previous = ship["status"]
    command.status_changed = _move_forward(ship, scan, event)
    scan["out_of_order"] = not command.status_changed
    if command.status_changed:
        changed.update(MOVE_FIELDS)
    if (hop := _note_hop(ship, scan, event)) is not None:
        changed.add(hop)
    ship["updated_at"] = now
    changed.add("updated_at")
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
        changed.add("deviations")
        messages.append(_deviation_event(svc, ship, scan, found, version, now))
    return messages


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
    if route := ship.get("route"):
        eta = live_eta(legs_of(route), scan["location"]["code"], event, scan["device_time"])
        if eta is not None:
            ship["eta"] = eta
    return True


def _note_hop(ship: Document, scan: Document, event: ScanEvent) -> str | None:
    """The actual route: each place once, in the order reached, with its earliest times.
    The path of the hop (``hops.<code>``) if it changed."""
    field_name = HOP_FIELD.get(event)
    if field_name is None:
        return None
    code = scan["location"]["code"]
    hops = ship.setdefault("hops", {})
    hop = hops.setdefault(code, {"location": scan["location"], "order": len(hops)})
    if hop.get(field_name) is not None and hop[field_name] <= scan["device_time"]:
        return None
    hop[field_name] = scan["device_time"]
    return f"hops.{code}"


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
    svc: TrackingService,
    ship: Document,
    scan: Document,
    found: Deviation,
    version: int,
    now: datetime,
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
    message.detected_at.CopyFrom(convert.stamp(now))
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
