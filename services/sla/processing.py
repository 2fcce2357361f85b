"""From platform events to SLA state changes and outcomes (no Faust here, so it is easy to
test): which event does what to a shipment's clocks, and what gets published and counted."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fairwind.events import Event
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.sla.clock import EventClock
from services.sla.domain import (
    Budgets,
    Outcome,
    Shipment,
    next_due,
    on_order,
    on_promise,
    on_status,
    tick,
)
from services.sla.stored import State

TIERS = {getattr(common_pb2, f"CUSTOMER_TIER_Q{n}"): f"Q{n}" for n in range(1, 6)}
LEVELS = {
    common_pb2.SERVICE_LEVEL_SAME_DAY: "same_day",
    common_pb2.SERVICE_LEVEL_NEXT_DAY: "next_day",
    common_pb2.SERVICE_LEVEL_STANDARD: "standard",
    common_pb2.SERVICE_LEVEL_ECONOMY: "economy",
}
SLA_CODES = {
    "pickup": sla_pb2.SLA_KIND_PICKUP,
    "outlet_delivery": sla_pb2.SLA_KIND_OUTLET_DELIVERY,
    "promise": sla_pb2.SLA_KIND_PROMISE,
}
DIMENSIONS = ("outlet", "city", "service_level", "customer_tier")
STATUS_NAMES = {
    code: name.removeprefix("SHIPMENT_STATUS_").lower()
    for name, code in common_pb2.ShipmentStatus.items()
}


# An early event waits for its order this long in event time, and at least
# ``Processor.pending_wait`` in processing time: the wait is for the order's topic to be read,
# and how far the topics are read apart is a matter of processing time. By the event clock
# alone, a worker reading a backlog (the scans' topic hours of event time ahead of the
# orders') dropped scans whose orders were only a few seconds of reading away.
PENDING_GRACE = timedelta(hours=1)
KINDS: dict[str, Any] = {
    kind.DESCRIPTOR.full_name: kind
    for kind in (
        orders_pb2.OrderCancelled,
        routes_pb2.RoutePlanned,
        routes_pb2.RouteReplanned,
        tracking_pb2.ShipmentStatusChanged,
    )
}


def _pending(event: Event[Any], at: datetime, parked: datetime) -> dict[str, Any]:
    return {
        "type": event.message.DESCRIPTOR.full_name,
        "at": at.isoformat(),
        "parked": parked.isoformat(),
        "value": event.message.SerializeToString().hex(),
        "ce_type": event.type,
    }


class Unprocessable(Exception):
    """An event SLA cannot use (unknown waybill, clock skew): counted and dead-lettered."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _when(stamp: Any) -> datetime | None:
    """A protobuf Timestamp as a UTC datetime, None when unset. By hand: ``ToDatetime`` is
    pure Python in protobuf and was a tenth of the processor's time."""
    seconds, nanos = stamp.seconds, stamp.nanos
    if not seconds and not nanos:
        return None
    return EPOCH + timedelta(0, seconds, nanos // 1000)  # positional: a third faster


def set_time(stamp: Any, value: datetime) -> None:
    """``stamp.FromDatetime(value)`` for an aware datetime, without its Python detour."""
    delta = value - EPOCH
    stamp.seconds = delta.days * 86400 + delta.seconds
    stamp.nanos = delta.microseconds * 1000


def set_duration(duration: Any, value: timedelta) -> None:
    """``duration.FromTimedelta(value)``, by hand when it is not negative (a negative one
    keeps protobuf's rule that seconds and nanos share the sign)."""
    if value.days < 0:
        duration.FromTimedelta(value)
        return
    duration.seconds = value.days * 86400 + value.seconds
    duration.nanos = value.microseconds * 1000


# Where each event type keeps the time it happened in the domain.
_DOMAIN_TIMES: dict[type, Callable[[Any], Any]] = {
    orders_pb2.OrderCreated: lambda message: message.order.created_at,
    orders_pb2.OrderCancelled: lambda message: message.cancelled_at,
    tracking_pb2.ShipmentStatusChanged: lambda message: message.occurred_at,
}


def domain_time(event: Event[Any]) -> datetime | None:
    """When the event happened in the domain; None for events without one (routes, or a
    status change without ``occurred_at``), whose envelope time is only the wall clock."""
    stamp = _DOMAIN_TIMES.get(type(event.message))
    return _when(stamp(event.message)) if stamp is not None else None


@dataclass
class Processor:
    budgets: Budgets
    clock: EventClock
    max_skew: timedelta = timedelta(days=1)
    pending_wait: timedelta = timedelta(minutes=10)
    processing_time: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # How far ahead of the wall clock an event time may be, as of the last reading: the
    # wall clock only moves on, so an event within it is within the true limit.
    _skew_limit: datetime = field(default=datetime.min.replace(tzinfo=UTC), init=False)

    def handle(self, state: State | None, event: Event[Any]) -> tuple[State | None, list[Outcome]]:
        """The shipment's new state (None: unchanged) and the outcomes to publish. A
        Shipment given is changed in place and returned."""
        at = domain_time(event)
        if at is None:
            # No domain time: the event must not move the event clock (its envelope time is
            # the wall clock, which a time-compressed simulation is ahead of or behind).
            newest = self.clock.newest if self.clock.mode == "event" else None
            at = newest or event.envelope.time
        else:
            if at > self._skew_limit:  # the wall clock is read again only then
                self._skew_limit = self.clock.wall() + self.max_skew
                if at > self._skew_limit:
                    raise Unprocessable(
                        "clock_skew", f"event time {at.isoformat()} is in the future"
                    )
            self.clock.saw(at)
        message = event.message
        if isinstance(state, Shipment):
            if isinstance(message, orders_pb2.OrderCreated):
                return None, []  # a redelivery
            return self._apply(state, message, at)
        waiting = state["pending"] if state is not None else []
        if isinstance(message, orders_pb2.OrderCreated):
            return self._order(message.order, at, waiting)
        # Topics are read independently, so a scan may come before its order: keep it
        # until the order arrives (or the grace runs out, see ``expire``).
        parked = self.processing_time()
        return {"waybill": event.key, "pending": [*waiting, _pending(event, at, parked)]}, []

    def _apply(
        self, shipment: Shipment, message: Any, at: datetime
    ) -> tuple[Shipment, list[Outcome]]:
        outcomes: list[Outcome] = []
        if isinstance(message, tracking_pb2.ShipmentStatusChanged):  # the usual one first
            status = STATUS_NAMES.get(message.to_status, "")
            outcomes = on_status(shipment, status, at, self.budgets)
            # The status first: reading ``location`` builds a message object.
            if status == "at_delivery_outlet" and message.location.code:
                shipment.destination_outlet = shipment.destination_outlet or message.location.code
        elif isinstance(message, orders_pb2.OrderCancelled):
            on_status(shipment, "cancelled", at, self.budgets)
        elif isinstance(message, routes_pb2.RoutePlanned | routes_pb2.RouteReplanned):
            promise = message.route.promise
            if promise.ByteSize() and promise.deliver_by.ByteSize():
                placed = shipment.clocks["pickup"].opened_at if "pickup" in shipment.clocks else at
                on_promise(shipment, placed, _when(promise.deliver_by) or at, self.budgets)
        return shipment, outcomes

    def _order(
        self, order: orders_pb2.Order, at: datetime, pending: list[dict[str, Any]]
    ) -> tuple[Shipment, list[Outcome]]:
        promise = order.promise  # each read of a submessage builds an object
        shipment = Shipment(  # positional: half the cost of keywords, once per order
            order.waybill,
            order.origin_outlet_code,
            order.destination_outlet_code,
            order.origin_city_code,
            order.destination_city_code,
            LEVELS.get(order.service_level, "standard"),
            TIERS.get(order.customer_tier, "Q3"),
            promise.remote_area,
        )
        window = _when(order.pickup_window.start)
        on_order(shipment, at, window, _when(promise.deliver_by), self.budgets)
        if not pending:
            return shipment, []
        outcomes: list[Outcome] = []
        for early in sorted(pending, key=lambda p: p["at"]):
            message = KINDS[early["type"]].FromString(bytes.fromhex(early["value"]))
            outcomes += self._apply(shipment, message, datetime.fromisoformat(early["at"]))[1]
        return shipment, outcomes

    def due(self, state: State) -> datetime | None:
        """When the timers next have something to do for this state: the end of the early
        events' grace while they wait for their order, else the clocks' next warning or
        deadline (None: nothing left to time)."""
        if isinstance(state, Shipment):
            return next_due(state)
        oldest = min(datetime.fromisoformat(p["at"]) for p in state["pending"])
        return oldest + PENDING_GRACE

    def expire(self, state: State) -> bool:
        """True when ``state`` only holds early events whose order never came in time."""
        if isinstance(state, Shipment) or not state.get("pending"):
            return False
        now = self.clock.timer_now()
        if now is None:
            return False
        oldest = min(datetime.fromisoformat(p["at"]) for p in state["pending"])
        if now - oldest <= PENDING_GRACE:
            return False
        parked = min(datetime.fromisoformat(p.get("parked", p["at"])) for p in state["pending"])
        return self.processing_time() - parked > self.pending_wait

    def tick(self, state: State) -> tuple[State, list[Outcome]]:
        """The timers' outcomes due now; a shipment is changed in place (early events alone
        have no clocks to time: see ``expire``)."""
        now = self.clock.timer_now()
        if now is None or not isinstance(state, Shipment):
            return state, []
        return state, tick(state, now)


LEVEL_CODES = {name: code for code, name in LEVELS.items()}
TIER_CODES = {name: code for code, name in TIERS.items()}
OUTCOME_MESSAGES: dict[str, Any] = {
    "at_risk": sla_pb2.SlaAtRisk,
    "breached": sla_pb2.SlaBreached,
    "met": sla_pb2.SlaMet,
}


def outcome_message(shipment: Shipment, outcome: Outcome) -> Any:
    """SlaAtRisk / SlaBreached / SlaMet for an outcome."""
    outlet, city = shipment.place(outcome.sla)
    clock = outcome.clock
    kind = outcome.kind
    message = OUTCOME_MESSAGES[kind](
        waybill=shipment.waybill,
        sla=SLA_CODES[outcome.sla],
        outlet_code=outlet,
        city_code=city,
        service_level=LEVEL_CODES.get(shipment.level, 0),
        customer_tier=TIER_CODES.get(shipment.tier, 0),
    )
    set_time(message.started_at, clock.opened_at)
    set_time(message.deadline, clock.deadline)
    if kind == "at_risk":
        budget = (clock.deadline - clock.opened_at).total_seconds() or 1.0
        message.elapsed_fraction = (outcome.at - clock.opened_at).total_seconds() / budget
        set_duration(message.remaining, max(timedelta(0), clock.deadline - outcome.at))
        set_time(message.detected_at, outcome.at)
    elif kind == "breached":
        set_time(message.breached_at, outcome.at)
    else:
        set_time(message.met_at, outcome.at)
        set_duration(message.elapsed, outcome.at - clock.opened_at)
    return message


def outcome_id(waybill: str, outcome: Outcome) -> str:
    """Deterministic, so a re-emission after a crash is deduplicated downstream."""
    return f"sla:{waybill}:{outcome.sla}:{outcome.kind}"


def count_key(partition: int, shipment: Shipment, outcome: Outcome) -> str:
    """The key of the compliance counter an outcome adds one to (met, breached, unbreached):
    one counter per combination of all the dimensions (``DIMENSIONS``, in that order), so
    each result is one table write; the pages sum over the dimensions they do not group by.

    Every counter only grows, so the changelog merge stays a maximum; an unbreached count
    is subtracted from the breaches of its hour when the counters are aggregated."""
    hour = int(outcome.at.timestamp()) // 3600
    outlet, city = shipment.place(outcome.sla)
    values = _dimension_fields(outlet, city, shipment.level, shipment.tier)
    return f"{partition}|{hour}|{outcome.sla}|{outcome.kind}|{values}"


@functools.lru_cache(maxsize=4096)
def _dimension_fields(outlet: str, city: str, level: str, tier: str) -> str:
    """The dimensions' part of a count key; few combinations recur, so it is kept."""
    return "|".join([_field(outlet), _field(city), _field(level), _field(tier)])


def _field(value: str) -> str:
    return value.replace("|", "/") if "|" in value else value
