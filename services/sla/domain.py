"""SLA clocks, pure: what opens, closes, warns and breaches them. No I/O, no Faust.

Three clocks per shipment:
- pickup: opens at the order (or at a later pickup window's start), 60 minutes, closed by
  the picked-up status;
- outlet delivery: opens at arrival at the destination outlet, 120 minutes, closed by
  delivery;
- promise: opens at the order with the promised deliver-by, closed by delivery.
At 80 % of a budget an open clock warns once (at risk); at the deadline it is breached even
if no scan ever comes. A scan that arrives after a breach closes the clock without counting
the shipment again, unless it happened by the deadline: then the timer fired only because
the scan was read late, and the breach is corrected to met (an ``unbreached`` outcome takes
the breach back out of the counts). Cancellation closes every clock without counting. Times
are event times.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple


class Sla(StrEnum):
    PICKUP = "pickup"
    OUTLET_DELIVERY = "outlet_delivery"
    PROMISE = "promise"


class State(StrEnum):
    OPEN = "open"
    MET = "met"
    BREACHED = "breached"
    CANCELLED = "cancelled"


# As plain strings, for the rules below: a clock's name and state are plain strings, and
# comparing with one costs a sixth of looking up an enum member (and its ``value``).
PICKUP, OUTLET_DELIVERY, PROMISE = (s.value for s in Sla)
OPEN, MET, BREACHED, CANCELLED = (s.value for s in State)


@dataclass(frozen=True)
class Budgets:
    """Minutes per SLA; per service level overrides, remote areas get extra time."""

    pickup_min: float = 60
    outlet_delivery_min: float = 120
    at_risk_fraction: float = 0.8
    remote_outlet_delivery_extra_min: float = 0
    by_level: dict[str, dict[str, float]] = field(default_factory=dict)

    def minutes(self, sla: Sla, level: str, remote: bool) -> float:
        override = self.by_level.get(level, {}).get(sla.value)
        if override is not None:
            return override
        if sla is Sla.PICKUP:
            return self.pickup_min
        extra = self.remote_outlet_delivery_extra_min if remote else 0
        return self.outlet_delivery_min + extra


@dataclass(slots=True)
class Clock:
    sla: str
    opened_at: datetime
    deadline: datetime
    at_risk_at: datetime
    state: str = State.OPEN.value
    warned: bool = False
    closed_at: datetime | None = None
    counted: bool = False

    def copy(self) -> Clock:
        return Clock(
            self.sla,
            self.opened_at,
            self.deadline,
            self.at_risk_at,
            self.state,
            self.warned,
            self.closed_at,
            self.counted,
        )


TIME_FIELDS = ("opened_at", "deadline", "at_risk_at", "closed_at")


def _time(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


@dataclass(slots=True)
class Shipment:
    waybill: str
    origin_outlet: str = ""
    destination_outlet: str = ""
    origin_city: str = ""
    destination_city: str = ""
    level: str = "standard"
    tier: str = "Q3"
    remote: bool = False
    cancelled: bool = False
    clocks: dict[str, Clock] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe, keyed (times as ISO strings): what the changelog stored before its
        compact form (stored.py); a changelog written so is still read."""
        raw: dict[str, Any] = {name: getattr(self, name) for name in PLAIN_FIELDS}
        raw["clocks"] = {name: _clock_dict(clock) for name, clock in self.clocks.items()}
        return raw

    def copy(self) -> Shipment:
        """A copy to change. It shares its clocks with the original: the rules below never
        change a clock in place but replace it with a changed copy (``_changing``), so one
        clock is copied per change instead of every clock per read. By hand:
        ``dataclasses.replace`` costs as much as reading the shipment from JSON."""
        return Shipment(
            self.waybill,
            self.origin_outlet,
            self.destination_outlet,
            self.origin_city,
            self.destination_city,
            self.level,
            self.tier,
            self.remote,
            self.cancelled,
            dict(self.clocks),
        )

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Shipment:
        clocks = {}
        for name, clock in raw.get("clocks", {}).items():
            times = {f: _time(clock[f]) for f in TIME_FIELDS}
            clocks[name] = Clock(**(clock | times))
        fields = {k: v for k, v in raw.items() if k in SHIPMENT_FIELDS}
        return cls(**(fields | {"clocks": clocks}))

    def place(self, sla: str) -> tuple[str, str]:
        """Where a clock's result counts: the outlet and city responsible for it (the
        other dimensions, level and tier, are the shipment's own)."""
        if sla == PICKUP:
            return self.origin_outlet or "unknown", self.origin_city or "unknown"
        return self.destination_outlet or "unknown", self.destination_city or "unknown"


class Outcome(NamedTuple):
    """Something to publish and count: at_risk, breached or met; or to count only:
    unbreached (a timer's breach taken back, in the hour it was counted in). A named tuple:
    as immutable as a frozen dataclass, built in a third of the time."""

    kind: str
    sla: str
    clock: Clock
    at: datetime


SHIPMENT_FIELDS = frozenset(Shipment.__dataclass_fields__)
# By hand rather than dataclasses.asdict, which deep-copies every value and took four
# fifths of the processing core's time.
PLAIN_FIELDS = tuple(f.name for f in fields(Shipment) if f.name != "clocks")
CLOCK_FIELDS = tuple(f.name for f in fields(Clock))


