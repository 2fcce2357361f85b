"""Per-partner token buckets: ``rate`` requests per second on average, bursts up to ``burst``.

Buckets live in the process; with N replicas behind a load balancer each enforces its share
(configure rate/N), which keeps the hot path free of a shared store.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self, rate_per_s: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate_per_s = rate_per_s
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def acquire(
        self,
        partner_id: str,
        cost: float = 1.0,
        rate_per_s: float | None = None,
        burst: int | None = None,
    ) -> float:
        """0 if allowed (tokens taken); otherwise the seconds to wait before retrying."""
        rate = rate_per_s or self.rate_per_s
        capacity = float(burst or self.burst)
        now = self.clock()
        bucket = self._buckets.get(partner_id)
        if bucket is None:
            bucket = self._buckets[partner_id] = _Bucket(capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if cost > capacity:
            return math.inf  # can never pass: the request is larger than the bucket
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return 0.0
        return (cost - bucket.tokens) / rate
