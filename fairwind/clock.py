"""The platform's business clock.

Domain times (when an order was placed, a pickup accepted, a route planned, a shipment
updated) come from one ``PlatformClock``. In production it is the wall clock. For a
simulated network day every service is started with the same origin, anchor and speed, so
they all agree on a compressed time: ``now = origin + (wall - anchor) * speed``.

Transport times (envelope ``ce_time``, relay leases, dedupe expiry) stay on the wall clock:
they are about the machinery, not the business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


def wall_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PlatformClock:
    """Business time: the wall clock, or a scaled one for simulations and replays."""

    speed: float = 1.0
    origin: datetime | None = None  # the business time at ``anchor``
    anchor: datetime | None = None  # the wall time at which business time was ``origin``
    wall: Callable[[], datetime] = field(default=wall_now, compare=False)

    def __post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError("clock speed must be positive")
        if (self.origin is None) != (self.anchor is None):
            raise ValueError("clock origin and anchor go together")

    @property
    def simulated(self) -> bool:
        return self.origin is not None or self.speed != 1.0

    def now(self) -> datetime:
        wall = self.wall()
        if not self.simulated:
            return wall
        origin = self.origin or wall
        anchor = self.anchor or wall
        return origin + (wall - anchor) * self.speed

    def wall_seconds(self, business_seconds: float) -> float:
        """How long ``business_seconds`` of business time take on the wall clock."""
        return business_seconds / self.speed


def next_day_start(now: datetime, zone: ZoneInfo, hour: int = 7) -> datetime:
    """The next working day's ``hour``:00 in ``zone`` (a simulated day starts before the
    first bookings; Monday to Thursday, so next-day deliveries land on a working day too)."""
    local = now.astimezone(zone)
    start = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if start < local:
        start += timedelta(days=1)
    while start.weekday() > 3:
        start += timedelta(days=1)
    return start
