from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from fairwind.events.codec import EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.events.envelope import CONTENT_TYPE, Envelope, EnvelopeError, format_time
from fairwind.v1 import orders_pb2

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def encoded_headers(**options: Any) -> list[tuple[str, bytes]]:
    """The headers the platform's codec writes for an ``OrderCreated`` from orders."""
    codec = EventCodec(platform_catalog(), source="orders")
    return codec.encode(orders_pb2.OrderCreated(), "SF1", **options).headers


def headers_of(**overrides: bytes | None) -> list[tuple[str, bytes]]:
    base = dict(encoded_headers())
    for field, value in overrides.items():
        name = field.replace("__", "-")
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    return list(base.items())


def test_headers_follow_the_cloudevents_kafka_binary_binding() -> None:
    when = datetime(2026, 11, 11, 8, 30, 0, 123456, tzinfo=UTC)
    headers = dict(encoded_headers(event_id="e-1", time=when, traceparent=TRACEPARENT))
    assert headers == {
        "ce_specversion": b"1.0",
        "ce_id": b"e-1",
        "ce_type": b"fairwind.orders.v1.OrderCreated",
        "ce_source": b"orders",
        "ce_time": b"2026-11-11T08:30:00.123456Z",
        "content-type": CONTENT_TYPE.encode(),
        "traceparent": TRACEPARENT.encode(),
    }
    assert Envelope.from_headers(list(headers.items())) == Envelope(
        "e-1", "fairwind.orders.v1.OrderCreated", "orders", when, traceparent=TRACEPARENT
    )


def test_encoded_events_get_unique_ids_and_aware_times() -> None:
    first = Envelope.from_headers(encoded_headers())
    second = Envelope.from_headers(encoded_headers())
    assert first.id != second.id
    assert first.time.tzinfo is not None


def test_traceparent_is_optional() -> None:
    headers = headers_of()
    assert "traceparent" not in dict(headers)
    assert Envelope.from_headers(headers).traceparent is None


def test_time_with_other_offset_is_normalised_to_utc() -> None:
    envelope = Envelope.from_headers(headers_of(ce_time=b"2026-11-11T16:30:00+08:00"))
    assert envelope.time == datetime(2026, 11, 11, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ce_specversion": None}, "ce_specversion"),
        ({"ce_specversion": b"0.3"}, "ce_specversion"),
        ({"ce_id": None}, "ce_id"),
        ({"ce_id": b""}, "ce_id"),
        ({"ce_type": None, "ce_source": None}, "ce_type, ce_source"),
        ({"content__type": b"application/json"}, "content-type"),
        ({"ce_time": b"yesterday"}, "RFC 3339"),
        ({"ce_time": b"2026-11-11T08:30:00"}, "no offset"),
        ({"ce_id": b"\xff\xfe"}, "UTF-8"),
        ({"ce_type": b"x" * 600}, "longer than"),
    ],
)
def test_bad_headers_are_rejected_with_a_reason(
    overrides: dict[str, bytes | None], message: str
) -> None:
    with pytest.raises(EnvelopeError, match=message):
        Envelope.from_headers(headers_of(**overrides))


def test_no_headers_at_all_is_an_error() -> None:
    with pytest.raises(EnvelopeError):
        Envelope.from_headers(None)


def test_malformed_traceparent_is_dropped_not_fatal() -> None:
    envelope = Envelope.from_headers(headers_of(traceparent=b"not-a-trace"))
    assert envelope.traceparent is None


def test_naive_time_cannot_be_encoded() -> None:
    with pytest.raises(EnvelopeError):
        format_time(datetime(2026, 1, 1))


def test_format_time_converts_to_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    assert format_time(datetime(2026, 1, 1, 8, tzinfo=beijing)) == "2026-01-01T00:00:00.000000Z"
