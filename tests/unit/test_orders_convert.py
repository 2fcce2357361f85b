"""The OrderCreated contract, built from the request and the terms (``created_event`` and
``complete_message``, as both the single and the batch path build it), says exactly what the
stored order document says; a batch's quote request is the single path's."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from fairwind.v1 import common_pb2, orders_pb2, routes_pb2
from services.orders import convert
from services.orders.clients import QuoteArgs, _quote_request
from services.orders.intake import Terms, order_document
from services.orders.keys import Partner
from services.orders.schemas import OrderIn
from tests.integration.orders.conftest import ORDER

Document = dict[str, Any]
NOW = datetime(2026, 12, 3, 9, 30, 15, 123456, tzinfo=UTC)
PARTNER = Partner("acme", "cust-1", frozenset())
WARNINGS = [
    {
        "code": "DOCUMENTS_REQUIRED",
        "message": "a commercial invoice",
        "parcel_index": 0,
        "required_documents": ["commercial_invoice"],
    }
]


def from_document(doc: Document, request: OrderIn) -> orders_pb2.Order:
    """The reference: the Order read off the stored document (and the request for what the
    document keeps only as JSON), field by field."""
    order = orders_pb2.Order(
        waybill=doc["_id"],
        partner_id=doc["partner_id"],
        partner_order_id=doc.get("partner_order_id") or "",
        shipper=convert.contact(request.shipper),
        consignee=convert.contact(request.consignee),
        parcels=[convert.parcel(p) for p in request.parcels],
        service_level=convert.SERVICE_LEVELS[doc["service_level"]],
        customer_id=doc["customer_id"],
        customer_tier=convert.TIERS[doc["customer_tier"]],
        promise_pending=doc["promise_pending"],
        chargeable_weight_kg=doc["chargeable_weight_kg"],
        origin_outlet_code=doc.get("origin_outlet") or "",
        origin_city_code=doc.get("origin_city") or "",
        destination_outlet_code=doc.get("destination_outlet") or "",
        destination_city_code=doc.get("destination_city") or "",
        planned_hub_codes=doc["planned_hubs"],
        created_at=_stamp(doc["created_at"]),
    )
    for warning in doc["warnings"]:
        order.warnings.add(**warning)
    if request.pickup_window is not None:
        order.pickup_window.start.CopyFrom(_stamp(request.pickup_window.start))
        order.pickup_window.end.CopyFrom(_stamp(request.pickup_window.end))
    if request.cod_amount is not None:
        order.cod_amount.CopyFrom(convert.money_in(request.cod_amount))
    if doc.get("price"):
        price = doc["price"]
        order.price.CopyFrom(convert.money(Decimal(price["amount"]), price["currency"]))
    if doc.get("promise"):
        promise = doc["promise"]
        order.promise.pickup_by.CopyFrom(_stamp(promise["pickup_by"]))
        order.promise.deliver_by.CopyFrom(_stamp(promise["deliver_by"]))
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


def _stamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(UTC))
    return stamp


def quote(units: int = 14, nanos: int = 500_000_000, stamp_nanos: int = 0) -> routes_pb2.Quote:
    result = routes_pb2.Quote(
        price=common_pb2.Money(currency_code="CNY", units=units, nanos=nanos),
        chargeable_weight_kg=2.5,
        origin_outlet=common_pb2.LocationRef(code="SZ-NS-01", city_code="SZX"),
        destination_outlet=common_pb2.LocationRef(code="BJ-CY-02", city_code="PEK"),
        hub_codes=["HUB-SZX", "HUB-PEK"],
    )
    result.promise.pickup_by.CopyFrom(Timestamp(seconds=1_796_000_000, nanos=stamp_nanos))
    result.promise.deliver_by.CopyFrom(Timestamp(seconds=1_796_090_000, nanos=stamp_nanos))
    result.promise.remote_area = True
    result.promise.extra_working_days = 2
    return result


def full_request() -> Document:
    body = copy.deepcopy(ORDER)
    body["pickup_window"] = {
        "start": (NOW + timedelta(hours=1)).isoformat(),
        "end": (NOW + timedelta(hours=3, microseconds=7)).isoformat(),
    }
    body["cod_amount"] = {"amount": "88.80", "currency": "CNY"}
    body["notifications"] = {"channels": ["sms", "email"], "language": "en"}
    body["parcels"].append(
        {
            "weight_kg": 0.4,
            "dimensions": {"length_cm": 60, "width_cm": 40, "height_cm": 40},
            "description": "a lamp",
            "quantity": 3,
        }
    )
    return body


def no_promise() -> routes_pb2.Quote:
    result = quote()
    result.ClearField("promise")
    return result


def zero_weight() -> routes_pb2.Quote:
    result = quote()
    result.chargeable_weight_kg = 0
    return result


REQUESTS = {
    "plain": ORDER,
    "everything": full_request(),
    "no partner order id": {k: v for k, v in ORDER.items() if k != "partner_order_id"},
}
QUOTES: dict[str, routes_pb2.Quote | None] = {
    "routing down": None,
    "whole cents": quote(),
    "a negative amount": quote(-3, -250_000_000),
    "a fraction of a cent": quote(12, 345_678_901),
    "timestamps past the microsecond": quote(stamp_nanos=123_456_789),
    "no promise": no_promise(),
    "no chargeable weight": zero_weight(),
}


@pytest.mark.parametrize("request_name", REQUESTS)
@pytest.mark.parametrize("quote_name", QUOTES)
@pytest.mark.parametrize("warnings", [[], WARNINGS])
def test_the_event_says_what_the_stored_document_says(
    request_name: str, quote_name: str, warnings: list[Document]
) -> None:
    request = OrderIn.model_validate(REQUESTS[request_name])
    terms = Terms(QUOTES[quote_name], warnings, "Q2")
    doc = order_document(request, PARTNER, "FW000000000420", terms, NOW)
    built = convert.complete_message(
        convert.created_event(request).order, doc, terms.quote, convert.timestamp(NOW)
    )
    expected = from_document(doc, request)
    assert built == expected
    assert built.SerializeToString(deterministic=True) == expected.SerializeToString(
        deterministic=True
    )


@pytest.mark.parametrize("request_name", REQUESTS)
def test_a_batch_asks_routing_what_a_single_order_asks(request_name: str) -> None:
    request = OrderIn.model_validate(REQUESTS[request_name])
    single = _quote_request(
        QuoteArgs(
            request.shipper.address,
            request.consignee.address,
            list(request.parcels),
            request.service_level,
            request.pickup_window.start if request.pickup_window else None,
            request.cod_amount,
            "cust-1",
        )
    )
    assert convert.quote_request(convert.created_event(request).order, "cust-1") == single


@pytest.mark.parametrize(
    "value",
    [
        NOW,
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2026, 12, 3, 17, 30, 15, 1, tzinfo=UTC) - timedelta(hours=8),
        datetime.fromisoformat("2026-12-03T17:30:15.000002+08:00"),
        datetime(2026, 12, 3, 9, 30),  # naive: local time, as before
    ],
)
def test_timestamps_are_the_protobuf_library_s(value: datetime) -> None:
    assert convert.timestamp(value) == _stamp(value)
    stamp = _stamp(value)
    assert convert.from_timestamp(stamp) == stamp.ToDatetime(tzinfo=UTC)
    assert convert.from_timestamp(stamp).tzinfo is UTC


@pytest.mark.parametrize(
    "stamp",
    [
        Timestamp(seconds=1_796_000_000, nanos=999_999_999),
        Timestamp(seconds=-1, nanos=1),
        Timestamp(seconds=-62_135_596_800),
        Timestamp(seconds=253_402_300_799, nanos=999_999_000),
    ],
)
def test_timestamps_read_back_as_the_protobuf_library_reads_them(stamp: Timestamp) -> None:
    assert convert.from_timestamp(stamp) == stamp.ToDatetime(tzinfo=UTC)


def test_an_invalid_timestamp_is_refused_as_before() -> None:
    with pytest.raises(ValueError, match="Timestamp"):
        convert.from_timestamp(Timestamp(seconds=253_402_300_800))
