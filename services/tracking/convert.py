"""Between tracking documents and protobuf contracts."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, tracking_pb2
from services.tracking.domain.status import Status, ordered
from services.tracking.store import Place

Document = dict[str, Any]
KINDS: dict[str, int] = {
    "outlet": common_pb2.LOCATION_KIND_OUTLET,
    "hub": common_pb2.LOCATION_KIND_HUB,
}
SUBSTATUS = {
    "arrived": common_pb2.TRANSIT_SUBSTATUS_ARRIVED,
    "sorted": common_pb2.TRANSIT_SUBSTATUS_SORTED,
    "departed": common_pb2.TRANSIT_SUBSTATUS_DEPARTED,
}
MODES: dict[str, int] = {
    "road": routes_pb2.TRANSPORT_MODE_ROAD,
    "air": routes_pb2.TRANSPORT_MODE_AIR,
}
LEVELS = {
    common_pb2.SERVICE_LEVEL_SAME_DAY: "same_day",
    common_pb2.SERVICE_LEVEL_NEXT_DAY: "next_day",
    common_pb2.SERVICE_LEVEL_STANDARD: "standard",
    common_pb2.SERVICE_LEVEL_ECONOMY: "economy",
}
LEVEL_CODES = {name: code for code, name in LEVELS.items()}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def enum(value: int) -> Any:
    """Generated stubs type enum fields by their wrapper; the values are plain ints."""
    return value


@functools.cache
def status_code(status: str) -> Any:
    return enum(common_pb2.ShipmentStatus.Value(f"SHIPMENT_STATUS_{status.upper()}"))


def status_name(code: int) -> Status | None:
    name = common_pb2.ShipmentStatus.Name(enum(code)).removeprefix("SHIPMENT_STATUS_").lower()
    return Status(name) if name in Status.__members__.values() else None


@functools.cache
def reason_code(reason: str | None) -> Any:
    if not reason:
        return enum(common_pb2.EXCEPTION_REASON_UNSPECIFIED)
    return enum(common_pb2.ExceptionReason.Value(f"EXCEPTION_REASON_{reason.upper()}"))


def reason_names() -> list[str]:
    return [
        n.removeprefix("EXCEPTION_REASON_").lower()
        for n in common_pb2.ExceptionReason.keys()  # noqa: SIM118 - an enum wrapper, not a dict
        if not n.endswith("UNSPECIFIED")
    ]


def stamp(value: datetime) -> Timestamp:
    """What ``Timestamp.FromDatetime`` makes of it (naive is UTC), at a third of its cost:
    every scan's event carries three."""
    since = (value if value.tzinfo else value.replace(tzinfo=UTC)) - EPOCH
    return Timestamp(seconds=since.days * 86_400 + since.seconds, nanos=since.microseconds * 1000)


def when(value: Timestamp) -> datetime:
    return value.ToDatetime(tzinfo=UTC)


def location_ref(place: Document | None) -> common_pb2.LocationRef:
    if not place:
        return common_pb2.LocationRef()
    return common_pb2.LocationRef(
        code=place["code"],
        kind=enum(KINDS.get(place.get("kind", ""), 0)),
        city_code=place.get("city_code", ""),
    )


@functools.cache
def scan_event_code(event: str) -> Any:
    return enum(tracking_pb2.ScanEvent.Value(f"SCAN_EVENT_{event.upper()}"))


def scan_message(doc: Document) -> tracking_pb2.Scan:
    return tracking_pb2.Scan(
        scan_id=doc["_id"],
        waybill=doc["waybill"],
        event=scan_event_code(doc["event"]),
        location=location_ref(doc["location"]),
        courier_id=doc.get("courier_id") or "",
        device_id=doc.get("device_id") or "",
        reason=reason_code(doc.get("reason")),
        next_location_code=doc.get("next_location") or "",
        note=doc.get("note") or "",
        device_time=stamp(doc["device_time"]),
        recorded_at=stamp(doc["recorded_at"]),
        proof_of_delivery=pod_message(doc["pod"]) if doc.get("pod") else None,
    )


def pod_message(pod: Document) -> tracking_pb2.ProofOfDelivery:
    return tracking_pb2.ProofOfDelivery(
        recipient_name=pod.get("recipient_name", ""),
        signature_ref=pod.get("signature_ref") or "",
        photo_ref=pod.get("photo_ref") or "",
        recipient_relation=pod.get("relation") or "",
    )


def promise_message(promise: Document | None) -> common_pb2.Promise | None:
    if not promise:
        return None
    return common_pb2.Promise(
        pickup_by=stamp(promise["pickup_by"]) if promise.get("pickup_by") else None,
        deliver_by=stamp(promise["deliver_by"]),
        next_day=promise.get("next_day", False),
        remote_area=promise.get("remote_area", False),
        extra_working_days=promise.get("extra_working_days", 0),
    )


