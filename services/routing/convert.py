"""Between routing's domain objects, stored documents and protobuf contracts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf.timestamp_pb2 import Timestamp

from fairwind.v1 import common_pb2, routes_pb2
from services.routing.domain.clock import from_minutes, to_minutes
from services.routing.domain.network import Network
from services.routing.domain.planner import Plan
from services.routing.domain.pricing import Piece, Price
from services.routing.domain.promise import Promise

Document = dict[str, Any]
LEVELS = {
    common_pb2.SERVICE_LEVEL_SAME_DAY: "same_day",
    common_pb2.SERVICE_LEVEL_NEXT_DAY: "next_day",
    common_pb2.SERVICE_LEVEL_STANDARD: "standard",
    common_pb2.SERVICE_LEVEL_ECONOMY: "economy",
}
LEVEL_CODES = {name: code for code, name in LEVELS.items()}
MODES = {"road": routes_pb2.TRANSPORT_MODE_ROAD, "air": routes_pb2.TRANSPORT_MODE_AIR}
SIDES = {"pickup": common_pb2.ADDRESS_SIDE_PICKUP, "delivery": common_pb2.ADDRESS_SIDE_DELIVERY}
_NANOS = Decimal(1_000_000_000)


def level_of(code: int) -> str:
    """Unspecified means standard."""
    return LEVELS.get(code, "standard")  # type: ignore[call-overload, no-any-return]


def stamp(value: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(value)
    return result


def minutes_of(value: Timestamp, zone: ZoneInfo) -> int:
    return to_minutes(value.ToDatetime().replace(tzinfo=ZoneInfo("UTC")), zone)


def money(amount: Decimal, currency: str) -> common_pb2.Money:
    units = int(amount)
    return common_pb2.Money(
        currency_code=currency, units=units, nanos=int((amount - units) * _NANOS)
    )


def decimal_of(value: common_pb2.Money) -> Decimal:
    return Decimal(value.units) + Decimal(value.nanos) / _NANOS


def pieces_of(parcels: Any) -> list[Piece]:
    return [
        Piece(
            p.weight_kg,
            p.dimensions.length_cm,
            p.dimensions.width_cm,
            p.dimensions.height_cm,
            max(p.quantity, 1),
        )
        for p in parcels
    ]


def location(network: Network, code: str) -> common_pb2.LocationRef:
    hub = network.hubs.get(code)
    if hub is not None:
        return common_pb2.LocationRef(
            code=code, kind=common_pb2.LOCATION_KIND_HUB, city_code=hub.city_code, name=hub.name
        )
    outlet = network.outlets[code]
    return common_pb2.LocationRef(
        code=code,
        kind=common_pb2.LOCATION_KIND_OUTLET,
        city_code=outlet.city_code,
        name=f"{outlet.city}{code}",
    )


def promise_message(terms: Promise, zone: ZoneInfo) -> common_pb2.Promise:
    return common_pb2.Promise(
        pickup_by=stamp(from_minutes(terms.pickup_by, zone)),
        deliver_by=stamp(from_minutes(terms.deliver_by, zone)),
        next_day=terms.next_day,
        remote_area=terms.remote_area,
        extra_working_days=terms.extra_working_days,
    )


def quote_message(
    network: Network, plan: Plan, terms: Promise, price: Price, level: str
) -> routes_pb2.Quote:
    zone = network.time_zone
    return routes_pb2.Quote(
        price=money(price.total, price.currency),
        base_price=money(price.base, price.currency),
        surcharges=[
            routes_pb2.Surcharge(code=code, description=text, amount=money(amount, price.currency))
            for code, text, amount in price.surcharges
        ],
        chargeable_weight_kg=price.chargeable_weight_kg,
        promise=promise_message(terms, zone),
        zone=price.zone,
        service_level=LEVEL_CODES[level],
        origin_outlet=location(network, plan.origin),
        destination_outlet=location(network, plan.destination),
        hub_codes=plan.hubs,
    )


def route_message(
    network: Network,
    waybill: str,
    version: int,
    plan: Plan,
    terms: Promise,
    level: str,
    origin: str,
    planned_at: datetime,
) -> routes_pb2.Route:
    zone = network.time_zone
    legs = [
        routes_pb2.RouteLeg(
            sequence=index + 1,
            from_location=location(network, leg.origin),
            to_location=location(network, leg.destination),
            mode=MODES[leg.mode],
            planned_departure=stamp(from_minutes(leg.depart, zone)),
            planned_arrival=stamp(from_minutes(leg.arrive, zone)),
            linehaul_id=f"{leg.origin}-{leg.destination}-{leg.depart % 1440:04d}",
        )
        for index, leg in enumerate(plan.legs)
    ]
    return routes_pb2.Route(
        waybill=waybill,
        version=version,
        origin_outlet=location(network, origin),
        destination_outlet=location(network, plan.destination),
        legs=legs,
        service_level=LEVEL_CODES[level],
        promise=promise_message(terms, zone),
        arrival_at_destination_outlet=stamp(from_minutes(plan.arrival, zone)),
        planned_at=stamp(planned_at),
    )
