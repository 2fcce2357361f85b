"""An endpoint's rate limit, as the generic cell rate algorithm: each request reserves the
next slot ``1/rate`` after the last, and up to ``burst`` may go at once after a quiet
spell. ``reserve`` says how long to wait before sending (no I/O, the clock is given)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Pace:
    rate_per_s: float
    burst: int = 1
    _due: float = field(default=0.0, init=False)  # the theoretical time of the next slot

    def __post_init__(self) -> None:
        if self.rate_per_s <= 0 or self.burst < 1:
            raise ValueError("a pace needs a positive rate and a burst of at least 1")

    def reserve(self, now: float) -> float:
        """Take the next slot: seconds to wait before using it (0: go now)."""
        interval = 1.0 / self.rate_per_s
        due = max(self._due, now)
        wait = max(0.0, due - now - (self.burst - 1) * interval)
        self._due = due + interval
        return wait
