"""A limit on ``phone_last4`` guesses, per waybill and per client, shared by every tracking
process: the counters live in MongoDB (``store.guesses``), none in memory.

Each guess takes a slot before it is compared, so a burst of parallel requests cannot
slip past the limit; a right guess gives its slot back. The guess after the last slot of a
window locks the key for ``lock``: every guess is refused then, the right one too (the
signed tracking link still works). Times are wall-clock: this guards the machine, not the
business.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fairwind.clock import wall_now
from services.tracking.store import GuessCounters


@dataclass(frozen=True, slots=True)
class GuessLimits:
    per_waybill: int
    per_client: int
    window: timedelta
    lock: timedelta


class GuessThrottle:
    def __init__(
        self,
        counters: GuessCounters,
        limits: GuessLimits,
        now: Callable[[], datetime] = wall_now,
    ) -> None:
        self.counters = counters
        self.limits = limits
        self.now = now

    async def take(self, waybill: str, client: str) -> int:
        """Seconds until a guess may be made again (0: go ahead, the guess is counted)."""
        now = self.now()
        waits = []
        for key, limit in self._keys(waybill, client):
            locked_until = await self.counters.take(
                key, limit, now, self.limits.window, self.limits.lock
            )
            waits.append(_seconds_until(locked_until, now))
        return max(waits)

    async def give_back(self, waybill: str, client: str) -> None:
        """A right guess does not count against the owner."""
        now = self.now()
        for key, _ in self._keys(waybill, client):
            await self.counters.give_back(key, now)

    def _keys(self, waybill: str, client: str) -> list[tuple[str, int]]:
        # The client's address is personal data: only a digest of it is stored.
        digest = hashlib.sha256(client.encode()).hexdigest()[:24]
        return [
            (f"waybill:{waybill}", self.limits.per_waybill),
            (f"client:{digest}", self.limits.per_client),
        ]


def _seconds_until(locked_until: datetime | None, now: datetime) -> int:
    if locked_until is None or locked_until <= now:
        return 0
    return max(1, math.ceil((locked_until - now).total_seconds()))
