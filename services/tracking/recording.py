"""Recording scans: one transaction stores the scans, moves each shipment forward, notes
the hops actually taken, detects deviations from the planned route and stores the events
(ScanRecorded, ShipmentStatusChanged, RouteDeviationDetected) in the outbox.

Used for a batch directly and, through group commit, for single scans. The shipments are
read inside the transaction, so a concurrent scan of the same shipment makes MongoDB retry
the whole group (write conflict) rather than lose an update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession

from fairwind.clock import PlatformClock
from fairwind.events import EncodedEvent, EventCodec
from fairwind.mongo.outbox import Outbox
from fairwind.v1 import common_pb2, tracking_pb2
from services.tracking import convert
from services.tracking.domain.route import Deviation, deviation, live_eta, plan_in_force
from services.tracking.domain.status import ScanEvent, Status, advance, scan_position
from services.tracking.store import TrackingStore, legs_of, plans_of, position_of

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
    outcome: str = field(default="pending")  # recorded | duplicate
    status_changed: bool = False
    deviation: str | None = None


@dataclass(frozen=True)
class Recorder:
    store: TrackingStore
    outbox: Outbox
    codec: EventCodec
    late_tolerance: timedelta
    clock: PlatformClock = field(default_factory=PlatformClock)

    async def write(self, session: AsyncClientSession, commands: list[ScanCommand]) -> None:
        ids = [c.doc["_id"] for c in commands]
        known = {
            d["_id"]
            async for d in self.store.scans.find({"_id": {"$in": ids}}, {"_id": 1}, session=session)
        }
        ships = {
            d["_id"]: d
            async for d in self.store.shipments.find(
                {"_id": {"$in": list({c.doc["waybill"] for c in commands})}}, session=session
            )
        }
        fresh: list[Document] = []
        events: list[EncodedEvent] = []
        touched: set[str] = set()
        for command in commands:
            scan = command.doc
            if scan["_id"] in known:
                command.outcome = "duplicate"
                continue
            known.add(scan["_id"])
            ship = ships[scan["waybill"]]
            events.extend(self._apply(ship, command))
            fresh.append(scan)
            touched.add(ship["_id"])
            command.outcome = "recorded"
        if fresh:
            await self.store.scans.insert_many(fresh, session=session)
            await self.store.shipments.bulk_write(
                [ReplaceOne({"_id": w}, ships[w]) for w in touched], session=session
            )
            await self.outbox.add(events, session)

    def _apply(self, ship: Document, command: ScanCommand) -> list[EncodedEvent]:
        scan = command.doc
        event = ScanEvent(scan["event"])
        before = position_of(ship)
        where = _where(ship, scan)
        incoming = scan_position(event, where, scan["device_time"], scan["_id"])
        after = advance(before, incoming)
        scan["out_of_order"] = after is before
        message = tracking_pb2.ScanRecorded(
            scan=convert.scan_message(scan), out_of_order=scan["out_of_order"]
        )
        events = [self.codec.encode(message, ship["_id"])]
        self._note_hop(ship, scan, event)
        now = self.clock.now()
        ship["updated_at"] = now
        if after is not before:
            previous = ship["status"]
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
            command.status_changed = True
            events.append(
                self.codec.encode(
                    convert.status_changed(ship, previous, scan, scan["device_time"]), ship["_id"]
                )
            )
        judged = self._deviation(ship, scan, event)
        if judged is not None:
            found, version = judged
            command.deviation = found.kind
            report = self._deviation_event(ship, scan, found, version)
            events.append(self.codec.encode(report, ship["_id"]))
        return events

    @staticmethod
    def _note_hop(ship: Document, scan: Document, event: ScanEvent) -> None:
        field_name = HOP_FIELD.get(event)
        if field_name is None:
            return
        code = scan["location"]["code"]
        hops = ship.setdefault("hops", {})
        hop = hops.setdefault(code, {"location": scan["location"], "order": len(hops)})
        if hop.get(field_name) is None or scan["device_time"] < hop[field_name]:
            hop[field_name] = scan["device_time"]

    def _deviation(
        self, ship: Document, scan: Document, event: ScanEvent
    ) -> tuple[Deviation, int] | None:
        """A deviation from the plan in force when the scan was made (an offline scan
        uploaded after a re-plan is judged against the plan the parcel then followed), and
        that plan's version."""
        plan = plan_in_force(plans_of(ship), scan["device_time"])
        if plan is None:
            return None
        found = deviation(
            plan.legs,
            event,
            scan["location"]["code"],
            scan["location"]["kind"] == "hub",
            scan["device_time"],
            self.late_tolerance,
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
        self, ship: Document, scan: Document, found: Deviation, version: int
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
        message.detected_at.CopyFrom(convert.stamp(self.clock.now()))
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
