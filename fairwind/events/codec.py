"""Turning protobuf messages into Kafka records and back."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, NamedTuple, TypeVar

from google.protobuf.message import Message

from fairwind.events.catalog import EventCatalog, EventKind
from fairwind.events.envelope import CONTENT_TYPE, SPEC_VERSION, Envelope, Headers, format_time
from fairwind.observability import current_traceparent

M = TypeVar("M", bound=Message)

_SPEC_HEADER = ("ce_specversion", SPEC_VERSION.encode())
_CONTENT_TYPE_HEADER = ("content-type", CONTENT_TYPE.encode())


class EncodedEvent(NamedTuple):
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


class EventIds:
    """Unique event ids, cheaply: a random 96-bit prefix per instance plus a counter.

    CloudEvents only asks that ``source`` + ``id`` be unique; a random prefix makes the id
    unique on its own, so consumers can dedupe on ``ce_id`` alone.
    """

    def __init__(self) -> None:
        self._prefix = os.urandom(12).hex()
        self._counter = itertools.count(1)

    def __next__(self) -> str:
        return f"{self._prefix}-{next(self._counter):x}"


class EventCodec:
    """Encodes messages with a CloudEvents envelope; decodes records back."""

    def __init__(self, catalog: EventCatalog, source: str) -> None:
        self.catalog = catalog
        self.source = source
        self._source_header = ("ce_source", source.encode())
        self._type_headers: dict[str, tuple[str, bytes]] = {}
        self._ids = EventIds()

    def encode(
        self,
        message: Message,
        key: str | None,
        *,
        event_id: str | None = None,
        time: datetime | None = None,
        traceparent: str | None = None,
    ) -> EncodedEvent:
        (encoded,) = self.encode_many(
            [(message, key)], event_id=event_id, time=time, traceparent=traceparent
        )
        return encoded

    def encode_many(
        self,
        items: Iterable[tuple[Message, str | None]],
        *,
        event_id: str | None = None,
        time: datetime | None = None,
        traceparent: str | None = None,
        event_ids: Iterable[str] | None = None,
    ) -> list[EncodedEvent]:
        """Encode events that happen together: they share ``ce_time`` and trace context.
        ``event_ids`` names each event in turn (deterministic ids, so a re-emission is
        deduplicated downstream); otherwise each gets a fresh one."""
        time_header = ("ce_time", format_time(time or datetime.now(UTC)).encode())
        parent = traceparent or current_traceparent()
        trace_header = [("traceparent", parent.encode())] if parent else []
        kind_of, type_header, ids = self.catalog.kind_of, self._type_header, self._ids
        named = iter(event_ids) if event_ids is not None else None
        encoded = []
        for message, key in items:
            kind = kind_of(message)
            eid = event_id or (next(named) if named is not None else next(ids))
            headers = [
                _SPEC_HEADER,
                ("ce_id", eid.encode()),
                type_header(kind),
                self._source_header,
                time_header,
                _CONTENT_TYPE_HEADER,
                *trace_header,
            ]
            encoded.append(
                EncodedEvent(
                    kind.topic,
                    key.encode() if key is not None else None,
                    message.SerializeToString(),
                    headers,
                    eid,
                    kind.ce_type,
                )
            )
        if event_id is not None and len(encoded) > 1:
            raise ValueError("an explicit event_id can only name one event")
        return encoded

    def _type_header(self, kind: EventKind) -> tuple[str, bytes]:
        header = self._type_headers.get(kind.ce_type)
        if header is None:
            header = self._type_headers[kind.ce_type] = ("ce_type", kind.ce_type.encode())
        return header

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
        return Event(  # positional: see Envelope.from_headers
            envelope,
            message,
            key.decode(errors="replace") if key is not None else None,
            topic,
            partition,
            offset,
            tuple(headers),
        )