def _clock_dict(clock: Clock) -> dict[str, Any]:
    raw = {name: getattr(clock, name) for name in CLOCK_FIELDS}
    for name in TIME_FIELDS:
        if raw[name] is not None:
            raw[name] = raw[name].isoformat()
    return raw


def open_clock(
    shipment: Shipment, sla: Sla, start: datetime, deadline: datetime, fraction: float
) -> None:
    name = sla.value
    if name in shipment.clocks or shipment.cancelled:
        return  # opened already (a redelivery) or no longer relevant
    budget = deadline - start
    shipment.clocks[name] = Clock(name, start, deadline, start + budget * fraction)


def on_order(
    shipment: Shipment,
    placed: datetime,
    window_start: datetime | None,
    deliver_by: datetime | None,
    budgets: Budgets,
) -> None:
    start = max(placed, window_start) if window_start else placed
    minutes = budgets.minutes(Sla.PICKUP, shipment.level, shipment.remote)
    open_clock(
        shipment, Sla.PICKUP, start, start + timedelta(minutes=minutes), budgets.at_risk_fraction
    )
    if deliver_by is not None:
        open_clock(shipment, Sla.PROMISE, placed, deliver_by, budgets.at_risk_fraction)


def on_promise(
    shipment: Shipment, placed: datetime, deliver_by: datetime, budgets: Budgets
) -> None:
    """A promise made after intake (routing was down): the promise clock opens then. A later
    re-plan does not move it: the customer was promised the first one."""
    open_clock(shipment, Sla.PROMISE, placed, deliver_by, budgets.at_risk_fraction)


def on_status(shipment: Shipment, status: str, at: datetime, budgets: Budgets) -> list[Outcome]:
    if status == "cancelled":
        shipment.cancelled = True
        for name, current in list(shipment.clocks.items()):
            if current.state == OPEN:
                clock = _changing(shipment, name)
                clock.state, clock.closed_at = CANCELLED, at
        return []
    if status == "picked_up":
        return _close(shipment, PICKUP, at)
    if status == "at_delivery_outlet":
        minutes = budgets.minutes(Sla.OUTLET_DELIVERY, shipment.level, shipment.remote)
        open_clock(
            shipment,
            Sla.OUTLET_DELIVERY,
            at,
            at + timedelta(minutes=minutes),
            budgets.at_risk_fraction,
        )
        return []
    if status == "delivered":
        # A parcel delivered without a pickup scan was picked up all the same.
        return [
            *_close(shipment, PICKUP, at),
            *_close(shipment, OUTLET_DELIVERY, at),
            *_close(shipment, PROMISE, at),
        ]
    return []


def _close(shipment: Shipment, sla: str, at: datetime) -> list[Outcome]:
    clock = shipment.clocks.get(sla)
    if clock is None:
        return []
    if _breached_by_timer(clock):
        clock = _changing(shipment, sla)
        clock.closed_at = at
        if at > clock.deadline:
            return []  # a late scan closes the clock; the breach stays, counted once
        # In time after all, read after the timer fired: correct the breach to met.
        clock.state = MET
        return [
            Outcome("unbreached", sla, clock, clock.deadline),
            Outcome("met", sla, clock, at),
        ]
    if clock.state != OPEN:
        return []
    clock = _changing(shipment, sla)
    clock.closed_at = at
    if at <= clock.deadline:
        clock.state, clock.counted = MET, True
        return [Outcome("met", sla, clock, at)]
    clock.state, clock.counted = BREACHED, True
    return [Outcome("breached", sla, clock, at)]


def _changing(shipment: Shipment, name: str) -> Clock:
    """The shipment's clock ``name``, about to change: a clock is never changed in place,
    since a copied shipment shares its clocks with the original (see ``Shipment.copy``)."""
    clock = shipment.clocks[name] = shipment.clocks[name].copy()
    return clock


def _breached_by_timer(clock: Clock) -> bool:
    return clock.state == BREACHED and clock.closed_at is None


def tick(shipment: Shipment, now: datetime) -> list[Outcome]:
    """Timers: warn at 80 % once, breach at the deadline, with no scan needed."""
    outcomes = []
    for name, current in list(shipment.clocks.items()):
        if current.state != OPEN:
            continue
        if now >= current.deadline:
            clock = _changing(shipment, name)
            clock.state, clock.counted = BREACHED, True
            outcomes.append(Outcome("breached", clock.sla, clock, clock.deadline))
        elif now >= current.at_risk_at and not current.warned:
            clock = _changing(shipment, name)
            clock.warned = True
            outcomes.append(Outcome("at_risk", clock.sla, clock, now))
    return outcomes


def next_due(shipment: Shipment) -> datetime | None:
    """When ``tick`` next has something to do for this shipment."""
    due = None
    for clock in shipment.clocks.values():  # a loop: a comprehension and min cost twice this
        if clock.state == OPEN:
            at = clock.deadline if clock.warned else clock.at_risk_at
            if due is None or at < due:
                due = at
    return due


def compliance(met: int, breached: int) -> float | None:
    total = met + breached
    return met / total if total else None
