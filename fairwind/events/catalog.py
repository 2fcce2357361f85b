"""Which protobuf message travels on which topic, under which CloudEvents type.

``ce_type`` is ``<topic>.<MessageName>``, e.g. ``fairwind.orders.v1.OrderCreated``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from google.protobuf.message import DecodeError, Message


class UnknownEventType(LookupError):
    """The event type is not in the catalog."""


class PayloadError(ValueError):
    """The payload cannot be decoded as the message its type names."""


@dataclass(frozen=True, slots=True)
class EventKind:
    topic: str
    ce_type: str
    message_class: type[Message]


class EventCatalog:
    """A two-way map between message classes and (topic, ce_type)."""

    def __init__(self) -> None:
        self._by_type: dict[str, EventKind] = {}
        self._by_class: dict[type[Message], EventKind] = {}

    def register(self, topic: str, *message_classes: type[Message]) -> EventCatalog:
        for cls in message_classes:
            ce_type = f"{topic}.{cls.DESCRIPTOR.name}"
            kind = EventKind(topic, ce_type, cls)
            if self._by_type.get(ce_type, kind) != kind or self._by_class.get(cls, kind) != kind:
                raise ValueError(f"{ce_type} is registered twice")
            self._by_type[ce_type] = kind
            self._by_class[cls] = kind
        return self

    def kind_of(self, message: Message | type[Message]) -> EventKind:
        cls = message if isinstance(message, type) else type(message)
        try:
            return self._by_class[cls]
        except KeyError:
            raise UnknownEventType(f"{cls.__name__} is not an event in the catalog") from None

    def kind_for_type(self, ce_type: str) -> EventKind:
        try:
            return self._by_type[ce_type]
        except KeyError:
            raise UnknownEventType(f"unknown event type {ce_type!r}") from None

    def decode(self, ce_type: str, payload: bytes) -> Message:
        message = self.kind_for_type(ce_type).message_class()
        try:
            message.ParseFromString(payload)
        except DecodeError as exc:
            raise PayloadError(f"payload is not a valid {ce_type}: {exc}") from exc
        return message

    def topics(self) -> set[str]:
        return {kind.topic for kind in self._by_type.values()}

    def kinds(self, topic: str | None = None) -> Iterator[EventKind]:
        return (k for k in self._by_type.values() if topic is None or k.topic == topic)
