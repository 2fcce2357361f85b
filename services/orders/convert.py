"""Between API bodies, stored documents and protobuf contracts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from fairwind.v1 import common_pb2, orders_pb2, routes_pb2
from services.orders.schemas import AddressIn, ContactIn, MoneyIn, OrderIn, ParcelIn

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
CHANNELS = {c: getattr(common_pb2, f"CHANNEL_{c.upper()}") for c in ("email", "sms", "webhook")}
_NANOS = Decimal(1_000_000_000)
_CENT_NANOS = 10_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# What a datetime holds (years 1 to 9999), in seconds from the epoch.
_MIN_SECONDS = -62_135_596_800
_MAX_SECONDS = 253_402_300_799


def timestamp(value: datetime) -> Timestamp:
    """An aware datetime (a naive one is local time) as a Timestamp, to the microsecond."""
    if value.tzinfo is None:
        value = value.astimezone(UTC)
    since = value - _EPOCH
    return Timestamp(seconds=since.days * 86_400 + since.seconds, nanos=since.microseconds * 1000)


def from_timestamp(stamp: Timestamp) -> datetime:
    """An aware UTC datetime, to the microsecond (towards zero), as ``ToDatetime`` gives."""
    seconds, nanos = stamp.seconds, stamp.nanos
    if not (0 <= nanos < 1_000_000_000 and _MIN_SECONDS <= seconds <= _MAX_SECONDS):
        return stamp.ToDatetime(tzinfo=UTC)  # out of range: its error
    return _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)


def money(amount: Decimal, currency: str) -> common_pb2.Money:
    return common_pb2.Money(**_money_fields(amount, currency))


def _money_fields(amount: Decimal, currency: str) -> Document:
    units = int(amount)
    return {"currency_code": currency, "units": units, "nanos": int((amount - units) * _NANOS)}


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


def created_event(request: OrderIn) -> orders_pb2.OrderCreated:
    """An OrderCreated whose order holds what comes from the partner's request alone: built
    once per order, before routing answers (a batch's quote requests reuse its addresses and
    parcels); ``complete_message`` adds the terms, the caller the source. The same fields as
    ``contact`` and ``parcel``, handed over as plain values: the event is built in place,
    not part by part and copied."""
    created = orders_pb2.OrderCreated(
        order={
            "partner_order_id": request.partner_order_id or "",
            "shipper": _contact_fields(request.shipper),
            "consignee": _contact_fields(request.consignee),
            "parcels": [_parcel_fields(p) for p in request.parcels],
            "service_level": SERVICE_LEVELS[request.service_level],
        }
    )
    order = created.order
    if request.pickup_window is not None:
        order.pickup_window.start.CopyFrom(timestamp(request.pickup_window.start))
        order.pickup_window.end.CopyFrom(timestamp(request.pickup_window.end))
    if request.cod_amount is not None:
        order.cod_amount.CopyFrom(money_in(request.cod_amount))
    if request.notifications is not None:
        prefs = request.notifications
        order.notification_preferences.language = prefs.language
        order.notification_preferences.opt_out_surveys = prefs.opt_out_surveys
        order.notification_preferences.channels.extend(CHANNELS[c] for c in prefs.channels)
    return created


def _contact_fields(value: ContactIn) -> Document:
    address = value.address
    return {
        "name": value.name,
        "company": value.company or "",
        "phone": value.phone,
        "email": value.email or "",
        "address": {
            "country_code": address.country,
            "province": address.province,
            "city": address.city,
            "district": address.district,
            "street": address.street,
            "postal_code": address.postal_code or "",
        },
    }


def _parcel_fields(value: ParcelIn) -> Document:
    size = value.dimensions
    fields: Document = {
        "weight_kg": value.weight_kg,
        "dimensions": {
            "length_cm": size.length_cm,
            "width_cm": size.width_cm,
            "height_cm": size.height_cm,
        },
        "description": value.description,
        "commodity_code": value.commodity_code or "",
        "quantity": value.quantity,
    }
    if value.declared_value is not None:
        declared = value.declared_value
        fields["declared_value"] = _money_fields(declared.amount, declared.currency)
    return fields


def complete_message(
    order: orders_pb2.Order,
    doc: Document,
    quote: routes_pb2.Quote | None,
    created_at: Timestamp,
) -> orders_pb2.Order:
    """The order of ``created_event`` with the terms as ``doc`` stores them (built from
    ``quote`` by ``intake.order_document``): ``order`` is filled in and returned.
    ``created_at`` is ``doc["created_at"]`` as a Timestamp, shared by a batch."""
    order.waybill = doc["_id"]
    order.partner_id = doc["partner_id"]
    order.customer_id = doc["customer_id"]
    order.customer_tier = TIERS[doc["customer_tier"]]
    order.promise_pending = doc["promise_pending"]
    order.chargeable_weight_kg = doc["chargeable_weight_kg"]
    order.origin_outlet_code = doc["origin_outlet"] or ""
    order.origin_city_code = doc["origin_city"] or ""
    order.destination_outlet_code = doc["destination_outlet"] or ""
    order.destination_city_code = doc["destination_city"] or ""
    order.planned_hub_codes.extend(doc["planned_hubs"])
    order.created_at.CopyFrom(created_at)
    for warning in doc["warnings"]:
        order.warnings.add(
            code=warning["code"],
            message=warning["message"],
            parcel_index=warning["parcel_index"],
            required_documents=warning["required_documents"],
        )
    if doc["price"]:
        order.price.CopyFrom(_stored_money(quote, doc["price"]))
    if doc["promise"]:
        _set_promise(order.promise, quote, doc["promise"])
    return order


def _stored_money(quote: routes_pb2.Quote | None, stored: Document) -> common_pb2.Money:
    """The price as stored (two decimals): the quote's own message when that is exact."""
    if quote is not None and _whole_cents(quote.price):
        return quote.price
    return money(Decimal(stored["amount"]), stored["currency"])


