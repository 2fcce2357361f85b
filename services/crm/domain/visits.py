"""Which key accounts are due a visit (pure: no I/O, no clock; ``now`` is handed in).

A key account is due when it was never visited, or its last visit is more than
``interval_days`` before ``now``. Never-visited accounts come first (largest revenue first:
nobody has seen them at all); then the visited ones, most overdue first. ``days_overdue``
counts the whole days since the visit fell due (0 on the first day); it is None for an
account never visited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

DAY_S = 86_400


@dataclass(frozen=True, slots=True)
class VisitState:
    customer_id: str
    revenue_fen: int
    last_visit_at: datetime | None


@dataclass(frozen=True, slots=True)
class DueVisit:
    customer_id: str
    revenue_fen: int
    last_visit_at: datetime | None
    due_since: datetime | None  # None: never visited
    days_overdue: int | None


def due_visits(accounts: Iterable[VisitState], now: datetime, interval_days: int) -> list[DueVisit]:
    """The due accounts among ``accounts``, in the order above."""
    interval = timedelta(days=interval_days)
    never: list[DueVisit] = []
    overdue: list[DueVisit] = []
    for account in accounts:
        if account.last_visit_at is None:
            never.append(DueVisit(account.customer_id, account.revenue_fen, None, None, None))
            continue
        due_since = account.last_visit_at + interval
        if now > due_since:
            days = int((now - due_since).total_seconds() // DAY_S)
            overdue.append(
                DueVisit(
                    account.customer_id, account.revenue_fen, account.last_visit_at, due_since, days
                )
            )
    never.sort(key=lambda d: (-d.revenue_fen, d.customer_id))
    overdue.sort(key=lambda d: (d.last_visit_at or now, -d.revenue_fen, d.customer_id))
    return never + overdue
