"""From platform events to SLA state changes and outcomes (no Faust here, so it is easy to
test): which event does what to a shipment's clocks, and what gets published and counted."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fairwind.events import Event
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.sla.domain import Budgets, Outcome, Shipment, on_order, on_promise, on_status, tick

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


def _pending(event: Event[Any], at: datetime) -> dict[str, Any]:
    return {
        "type": event.message.DESCRIPTOR.full_name,
        "at": at.isoformat(),
        "value": event.message.SerializeToString().hex(),
        "ce_type": event.type,
    }


class Unprocessable(Exception):
    """An event SLA cannot use (unknown waybill, clock skew): counted and dead-lettered."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class EventClock:
    """Now = the newest event time seen, or the wall clock, whichever the settings say."""

    def __init__(self, mode: str, wall: Callable[[], datetime] | None = None) -> None:
        self.mode = mode
        self.wall = wall or (lambda: datetime.now(UTC))
        self.newest: datetime | None = None

    def saw(self, at: datetime) -> None:
        if self.newest is None or at > self.newest:
            self.newest = at

    def now(self) -> datetime:
        if self.mode == "event":
            return self.newest or self.wall()
        return self.wall()


def _when(stamp: Any, fallback: datetime) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC) if stamp.ByteSize() else fallback


def event_time(event: Event[Any]) -> datetime:
    message = event.message
    if isinstance(message, orders_pb2.OrderCreated):
        return _when(message.order.created_at, event.envelope.time)
    if isinstance(message, orders_pb2.OrderCancelled):
        return _when(message.cancelled_at, event.envelope.time)
    if isinstance(message, tracking_pb2.ShipmentStatusChanged):
        return _when(message.occurred_at, event.envelope.time)
    return event.envelope.time


@dataclass
class Processor:
    budgets: Budgets
    clock: EventClock
    max_skew: timedelta = timedelta(days=1)

    def handle(
        self, raw: dict[str, Any] | None, event: Event[Any]
    ) -> tuple[dict[str, Any] | None, list[Outcome]]:
        """The shipment's new state (None: unchanged) and the outcomes to publish."""
        at = event_time(event)
        if at > self.clock.wall() + self.max_skew:
            raise Unprocessable("clock_skew", f"event time {at.isoformat()} is in the future")
        self.clock.saw(at)
        message = event.message
        if isinstance(message, orders_pb2.OrderCreated):
            if raw is not None and "clocks" in raw:
                return None, []  # a redelivery
            return self._order(message.order, at, (raw or {}).get("pending", []))
        if raw is None or "clocks" not in raw:
            # Topics are read independently, so a scan may come before its order: keep it
            # until the order arrives (or the grace runs out, see ``expire``).
            pending = [*(raw or {}).get("pending", []), _pending(event, at)]
            return {"waybill": event.key, "pending": pending}, []
        return self._apply(Shipment.from_dict(raw), message, at)

    def _apply(
        self, shipment: Shipment, message: Any, at: datetime
    ) -> tuple[dict[str, Any] | None, list[Outcome]]:
        outcomes: list[Outcome] = []
        if isinstance(message, orders_pb2.OrderCancelled):
            on_status(shipment, "cancelled", at, self.budgets)
        elif isinstance(message, routes_pb2.RoutePlanned | routes_pb2.RouteReplanned):
            promise = message.route.promise
            if promise.ByteSize() and promise.deliver_by.ByteSize():
                placed = shipment.clocks["pickup"].opened_at if "pickup" in shipment.clocks else at
                on_promise(
                    shipment, placed, promise.deliver_by.ToDatetime(tzinfo=UTC), self.budgets
                )
        elif isinstance(message, tracking_pb2.ShipmentStatusChanged):
            status = common_pb2.ShipmentStatus.Name(message.to_status)
            outcomes = on_status(
                shipment, status.removeprefix("SHIPMENT_STATUS_").lower(), at, self.budgets
            )
            if message.location.code and status == "SHIPMENT_STATUS_AT_DELIVERY_OUTLET":
                shipment.destination_outlet = shipment.destination_outlet or message.location.code
        return shipment.to_dict(), outcomes

    def _order(
        self, order: orders_pb2.Order, at: datetime, pending: list[dict[str, Any]]
    ) -> tuple[dict[str, Any], list[Outcome]]:
        shipment = Shipment(
            waybill=order.waybill,
            origin_outlet=order.origin_outlet_code,
            destination_outlet=order.destination_outlet_code,
            origin_city=order.origin_city_code,
            destination_city=order.destination_city_code,
            level=LEVELS.get(order.service_level, "standard"),
            tier=TIERS.get(order.customer_tier, "Q3"),
            remote=order.promise.remote_area,
        )
        window = (
            order.pickup_window.start.ToDatetime(tzinfo=UTC)
            if order.pickup_window.start.ByteSize()
            else None
        )
        deliver_by = (
            order.promise.deliver_by.ToDatetime(tzinfo=UTC)
            if order.promise.deliver_by.ByteSize()
            else None
        )
        on_order(shipment, at, window, deliver_by, self.budgets)
        outcomes: list[Outcome] = []
        for early in sorted(pending, key=lambda p: p["at"]):
            message = KINDS[early["type"]].FromString(bytes.fromhex(early["value"]))
            outcomes += self._apply(shipment, message, datetime.fromisoformat(early["at"]))[1]
        return shipment.to_dict(), outcomes

    def expire(self, raw: dict[str, Any]) -> bool:
        """True when ``raw`` only holds early events whose order never came in time."""
        if "clocks" in raw or not raw.get("pending"):
            return False
        oldest = min(datetime.fromisoformat(p["at"]) for p in raw["pending"])
        return self.clock.now() - oldest > PENDING_GRACE

    def tick(self, raw: dict[str, Any]) -> tuple[dict[str, Any], list[Outcome]]:
        shipment = Shipment.from_dict(raw)
        outcomes = tick(shipment, self.clock.now())
        return shipment.to_dict(), outcomes


