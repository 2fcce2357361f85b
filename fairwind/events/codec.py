"""Turning protobuf messages into Kafka records and back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from google.protobuf.message import Message

from fairwind.events.catalog import EventCatalog
from fairwind.events.envelope import Envelope, Headers
from fairwind.observability import current_traceparent

M = TypeVar("M", bound=Message)


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    """A record ready for the broker: what the outbox stores and the relay sends."""

    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]
    event_id: str
    event_type: str


@dataclass(frozen=True, slots=True)
class Event(Generic[M]):
    """A decoded event as a handler sees it."""

    envelope: Envelope
    message: M
    key: str | None
    topic: str
    partition: int = -1
    offset: int = -1
    headers: Headers = field(default=(), repr=False)

    @property
    def id(self) -> str:
        return self.envelope.id

    @property
    def type(self) -> str:
        return self.envelope.type


class EventCodec:
    """Encodes messages with a CloudEvents envelope; decodes records back."""

    def __init__(self, catalog: EventCatalog, source: str) -> None:
        self.catalog = catalog
        self.source = source

    def encode(
        self,
        message: Message,
        key: str | None,
        *,
        event_id: str | None = None,
        time: datetime | None = None,
        traceparent: str | None = None,
    ) -> EncodedEvent:
        kind = self.catalog.kind_of(message)
        envelope = Envelope.new(
            kind.ce_type,
            self.source,
            event_id=event_id,
            time=time,
            traceparent=traceparent or current_traceparent(),
        )
        return EncodedEvent(
            topic=kind.topic,
            key=key.encode() if key is not None else None,
            value=message.SerializeToString(),
            headers=envelope.to_headers(),
            event_id=envelope.id,
            event_type=kind.ce_type,
        )

    def decode(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        headers: Headers,
        partition: int = -1,
        offset: int = -1,
    ) -> Event[Message]:
        """Raises EnvelopeError, UnknownEventType or PayloadError on a bad record."""
        envelope = Envelope.from_headers(headers)
        message = self.catalog.decode(envelope.type, value or b"")
        return Event(
            envelope=envelope,
            message=message,
            key=key.decode(errors="replace") if key is not None else None,
            topic=topic,
            partition=partition,
            offset=offset,
            headers=tuple(headers),
        )

