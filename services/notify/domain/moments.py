"""Which platform events are moments worth telling someone about (``rules.Moment``), and
which occurrence of the moment each is: the events decoded from the topics go in, the
moment or None comes out. And an order's notification preferences in the rules' terms
(no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.notify.domain.rules import Channel, Moment, Preferences, QuietHours

STATUS_MOMENTS = {
    common_pb2.SHIPMENT_STATUS_PICKED_UP: Moment.PICKED_UP,
    common_pb2.SHIPMENT_STATUS_OUT_FOR_DELIVERY: Moment.OUT_FOR_DELIVERY,
    common_pb2.SHIPMENT_STATUS_DELIVERED: Moment.DELIVERED,
    common_pb2.SHIPMENT_STATUS_DELIVERY_FAILED: Moment.DELIVERY_FAILED,
    common_pb2.SHIPMENT_STATUS_EXCEPTION: Moment.EXCEPTION,
}


@dataclass(frozen=True, slots=True)
class Happened:
    waybill: str
    moment: Moment
    # Tells apart moments that may come again for one shipment (each failed attempt, each
    # new promise); empty for those that come once.
    occurrence: str = ""


def moment_of(message: Any) -> Happened | None:
    """The moment an event is, or None for events nobody is told about (a route planned
    as promised, an in-transit scan, an SLA met)."""
    if isinstance(message, orders_pb2.OrderCreated):
        return Happened(message.order.waybill, Moment.BOOKED)
    if isinstance(message, orders_pb2.OrderCancelled):
        return Happened(message.waybill, Moment.CANCELLED)
    if isinstance(message, tracking_pb2.ShipmentStatusChanged):
        return _status(message)
    if isinstance(message, routes_pb2.RouteReplanned):
        return _replanned(message)
    if isinstance(message, sla_pb2.SlaAtRisk):
        return Happened(message.waybill, Moment.SLA_AT_RISK, sla_pb2.SlaKind.Name(message.sla))
    return None


def _status(message: tracking_pb2.ShipmentStatusChanged) -> Happened | None:
    moment = STATUS_MOMENTS.get(message.to_status)
    if moment is None:
        return None
    again = moment in (Moment.DELIVERY_FAILED, Moment.EXCEPTION, Moment.OUT_FOR_DELIVERY)
    stamp = message.occurred_at.ToJsonString() if message.occurred_at.ByteSize() else ""
    return Happened(message.waybill, moment, stamp if again else "")


def _replanned(message: routes_pb2.RouteReplanned) -> Happened | None:
    """A re-plan is told only when the delivery promise moved."""
    new, old = message.route.promise.deliver_by, message.previous_promise.deliver_by
    if not new.ByteSize() or new == old:
        return None
    return Happened(message.route.waybill, Moment.PROMISE_CHANGED, f"v{message.route.version}")


CHANNELS = {common_pb2.CHANNEL_EMAIL: Channel.EMAIL, common_pb2.CHANNEL_SMS: Channel.SMS}


def preferences_of(given: common_pb2.NotificationPreferences) -> Preferences:
    """An order's notification preferences (the consignee's, as the partner booked them)
    in the rules' terms; what the partner left unset keeps the platform's default."""
    chosen = {CHANNELS[c] for c in given.channels if c in CHANNELS}
    quiet = None
    if given.quiet_hours_start_minute or given.quiet_hours_end_minute:
        quiet = QuietHours(
            _minute(given.quiet_hours_start_minute), _minute(given.quiet_hours_end_minute)
        )
    defaults = Preferences()
    return Preferences(
        zone=given.time_zone or defaults.zone,
        language=given.language or defaults.language,
        opted_out=frozenset(set(Channel) - chosen) if chosen else frozenset(),
        muted=frozenset(STATUS_MOMENTS[s] for s in given.opt_out_statuses if s in STATUS_MOMENTS)
        | ({Moment.SURVEY} if given.opt_out_surveys else set()),
        quiet=quiet,
    )


def _minute(value: int) -> time:
    minute = min(max(value, 0), 24 * 60 - 1)
    return time(minute // 60, minute % 60)


def follow_ups(happened: Happened) -> list[Happened]:
    """The moments that come of another: a delivery is followed by its survey."""
    if happened.moment is Moment.DELIVERED:
        return [Happened(happened.waybill, Moment.SURVEY)]
    return []
