"""Planned against actual: deviations from the planned route and the live ETA."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.tracking.domain.status import ScanEvent

LATE_TOLERANCE = timedelta(minutes=60)


@dataclass(frozen=True, slots=True)
class PlannedLeg:
    origin: str
    destination: str
    depart: datetime
    arrive: datetime


@dataclass(frozen=True, slots=True)
class Plan:
    """One version of a shipment's route and when it came into force (its planned_at)."""

    version: int
    since: datetime
    legs: tuple[PlannedLeg, ...]

    @property
    def places(self) -> frozenset[str]:
        return places(self.legs)


def places(legs: Sequence[PlannedLeg]) -> frozenset[str]:
    return frozenset(leg.origin for leg in legs) | {leg.destination for leg in legs}


def plan_in_force(plans: Sequence[Plan], at: datetime) -> Plan | None:
    """The plan a parcel followed at ``at``: the newest made by then. Before the first plan
    (a pickup scanned before routing answered), the first. A re-plan does not rewrite the
    past: a hub reached under the first plan is judged against the first plan."""
    if not plans:
        return None
    by_version = sorted(plans, key=lambda plan: plan.version)
    made = [plan for plan in by_version if plan.since <= at]
    return made[-1] if made else by_version[0]


@dataclass(frozen=True, slots=True)
class Deviation:
    kind: str  # "unplanned_hub" | "late_departure"
    location: str
    expected_location: str
    planned: datetime | None
    actual: datetime

    @property
    def delay(self) -> timedelta:
        return self.actual - self.planned if self.planned else timedelta(0)


def deviation(
    legs: Sequence[PlannedLeg],
    event: ScanEvent,
    location: str,
    is_hub: bool,
    at: datetime,
    tolerance: timedelta = LATE_TOLERANCE,
) -> Deviation | None:
    """A hub scan off the planned route, or a departure later than planned + tolerance."""
    if not legs or not is_hub:
        return None
    if location not in places(legs):
        return Deviation("unplanned_hub", location, _expected_next(legs, at), None, at)
    if event is ScanEvent.DEPARTED:
        leg = next((leg for leg in legs if leg.origin == location), None)
        if leg is not None and at - leg.depart > tolerance:
            return Deviation("late_departure", location, leg.destination, leg.depart, at)
    return None


def _expected_next(legs: Sequence[PlannedLeg], at: datetime) -> str:
    """Where the plan expected the parcel to arrive next after ``at``."""
    upcoming = [leg for leg in legs if leg.arrive >= at]
    return (upcoming[0] if upcoming else legs[-1]).destination


def live_eta(
    legs: Sequence[PlannedLeg], location: str, event: ScanEvent, at: datetime
) -> datetime | None:
    """Planned arrival at the destination outlet, shifted by the delay seen at the latest
    planned point (never earlier than planned: we do not promise to catch up). None off the
    planned route: the estimate stands until routing re-plans."""
    if not legs:
        return None
    planned_arrival = legs[-1].arrive
    if event is ScanEvent.DEPARTED:
        leaving = next((leg for leg in legs if leg.origin == location), None)
        if leaving is not None:
            return planned_arrival + max(timedelta(0), at - leaving.depart)
    reaching = next((leg for leg in legs if leg.destination == location), None)
    if reaching is not None:
        return planned_arrival + max(timedelta(0), at - reaching.arrive)
    return None
