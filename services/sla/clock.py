"""What "now" is for the SLA worker: the wall clock, or the newest event time seen (a replay
or a compressed simulated day), and the ticks that carry it between workers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class EventClock:
    """What "now" is, as the settings say.

    - ``wall``: the wall clock, for the pages and the timers alike.
    - ``event``: the newest event time seen, by this worker or (through the ticks) by another.
      The timers run ``lateness`` behind it, and not at all before the first event time:
      falling back to the wall clock would breach every open clock of a replay at once.
    """

    def __init__(
        self,
        mode: str,
        wall: Callable[[], datetime] | None = None,
        lateness: timedelta = timedelta(0),
    ) -> None:
        self.mode = mode
        self.wall = wall or (lambda: datetime.now(UTC))
        self.lateness = lateness
        self.newest: datetime | None = None

    def saw(self, at: datetime) -> None:
        if self.newest is None or at > self.newest:
            self.newest = at

    def now(self) -> datetime:
        """For the pages and snapshots: the newest event time, or the wall clock."""
        if self.mode == "event":
            return self.newest or self.wall()
        return self.wall()

    def timer_now(self) -> datetime | None:
        """For the timers: None while an event clock has seen no event time yet."""
        if self.mode != "event":
            return self.wall()
        return None if self.newest is None else self.newest - self.lateness


def tick_value(clock: EventClock) -> bytes:
    """What a tick carries: the sender's event clock (event mode), so that a worker whose
    partitions are quiet still fires its timers."""
    if clock.mode == "event" and clock.newest is not None:
        return clock.newest.isoformat().encode()
    return b""


def tick_time(value: bytes | None) -> datetime | None:
    """The event time a tick carries, if any (an empty or unreadable value carries none)."""
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value.decode())
    except (UnicodeDecodeError, ValueError):
        return None
    return at if at.tzinfo is not None else None