def _whole_cents(value: common_pb2.Money) -> bool:
    """A well-formed amount in whole cents: what two decimals give back unchanged."""
    units, nanos = value.units, value.nanos
    return (
        abs(nanos) < 1_000_000_000
        and nanos % _CENT_NANOS == 0
        and (units >= 0 <= nanos or units <= 0 >= nanos)
    )


def _set_promise(
    target: common_pb2.Promise, quote: routes_pb2.Quote | None, stored: Document
) -> None:
    """The promise as stored (datetimes: whole microseconds): the quote's own timestamps
    when they are exact."""
    promise = quote.promise if quote is not None and quote.HasField("promise") else None
    if promise is not None and _microsecond_exact(promise.pickup_by, promise.deliver_by):
        target.pickup_by.CopyFrom(promise.pickup_by)
        target.deliver_by.CopyFrom(promise.deliver_by)
    else:
        target.pickup_by.CopyFrom(timestamp(stored["pickup_by"]))
        target.deliver_by.CopyFrom(timestamp(stored["deliver_by"]))
    target.next_day = stored["next_day"]
    target.remote_area = stored["remote_area"]
    target.extra_working_days = stored["extra_working_days"]


def _microsecond_exact(*stamps: Timestamp) -> bool:
    """Well-formed timestamps in whole microseconds: what a datetime gives back unchanged."""
    return all(0 <= s.nanos < 1_000_000_000 and s.nanos % 1000 == 0 for s in stamps)


def quote_request(order: orders_pb2.Order, customer_id: str) -> routes_pb2.QuoteRequest:
    """Routing's quote request for the order of ``created_event``: its addresses, parcels,
    service level, pickup window start and COD."""
    request = routes_pb2.QuoteRequest(
        origin=order.shipper.address,
        destination=order.consignee.address,
        parcels=order.parcels,
        service_level=order.service_level,
        customer_id=customer_id,
    )
    if order.HasField("pickup_window"):
        request.ship_at.CopyFrom(order.pickup_window.start)
    if order.HasField("cod_amount"):
        request.cod_amount.CopyFrom(order.cod_amount)
    return request
