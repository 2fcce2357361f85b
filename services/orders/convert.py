"""Between API bodies, stored documents and protobuf contracts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from fairwind.v1 import common_pb2, orders_pb2, routes_pb2
from services.orders.schemas import AddressIn, ContactIn, MoneyIn, ParcelIn

Document = dict[str, Any]

SERVICE_LEVELS = {
    "same_day": common_pb2.SERVICE_LEVEL_SAME_DAY,
    "next_day": common_pb2.SERVICE_LEVEL_NEXT_DAY,
    "standard": common_pb2.SERVICE_LEVEL_STANDARD,
    "economy": common_pb2.SERVICE_LEVEL_ECONOMY,
}
TIERS = {f"Q{n}": getattr(common_pb2, f"CUSTOMER_TIER_Q{n}") for n in range(1, 6)}
TIER_NAMES = {value: name for name, value in TIERS.items()}
SIDES = {"pickup": common_pb2.ADDRESS_SIDE_PICKUP, "delivery": common_pb2.ADDRESS_SIDE_DELIVERY}
SIDE_NAMES = {value: name for name, value in SIDES.items()}
INITIATORS = {
    "partner": orders_pb2.CANCEL_INITIATOR_PARTNER,
    "fairwind": orders_pb2.CANCEL_INITIATOR_CARRIER,
}
UNROUTABLE_REASONS = {
    routes_pb2.UNROUTABLE_REASON_UNSERVED_AREA: "unserved_area",
    routes_pb2.UNROUTABLE_REASON_NO_SERVICE: "no_service",
}
_NANOS = Decimal(1_000_000_000)


def timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(UTC))
    return stamp


def from_timestamp(stamp: Timestamp) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC)


def money(amount: Decimal, currency: str) -> common_pb2.Money:
    units = int(amount)
    return common_pb2.Money(
        currency_code=currency, units=units, nanos=int((amount - units) * _NANOS)
    )


def money_in(value: MoneyIn) -> common_pb2.Money:
    return money(value.amount, value.currency)


def decimal_of(value: common_pb2.Money) -> Decimal:
    return Decimal(value.units) + Decimal(value.nanos) / _NANOS


def money_doc(value: common_pb2.Money) -> Document:
    """Stored and returned as a decimal string: no binary floating point for money."""
    return {"amount": f"{decimal_of(value):.2f}", "currency": value.currency_code}


def promise_doc(promise: common_pb2.Promise) -> Document:
    """A routing promise as stored in the order and shown to partners."""
    return {
        "pickup_by": from_timestamp(promise.pickup_by),
        "deliver_by": from_timestamp(promise.deliver_by),
        "next_day": promise.next_day,
        "remote_area": promise.remote_area,
        "extra_working_days": promise.extra_working_days,
    }


def route_fields(route: routes_pb2.Route) -> Document:
    """What an order shows of its current route: promise, outlets (the label's sort code is
    the destination outlet) and the hubs on the way."""
    hubs: list[str] = []
    for leg in route.legs:
        for place in (leg.from_location, leg.to_location):
            if place.kind == common_pb2.LOCATION_KIND_HUB and place.code not in hubs:
                hubs.append(place.code)
    fields: Document = {
        "origin_outlet": route.origin_outlet.code or None,
        "origin_city": route.origin_outlet.city_code or None,
        "destination_outlet": route.destination_outlet.code or None,
        "destination_city": route.destination_outlet.city_code or None,
        "planned_hubs": hubs,
    }
    if route.HasField("promise"):
        fields |= {"promise": promise_doc(route.promise), "promise_pending": False}
    return fields


def address(value: AddressIn) -> common_pb2.Address:
    return common_pb2.Address(
        country_code=value.country,
        province=value.province,
        city=value.city,
        district=value.district,
        street=value.street,
        postal_code=value.postal_code or "",
    )


def contact(value: ContactIn) -> common_pb2.Contact:
    return common_pb2.Contact(
        name=value.name,
        company=value.company or "",
        phone=value.phone,
        email=value.email or "",
        address=address(value.address),
    )


def parcel(value: ParcelIn) -> common_pb2.Parcel:
    message = common_pb2.Parcel(
        weight_kg=value.weight_kg,
        dimensions=common_pb2.Dimensions(
            length_cm=value.dimensions.length_cm,
            width_cm=value.dimensions.width_cm,
            height_cm=value.dimensions.height_cm,
        ),
        description=value.description,
        commodity_code=value.commodity_code or "",
        quantity=value.quantity,
    )
    if value.declared_value is not None:
        message.declared_value.CopyFrom(money_in(value.declared_value))
    return message


def order_message(doc: Document, request: Any) -> orders_pb2.Order:
    """The Order contract from a stored order document and the validated request."""
    order = orders_pb2.Order(
        waybill=doc["_id"],
        partner_id=doc["partner_id"],
        partner_order_id=doc.get("partner_order_id") or "",
        shipper=contact(request.shipper),
        consignee=contact(request.consignee),
        parcels=[parcel(p) for p in request.parcels],
        service_level=SERVICE_LEVELS[doc["service_level"]],
        customer_id=doc["customer_id"],
        customer_tier=TIERS[doc["customer_tier"]],
        promise_pending=doc["promise_pending"],
        chargeable_weight_kg=doc["chargeable_weight_kg"],
        origin_outlet_code=doc.get("origin_outlet") or "",
        origin_city_code=doc.get("origin_city") or "",
        destination_outlet_code=doc.get("destination_outlet") or "",
        destination_city_code=doc.get("destination_city") or "",
        planned_hub_codes=doc["planned_hubs"],
        created_at=timestamp(doc["created_at"]),
    )
    for warning in doc["warnings"]:
        order.warnings.add(
            code=warning["code"],
            message=warning["message"],
            parcel_index=warning["parcel_index"],
            required_documents=warning["required_documents"],
        )
    if request.pickup_window is not None:
        order.pickup_window.start.CopyFrom(timestamp(request.pickup_window.start))
        order.pickup_window.end.CopyFrom(timestamp(request.pickup_window.end))
    if request.cod_amount is not None:
        order.cod_amount.CopyFrom(money_in(request.cod_amount))
    if doc.get("price"):
        order.price.CopyFrom(money(Decimal(doc["price"]["amount"]), doc["price"]["currency"]))
    if doc.get("promise"):
        promise = doc["promise"]
        order.promise.pickup_by.CopyFrom(timestamp(promise["pickup_by"]))
        order.promise.deliver_by.CopyFrom(timestamp(promise["deliver_by"]))
        order.promise.next_day = promise["next_day"]
        order.promise.remote_area = promise["remote_area"]
        order.promise.extra_working_days = promise["extra_working_days"]
    if request.notifications is not None:
        prefs = request.notifications
        order.notification_preferences.language = prefs.language
        order.notification_preferences.opt_out_surveys = prefs.opt_out_surveys
        order.notification_preferences.channels.extend(
            getattr(common_pb2, f"CHANNEL_{c.upper()}") for c in prefs.channels
        )
    return order
