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
    planned_places = {leg.origin for leg in legs} | {leg.destination for leg in legs}
    if location not in planned_places:
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
