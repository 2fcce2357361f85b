"""The shipment status machine, table-driven and forward-only.

Every scan (and the order, dispatch and cancel events) has a rank from the table below;
the shipment's status is the one of the highest-ranked scan, ties broken by device time and
then scan id. That makes the status a maximum over everything received: a late or
out-of-order scan is kept in the history but never moves the status backwards, and any
arrival order of the same scans ends in the same status. Side states at one stage (out for
delivery, delivery failed, available for pickup) share a rank, so the latest of them wins;
an exception ranks with the stage where it was scanned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fairwind.domain.status import ShipmentStatus

Status = ShipmentStatus  # the platform taxonomy, named as this service always has


class ScanEvent(StrEnum):
    PICKED_UP = "picked_up"
    ARRIVED = "arrived"
    SORTED = "sorted"
    DEPARTED = "departed"
    AT_DELIVERY_OUTLET = "at_delivery_outlet"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    EXCEPTION = "exception"
    RETURNED = "returned"


class Stage:
    ORDERED, DISPATCHED, PICKED_UP, TRANSIT, OUTLET, LAST_MILE, FINAL, CANCELLED = range(8)


# scan event -> (status, substatus, rank). Exceptions take the rank of where they happen.
TRANSITIONS: dict[ScanEvent, tuple[Status, str, int]] = {
    ScanEvent.PICKED_UP: (Status.PICKED_UP, "", Stage.PICKED_UP),
    ScanEvent.ARRIVED: (Status.IN_TRANSIT, "arrived", Stage.TRANSIT),
    ScanEvent.SORTED: (Status.IN_TRANSIT, "sorted", Stage.TRANSIT),
    ScanEvent.DEPARTED: (Status.IN_TRANSIT, "departed", Stage.TRANSIT),
    ScanEvent.AT_DELIVERY_OUTLET: (Status.AT_DELIVERY_OUTLET, "", Stage.OUTLET),
    ScanEvent.OUT_FOR_DELIVERY: (Status.OUT_FOR_DELIVERY, "", Stage.LAST_MILE),
    ScanEvent.DELIVERY_FAILED: (Status.DELIVERY_FAILED, "", Stage.LAST_MILE),
    ScanEvent.AVAILABLE_FOR_PICKUP: (Status.AVAILABLE_FOR_PICKUP, "", Stage.LAST_MILE),
    ScanEvent.DELIVERED: (Status.DELIVERED, "", Stage.FINAL),
    ScanEvent.RETURNED: (Status.RETURNED, "", Stage.FINAL),
    ScanEvent.EXCEPTION: (Status.EXCEPTION, "", Stage.TRANSIT),
}
EXCEPTION_RANK_AT = {
    "origin_outlet": Stage.PICKED_UP,
    "hub": Stage.TRANSIT,
    "destination_outlet": Stage.LAST_MILE,
}
MOVEMENT = frozenset(ScanEvent) - {ScanEvent.EXCEPTION}


@dataclass(frozen=True, slots=True, order=True)
class Key:
    """Orders every status-setting input: stage first, then device time, then id."""

    rank: int
    at: datetime
    ident: str

    def as_list(self) -> list[object]:
        return [self.rank, self.at, self.ident]


@dataclass(frozen=True, slots=True)
class Position:
    status: Status
    substatus: str
    key: Key


def scan_position(event: ScanEvent, where: str, at: datetime, scan_id: str) -> Position:
    """``where`` is origin_outlet, hub or destination_outlet (matters for exceptions)."""
    status, substatus, rank = TRANSITIONS[event]
    if event is ScanEvent.EXCEPTION:
        rank = EXCEPTION_RANK_AT.get(where, Stage.TRANSIT)
    return Position(status, substatus, Key(rank, at, scan_id))


def ordered(at: datetime) -> Position:
    return Position(Status.INFO_RECEIVED, "", Key(Stage.ORDERED, at, "order"))


def dispatched(at: datetime, attempt: int) -> Position:
    return Position(Status.PICKUP_DISPATCHED, "", Key(Stage.DISPATCHED, at, f"dispatch-{attempt}"))


def cancelled(at: datetime) -> Position:
    return Position(Status.CANCELLED, "", Key(Stage.CANCELLED, at, "cancel"))


def advance(current: Position, incoming: Position) -> Position:
    """The position after ``incoming``: it wins only if it ranks higher."""
    return incoming if incoming.key > current.key else current


def accepts(status: Status, event: ScanEvent) -> bool:
    """A cancelled shipment takes no movement scans (an exception scan it does)."""
    return not (status is Status.CANCELLED and event in MOVEMENT)
