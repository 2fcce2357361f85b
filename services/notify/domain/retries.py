"""When a delivery is tried again, and when an endpoint is given up on (webhooks; the e-mail
and SMS channels follow the same schedule).

- Answers: 2xx delivered. 5xx, 408, 429, a timeout and a refused or reset connection are
  the receiver's trouble for now: tried again. Any other answer (4xx, and 3xx: redirects
  are not followed, a signed body must not be re-posted elsewhere) is the receiver saying
  no: not tried again, recorded as failed.
- Schedule: exponential backoff from ``first_s`` doubling to ``cap_s``, each wait moved by
  up to ``jitter`` either way so endpoints that failed together do not retry together. A
  ``Retry-After`` on 429/503 is honoured if longer. Past ``give_up_after`` since the first
  attempt (about a day), the message is failed.
- An endpoint whose every attempt has failed for ``disable_after`` is disabled, and its
  partner told; one success clears the streak.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    REFUSED = "refused"  # permanent: the receiver said no


def verdict(status: int | None) -> Verdict:
    """``status`` None: no HTTP answer at all (timeout, connection refused or reset)."""
    if status is None or status >= 500 or status in (408, 429):
        return Verdict.RETRY
    if 200 <= status < 300:
        return Verdict.DELIVERED
    return Verdict.REFUSED


def retry_after_s(header: str | None, now: datetime) -> float | None:
    """A ``Retry-After`` header in seconds from ``now``: delta-seconds or an HTTP date."""
    if not header:
        return None
    text = header.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None  # unreadable: our own schedule applies
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    first_s: float = 5.0
    cap_s: float = 3600.0
    jitter: float = 0.2
    give_up_after: timedelta = timedelta(hours=24)
    disable_after: timedelta = timedelta(hours=24)

    def wait_s(self, attempts: int, rng: random.Random, retry_after: float | None = None) -> float:
        """The wait before the next try, after ``attempts`` failed tries (1 or more)."""
        base = min(self.cap_s, self.first_s * 2.0 ** max(0, attempts - 1))
        wait = base * (1 + rng.uniform(-self.jitter, self.jitter))
        return max(wait, retry_after or 0.0)

    def next_attempt(
        self,
        first_attempt: datetime,
        attempts: int,
        now: datetime,
        rng: random.Random,
        retry_after: float | None = None,
    ) -> datetime | None:
        """When to try again, or None: the message has had its day."""
        when = now + timedelta(seconds=self.wait_s(attempts, rng, retry_after))
        return None if when > first_attempt + self.give_up_after else when

    def disables(self, failing_since: datetime | None, now: datetime) -> bool:
        return failing_since is not None and now - failing_since >= self.disable_after