def promise_doc(promise: common_pb2.Promise) -> Document | None:
    if not promise.HasField("deliver_by"):
        return None
    return {
        "pickup_by": when(promise.pickup_by) if promise.HasField("pickup_by") else None,
        "deliver_by": when(promise.deliver_by),
        "next_day": promise.next_day,
        "remote_area": promise.remote_area,
        "extra_working_days": promise.extra_working_days,
    }


def shipment_doc(order: orders_pb2.Order, created: datetime) -> Document:
    """A new shipment, as its order describes it; its status machine at the start."""
    start = ordered(created)
    return {
        "_id": order.waybill,
        "status": start.status.value,
        "substatus": "",
        "key": start.key.as_list(),
        "partner_id": order.partner_id,
        "customer_id": order.customer_id,
        "service_level": LEVELS.get(order.service_level, "standard"),
        "customer_tier": int(order.customer_tier),
        "origin_outlet": order.origin_outlet_code or None,
        "destination_outlet": order.destination_outlet_code or None,
        "shipper": _party(order.shipper),
        "consignee": _party(order.consignee),
        "promise": promise_doc(order.promise),
        "created_at": created,
        "updated_at": created,
        "location": None,
        "hops": {},
        "deviations": [],
    }


def _party(contact: common_pb2.Contact) -> Document:
    address = contact.address
    return {
        "name": contact.name,
        "phone": contact.phone,
        "province": address.province,
        "city": address.city,
        "district": address.district,
        "street": address.street,
    }


def route_places(route: routes_pb2.Route) -> list[Place]:
    """Every place a route names, in leg order."""
    return [
        Place(ref.code, _kind(ref), ref.city_code, ref.name)
        for leg in route.legs
        for ref in (leg.from_location, leg.to_location)
    ]


def _kind(ref: common_pb2.LocationRef) -> str:
    return "hub" if ref.kind == common_pb2.LOCATION_KIND_HUB else "outlet"


def route_doc(route: routes_pb2.Route, received_at: datetime) -> Document:
    """``since``: when the plan came into force (its planned_at, else when it was sent)."""

    def place(ref: common_pb2.LocationRef) -> Document:
        return {"code": ref.code, "kind": _kind(ref), "city_code": ref.city_code}

    return {
        "version": route.version,
        "since": when(route.planned_at) if route.HasField("planned_at") else received_at,
        "legs": [
            {
                "from": place(leg.from_location),
                "to": place(leg.to_location),
                "mode": "air" if leg.mode == routes_pb2.TRANSPORT_MODE_AIR else "road",
                "linehaul_id": leg.linehaul_id,
                "depart": when(leg.planned_departure),
                "arrive": when(leg.planned_arrival),
            }
            for leg in route.legs
        ],
        "arrival": when(route.arrival_at_destination_outlet),
    }


def route_leg(index: int, leg: Document) -> routes_pb2.RouteLeg:
    return routes_pb2.RouteLeg(
        sequence=index + 1,
        from_location=location_ref(leg["from"]),
        to_location=location_ref(leg["to"]),
        mode=enum(MODES.get(leg.get("mode", ""), routes_pb2.TRANSPORT_MODE_UNSPECIFIED)),
        planned_departure=stamp(leg["depart"]),
        planned_arrival=stamp(leg["arrive"]),
        linehaul_id=leg.get("linehaul_id") or "",
    )


def status_changed(
    ship: Document, previous: str, scan: Document | None, at: datetime
) -> tracking_pb2.ShipmentStatusChanged:
    return tracking_pb2.ShipmentStatusChanged(
        waybill=ship["_id"],
        from_status=status_code(previous),
        to_status=status_code(ship["status"]),
        substatus=SUBSTATUS.get(
            ship.get("substatus") or "", common_pb2.TRANSIT_SUBSTATUS_UNSPECIFIED
        ),
        location=location_ref(ship.get("location")),
        reason=reason_code(ship.get("reason")),
        scan_id=scan["_id"] if scan else "",
        courier_id=ship.get("courier_id") or "",
        partner_id=ship.get("partner_id") or "",
        customer_id=ship.get("customer_id") or "",
        service_level=level_code(ship.get("service_level")),
        customer_tier=enum(ship.get("customer_tier") or 0),
        occurred_at=stamp(at),
        promise=promise_message(ship.get("promise")),
        eta=stamp(ship["eta"]) if ship.get("eta") else None,
        proof_of_delivery=pod_message(scan["pod"]) if scan and scan.get("pod") else None,
    )


def level_code(level: str | None) -> common_pb2.ServiceLevel:
    return LEVEL_CODES.get(level or "", common_pb2.SERVICE_LEVEL_UNSPECIFIED)
