"""CloudEvents 1.0 Kafka binary binding: event attributes travel as ``ce_*`` headers.

https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md
The payload is the protobuf message itself; ``content-type`` says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/protobuf"

Headers = Sequence[tuple[str, bytes]]

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
_MAX_ATTRIBUTE = 512


class EnvelopeError(ValueError):
    """The headers do not form a valid CloudEvents envelope."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """The CloudEvents attributes of one event, as decoded (``EventCodec`` writes the
    headers itself, in one pass per batch)."""

    id: str
    type: str
    source: str
    time: datetime
    content_type: str = CONTENT_TYPE
    traceparent: str | None = None

    @classmethod
    def from_headers(cls, headers: Headers | None) -> Envelope:
        values = _header_map(headers or ())
        spec = values.get("ce_specversion")
        if spec != SPEC_VERSION:
            raise EnvelopeError(f"ce_specversion must be {SPEC_VERSION!r}, got {spec!r}")
        event_id, kind, source = values.get("ce_id"), values.get("ce_type"), values.get("ce_source")
        if not (event_id and kind and source):
            missing = [name for name in ("ce_id", "ce_type", "ce_source") if not values.get(name)]
            raise EnvelopeError(f"missing CloudEvents header(s): {', '.join(missing)}")
        content_type = values.get("content-type", CONTENT_TYPE)
        if content_type != CONTENT_TYPE:
            raise EnvelopeError(f"unsupported content-type {content_type!r}")
        time_text = values.get("ce_time")
        traceparent = values.get("traceparent")
        if traceparent is not None and not _TRACEPARENT.match(traceparent):
            traceparent = None  # a malformed trace context is dropped, not fatal (W3C rule)
        # Positional: a frozen dataclass takes keywords at half the speed, once per event.
        return cls(
            event_id,
            kind,
            source,
            parse_time(time_text) if time_text else datetime.now(UTC),
            content_type,
            traceparent,
        )


def _header_map(headers: Headers) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, raw in headers:
        if name in values:
            continue  # first occurrence wins, as in most Kafka header readers
        if raw is None:
            continue
        if len(raw) > _MAX_ATTRIBUTE and name.startswith("ce_"):
            raise EnvelopeError(f"header {name} longer than {_MAX_ATTRIBUTE} bytes")
        try:
            values[name] = raw.decode()
        except UnicodeDecodeError as exc:
            raise EnvelopeError(f"header {name} is not UTF-8") from exc
    return values


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with microseconds and a ``Z``."""
    if value.tzinfo is None:
        raise EnvelopeError("event time must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise EnvelopeError(f"ce_time is not RFC 3339: {text!r}") from exc
    if parsed.tzinfo is UTC:  # the usual ``Z``: nothing to convert
        return parsed
    if parsed.tzinfo is None:
        raise EnvelopeError(f"ce_time has no offset: {text!r}")
    return parsed.astimezone(UTC)
