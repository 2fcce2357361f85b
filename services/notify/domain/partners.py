"""What a partner's webhook endpoints are sent: the public event types, each platform event's
payload in them, and which endpoints want it (no I/O).

The payload follows the Standard Webhooks layout, ``{"type", "timestamp", "data"}``, with
the partner's own order id beside the waybill so they can join it to their system. Types
are stable, public names; the platform's internal event names never leak:

- ``order.created``, ``order.cancelled``;
- ``shipment.status_changed``: every status change, with the status before and after;
- ``shipment.promise_changed``: a re-plan that moved the delivery promise;
- ``shipment.at_risk``: an SLA about to be missed (before the breach, not after).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.notify.domain.webhooks import WebhookSecret


class EventType(StrEnum):
    ORDER_CREATED = "order.created"
    ORDER_CANCELLED = "order.cancelled"
    STATUS_CHANGED = "shipment.status_changed"
    PROMISE_CHANGED = "shipment.promise_changed"
    AT_RISK = "shipment.at_risk"


class EndpointStatus(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    partner_id: str
    url: str
    secrets: tuple[WebhookSecret, ...]  # live ones, newest first: every one signs
    event_types: frozenset[EventType] = frozenset()  # empty: every type
    status: EndpointStatus = EndpointStatus.ENABLED
    rate_per_s: float = 50.0
    max_in_flight: int = 8
    failing_since: datetime | None = None

    def wants(self, event_type: EventType) -> bool:
        return self.status is EndpointStatus.ENABLED and (
            not self.event_types or event_type in self.event_types
        )


@dataclass(frozen=True, slots=True)
class PartnerEvent:
    """A platform event as partners see it."""

    type: EventType
    waybill: str
    occurred_at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def body(self, partner_order_id: str) -> bytes:
        """The bytes posted and signed: fixed when the delivery is made, so every retry
        signs the same body."""
        ref = {"waybill": self.waybill, "partner_order_id": partner_order_id or None}
        payload = {
            "type": self.type.value,
            "timestamp": _iso(self.occurred_at),
            "data": ref | self.data,
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def partner_event(message: Any, now: datetime) -> PartnerEvent | None:
    """The event a platform event is to partners, or None if it is none of theirs."""
    if isinstance(message, orders_pb2.OrderCreated):
        order = message.order
        data = {
            "service_level": _name(common_pb2.ServiceLevel, order.service_level),
            "promise": _promise(order.promise),
        }
        at = _at(order.created_at, now)
        return PartnerEvent(EventType.ORDER_CREATED, order.waybill, at, data)
    if isinstance(message, orders_pb2.OrderCancelled):
        data = {"reason": message.reason_code or message.reason}
        at = _at(message.cancelled_at, now)
        return PartnerEvent(EventType.ORDER_CANCELLED, message.waybill, at, data)
    if isinstance(message, tracking_pb2.ShipmentStatusChanged):
        return _status_changed(message, now)
    if isinstance(message, routes_pb2.RouteReplanned):
        before, after = message.previous_promise.deliver_by, message.route.promise.deliver_by
        if before == after:
            return None  # kept its promise: nothing changed for the partner
        data = {
            "promise": _promise(message.route.promise),
            "previous_promise": _promise(message.previous_promise),
        }
        # the event's own time, not the reading's: a replay sends the same body again
        at = _at(message.route.planned_at, now)
        return PartnerEvent(EventType.PROMISE_CHANGED, message.route.waybill, at, data)
    if isinstance(message, sla_pb2.SlaAtRisk):
        data = {"sla": _name(sla_pb2.SlaKind, message.sla), "deadline": _ts(message.deadline)}
        return PartnerEvent(EventType.AT_RISK, message.waybill, _at(message.detected_at, now), data)
    return None


def addressed(event: PartnerEvent, endpoints: Iterable[Endpoint]) -> list[Endpoint]:
    """The endpoints that subscribed to the event's type (and are enabled)."""
    return [endpoint for endpoint in endpoints if endpoint.wants(event.type)]


def parse_types(names: Sequence[str]) -> frozenset[EventType]:
    """Event type names as a partner gives them; raises ValueError naming an unknown one."""
    known = {t.value: t for t in EventType}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown event types {unknown}; known: {sorted(known)}")
    return frozenset(known[name] for name in names)


def _status_changed(message: tracking_pb2.ShipmentStatusChanged, now: datetime) -> PartnerEvent:
    data: dict[str, Any] = {
        "status": _name(common_pb2.ShipmentStatus, message.to_status),
        "previous_status": _name(common_pb2.ShipmentStatus, message.from_status),
        "location": message.location.code or None,
        "promise": _promise(message.promise),
    }
    if message.reason:
        data["reason"] = _name(common_pb2.ExceptionReason, message.reason)
    if message.HasField("eta"):
        data["eta"] = _ts(message.eta)
    at = _at(message.occurred_at, now)
    return PartnerEvent(EventType.STATUS_CHANGED, message.waybill, at, data)


def _name(enum: Any, value: int) -> str | None:
    """``SHIPMENT_STATUS_OUT_FOR_DELIVERY`` → ``out_for_delivery``; unset → None."""
    if not value:
        return None
    prefix: str = enum.Name(0).removesuffix("UNSPECIFIED")  # e.g. SHIPMENT_STATUS_
    name: str = enum.Name(value)
    return name.removeprefix(prefix).lower()


def _promise(promise: common_pb2.Promise) -> dict[str, Any] | None:
    if not promise.HasField("deliver_by"):
        return None
    return {"deliver_by": _ts(promise.deliver_by)}


def _ts(stamp: Any) -> str | None:
    return _iso(stamp.ToDatetime(tzinfo=UTC)) if stamp.ByteSize() else None


def _at(stamp: Any, now: datetime) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC) if stamp.ByteSize() else now


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
