"""The figures of the tier reports (pure: no I/O, no clock; ``today`` is passed in).

Revenue share per quintile: each tier's customers and 90-day revenue as of the last
re-rank, its share of all revenue and the cumulative share from Q1 down, and the 80/20
check: the share of revenue of the top 20 % of customers (the best ``round(n / 5)`` by
rank, at least one).

Tier movements: every tier change of a re-rank, counted per period (a UTC day for windows
of up to 30 days, else a week from Monday) as a from -> to matrix. A move towards Q1 is an
upgrade, away from it a downgrade; a first tier (from "new") is neither. Net movement into
Q1 is the moves into Q1 (first tiers included) minus the moves out of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.crm.domain.classification import KEY_ACCOUNT_TIER, TIERS

NEW = "new"  # the "from" of a customer's first tier
FROM_KEYS = (NEW, *TIERS)
DAILY_UP_TO_DAYS = 30
UPGRADE, DOWNGRADE = "upgrade", "downgrade"


def share_pct(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole > 0 else None


def top_count(customers: int) -> int:
    """How many customers are "the top 20 %": n / 5 rounded half up, at least one."""
    return max(1, (2 * customers + 5) // 10) if customers else 0


@dataclass(frozen=True, slots=True)
class TierRevenue:
    customers: int
    revenue_fen: int


@dataclass(frozen=True, slots=True)
class ShareRow:
    tier: str
    customers: int
    customers_pct: float | None
    revenue_fen: int
    share_pct: float | None
    cumulative_pct: float | None


@dataclass(frozen=True)
class RevenueShare:
    rows: list[ShareRow]
    customers: int
    revenue_fen: int
    top_customers: int
    top_customers_pct: float | None
    top_revenue_fen: int
    top_share_pct: float | None


def revenue_share(by_tier: Mapping[str, TierRevenue], top_revenue_fen: int) -> RevenueShare:
    """Rows Q1..Q5 (empty tiers included); ``top_revenue_fen`` is the revenue of the
    ``top_count`` best-ranked customers."""
    customers = sum(t.customers for t in by_tier.values())
    revenue = sum(t.revenue_fen for t in by_tier.values())
    rows: list[ShareRow] = []
    running = 0
    for tier in TIERS:
        figures = by_tier.get(tier, TierRevenue(0, 0))
        running += figures.revenue_fen
        rows.append(
            ShareRow(
                tier,
                figures.customers,
                share_pct(figures.customers, customers),
                figures.revenue_fen,
                share_pct(figures.revenue_fen, revenue),
                share_pct(running, revenue),
            )
        )
    top = top_count(customers)
    return RevenueShare(
        rows,
        customers,
        revenue,
        top,
        share_pct(top, customers),
        top_revenue_fen,
        share_pct(top_revenue_fen, revenue),
    )


def headline(share: RevenueShare) -> str:
    if share.top_share_pct is None or share.top_customers_pct is None:
        return "no ranked revenue yet"
    return (
        f"top 20 % of customers ({share.top_customers} of {share.customers}, "
        f"{share.top_customers_pct:.1f} %) make {share.top_share_pct:.1f} % of revenue"
    )


def weekly(days: int) -> bool:
    return days > DAILY_UP_TO_DAYS


def period_of(day: date, by_week: bool) -> date:
    """The period a day falls in, named by its first day (weeks start on Monday)."""
    return day - timedelta(days=day.weekday()) if by_week else day


def periods(since: date, today: date, by_week: bool) -> list[date]:
    step = timedelta(days=7 if by_week else 1)
    first, last = period_of(since, by_week), period_of(today, by_week)
    return [first + step * i for i in range((last - first) // step + 1)]


def direction(from_tier: str, to_tier: str) -> str | None:
    """upgrade (towards Q1), downgrade, or None for a first tier."""
    if from_tier == NEW:
        return None
    return UPGRADE if TIERS.index(to_tier) < TIERS.index(from_tier) else DOWNGRADE


@dataclass(frozen=True, slots=True)
class Moved:
    """``count`` tier changes from ``from_tier`` (or "new") to ``to_tier`` in a period."""

    period: date
    from_tier: str
    to_tier: str
    count: int


@dataclass
class Movement:
    """One period's (or the whole window's) tier changes."""

    start: date
    end: date
    matrix: dict[str, dict[str, int]] = field(
        default_factory=lambda: {f: dict.fromkeys(TIERS, 0) for f in FROM_KEYS}
    )
    upgrades: int = 0
    downgrades: int = 0
    entered: int = 0  # first tiers
    net_into_q1: int = 0

    def add(self, from_tier: str, to_tier: str, count: int) -> None:
        self.matrix[from_tier][to_tier] += count
        way = direction(from_tier, to_tier)
        if way == UPGRADE:
            self.upgrades += count
        elif way == DOWNGRADE:
            self.downgrades += count
        else:
            self.entered += count
        if to_tier == KEY_ACCOUNT_TIER:
            self.net_into_q1 += count
        if from_tier == KEY_ACCOUNT_TIER:
            self.net_into_q1 -= count


@dataclass(frozen=True)
class Movements:
    periods: list[Movement]
    total: Movement
    by_week: bool


def movements(moved: Iterable[Moved], since: date, today: date, by_week: bool) -> Movements:
    """Every period of the window (empty ones too), each cut to the window's days."""
    starts = periods(since, today, by_week)
    span = timedelta(days=6 if by_week else 0)
    table = {s: Movement(max(s, since), min(s + span, today)) for s in starts}
    total = Movement(since, today)
    for move in moved:
        if move.from_tier == move.to_tier:
            continue
        if move.from_tier not in FROM_KEYS or move.to_tier not in TIERS:
            continue  # not a tier this report knows; never in a ranking's history
        period = table.get(period_of(move.period, by_week))
        if period is None:
            continue
        period.add(move.from_tier, move.to_tier, move.count)
        total.add(move.from_tier, move.to_tier, move.count)
    return Movements([table[s] for s in starts], total, by_week)
