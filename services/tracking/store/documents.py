"""Reading a stored shipment document as the domain sees it: its position in the status
machine, its plans and the hops it took."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.tracking.domain.route import Plan, PlannedLeg, plan_in_force
from services.tracking.domain.status import Key, Position, Status

Document = dict[str, Any]
SINCE_EVER = datetime.min.replace(tzinfo=UTC)


def key_of(ship: Document) -> Key:
    rank, at, ident = ship["key"]
    return Key(rank, at, ident)


def position_of(ship: Document) -> Position:
    return Position(Status(ship["status"]), ship.get("substatus") or "", key_of(ship))


def legs_of(route: Document) -> tuple[PlannedLeg, ...]:
    return tuple(
        PlannedLeg(leg["from"]["code"], leg["to"]["code"], leg["depart"], leg["arrive"])
        for leg in route.get("legs", [])
    )


def plans_of(ship: Document) -> list[Plan]:
    """Every route version the shipment had (``plans``; a document from before the history
    was kept has only its ``route``, in force from the start)."""
    docs = ship.get("plans") or ([ship["route"]] if ship.get("route") else [])
    return [Plan(d["version"], d.get("since") or SINCE_EVER, legs_of(d)) for d in docs]


def hops_of(ship: Document) -> list[tuple[Document, bool]]:
    """The places the parcel went through, in order, each with whether it was on the plan in
    force when the parcel got there."""
    plans = plans_of(ship)
    hops = sorted((ship.get("hops") or {}).values(), key=lambda h: h.get("order", 0))
    judged = []
    for hop in hops:
        times = [hop[name] for name in ("arrived_at", "sorted_at", "departed_at") if hop.get(name)]
        plan = plan_in_force(plans, min(times)) if times else None
        judged.append((hop, plan is not None and hop["location"]["code"] in plan.places))
    return judged