def outcome_message(shipment: Shipment, outcome: Outcome) -> Any:
    """SlaAtRisk / SlaBreached / SlaMet for an outcome."""
    dims = shipment.dimensions(outcome.sla)
    clock = outcome.clock
    kind: Any = {
        "at_risk": sla_pb2.SlaAtRisk,
        "breached": sla_pb2.SlaBreached,
        "met": sla_pb2.SlaMet,
    }[outcome.kind]
    message = kind(
        waybill=shipment.waybill,
        sla=SLA_CODES[outcome.sla],
        outlet_code=dims["outlet"],
        city_code=dims["city"],
        service_level=next((c for c, n in LEVELS.items() if n == shipment.level), 0),
        customer_tier=next((c for c, n in TIERS.items() if n == shipment.tier), 0),
    )
    message.started_at.FromDatetime(clock.opened_at)
    message.deadline.FromDatetime(clock.deadline)
    if outcome.kind == "at_risk":
        budget = (clock.deadline - clock.opened_at).total_seconds() or 1.0
        message.elapsed_fraction = (outcome.at - clock.opened_at).total_seconds() / budget
        message.remaining.FromTimedelta(max(timedelta(0), clock.deadline - outcome.at))
        message.detected_at.FromDatetime(outcome.at)
    elif outcome.kind == "breached":
        message.breached_at.FromDatetime(outcome.at)
    else:
        message.met_at.FromDatetime(outcome.at)
        message.elapsed.FromTimedelta(outcome.at - clock.opened_at)
    return message


def outcome_id(waybill: str, outcome: Outcome) -> str:
    """Deterministic, so a re-emission after a crash is deduplicated downstream."""
    return f"sla:{waybill}:{outcome.sla}:{outcome.kind}"


def count_keys(partition: int, shipment: Shipment, outcome: Outcome) -> Iterable[str]:
    """Keys of the compliance counters an outcome adds one to (met / breached only)."""
    hour = int(outcome.at.timestamp()) // 3600
    for dimension, value in shipment.dimensions(outcome.sla).items():
        yield f"{partition}|{hour}|{outcome.sla}|{dimension}|{value}|{outcome.kind}"


def aggregate(
    counts: Iterable[tuple[str, int]], sla: str, by: str, window_hours: int, now: datetime
) -> dict[str, dict[str, Any]]:
    """Met, breached and compliance per value of ``by`` over the last ``window_hours``."""
    newest = int(now.timestamp()) // 3600
    rows: dict[str, dict[str, Any]] = {}
    for key, count in counts:
        _, hour, key_sla, dimension, value, kind = key.split("|")
        if key_sla != sla or dimension != by or not newest - window_hours < int(hour) <= newest:
            continue
        row = rows.setdefault(value, {"met": 0, "breached": 0})
        row[kind] += count
    for row in rows.values():
        total = row["met"] + row["breached"]
        row["compliance"] = row["met"] / total if total else None
    return rows
