"""The network's clock: schedules are in local minutes of day, plans in absolute local
minutes (whole days since 0001-01-01, times 1440, plus the minute of day)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.routing.domain.network import DAY


def to_minutes(value: datetime, zone: ZoneInfo) -> int:
    """Local minutes, rounded up: a parcel ready at 10:00:30 is ready for the 10:01 leg."""
    local = value.astimezone(zone)
    seconds = local.second + local.microsecond / 1e6
    return local.date().toordinal() * DAY + local.hour * 60 + local.minute + math.ceil(seconds / 60)


def from_minutes(minutes: int, zone: ZoneInfo) -> datetime:
    day, minute = divmod(minutes, DAY)
    midnight = datetime.fromordinal(day).replace(tzinfo=zone)
    return (midnight + timedelta(minutes=minute)).astimezone(UTC)


def add_working_days(minutes: int, days: int) -> int:
    """``days`` working days later (Saturdays and Sundays do not count)."""
    day, minute = divmod(minutes, DAY)
    while days > 0:
        day += 1
        if datetime.fromordinal(day).weekday() < 5:
            days -= 1
    return day * DAY + minute
