"""What we promise: pickup within an hour, delivery within two hours of the parcel reaching
the destination outlet (inside its opening hours), next day only where the route makes it,
same day only within a city, remote areas add working days."""

from __future__ import annotations

from dataclasses import dataclass

from services.routing.domain.clock import add_working_days
from services.routing.domain.network import DAY, OutletRecord

PICKUP_SLA_MIN = 60
DELIVERY_SLA_MIN = 120
SERVICE_LEVELS = ("same_day", "next_day", "standard", "economy")


class NoService(Exception):
    """The service level cannot be offered for this shipment; the message says why."""


@dataclass(frozen=True, slots=True)
class Promise:
    pickup_by: int
    deliver_by: int
    next_day: bool
    remote_area: bool
    extra_working_days: int


def pickup_by(placed: int, window_start: int | None = None) -> int:
    """One hour after the order, or after the start of a later pickup window."""
    return max(placed, window_start or placed) + PICKUP_SLA_MIN


def delivered_by(arrival: int, outlet: OutletRecord) -> int:
    """Two hours after arrival, counted inside the outlet's opening hours."""
    day, minute = divmod(arrival, DAY)
    start = max(minute, outlet.opens_minute)
    if start + DELIVERY_SLA_MIN > outlet.closes_minute:
        day, start = day + 1, outlet.opens_minute
    return day * DAY + start + DELIVERY_SLA_MIN


def promise(
    level: str, pickup: int, arrival: int, origin: OutletRecord, destination: OutletRecord
) -> Promise:
    """The promise for ``level``; raises NoService when the level is not possible."""
    base = delivered_by(arrival, destination)
    pickup_day = pickup // DAY
    if level == "same_day":
        if origin.city_code != destination.city_code:
            raise NoService("same-day service is only offered within one city")
        if base // DAY != pickup_day:
            raise NoService("too late for same-day delivery; next-day is possible")
    if level == "next_day" and base // DAY > pickup_day + 1:
        raise NoService("no next-day service on this lane: the route arrives too late")
    extra = destination.remote_extra_days
    deliver = add_working_days(base, extra) if extra else base
    return Promise(pickup, deliver, base // DAY <= pickup_day + 1, extra > 0, extra)
