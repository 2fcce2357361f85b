"""The order's view of the shipment status: forward-only, and when it may be cancelled.

Statuses are the platform's ShipmentStatus names (lower case). Tracking owns the state
machine; orders follows its ShipmentStatusChanged events and never moves backwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from fairwind.domain.status import ShipmentStatus

Status = ShipmentStatus  # the platform taxonomy, named as this service always has


# Progress along the journey; side states share the rank of where they happen.
_RANK = {
    Status.INFO_RECEIVED: 0,
    Status.PICKUP_DISPATCHED: 1,
    Status.PICKED_UP: 2,
    Status.IN_TRANSIT: 3,
    Status.EXCEPTION: 3,
    Status.AT_DELIVERY_OUTLET: 4,
    Status.OUT_FOR_DELIVERY: 5,
    Status.DELIVERY_FAILED: 5,
    Status.AVAILABLE_FOR_PICKUP: 5,
    Status.DELIVERED: 6,
    Status.RETURNED: 6,
    Status.CANCELLED: 6,
}
FINAL = frozenset({Status.DELIVERED, Status.RETURNED, Status.CANCELLED})
# Cancellation is allowed until the courier has picked the parcel up (the store's filter).
CANCELLABLE = frozenset({Status.INFO_RECEIVED, Status.PICKUP_DISPATCHED})


def follow(current: Status, reported: Status) -> Status:
    """The status after tracking reports ``reported``: never backwards, never out of a
    final state; side states at the same stage (failed ↔ out for delivery) may alternate."""
    if current in FINAL:
        return current
    return reported if _RANK[reported] >= _RANK[current] else current


@dataclass(frozen=True, slots=True)
class Move:
    """Where a batch of tracking reports takes one order: from ``before`` to ``after``,
    through ``steps`` (each status taken, and when) for its history."""

    before: Status
    after: Status
    steps: tuple[tuple[Status, datetime], ...]


def follow_reports(
    current: Mapping[str, Status], reports: Iterable[tuple[str, Status, datetime]]
) -> dict[str, Move]:
    """Each order's reports applied in their order, forward only (``follow``), so two
    reports of one waybill in a batch act as they would one after the other. Only the
    orders whose status moves are in the answer; unknown waybills are not ours."""
    moves: dict[str, Move] = {}
    for waybill, reported, at in reports:
        if waybill not in current:
            continue
        move = moves.get(waybill)
        status = move.after if move else current[waybill]
        new = follow(status, reported)
        if new is not status:
            steps = (move.steps if move else ()) + ((new, at),)
            moves[waybill] = Move(current[waybill], new, steps)
    return moves
