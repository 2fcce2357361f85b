"""The five-interval classification and the revenue windows (pure: no I/O, no clock).

Money is whole fen (0.01 CNY) as ``int`` throughout: no binary floating point for money.

Ranking: customers sorted by trailing-90-day revenue, highest first; equal revenue is
broken by customer id (ascending), so the same data always gives the same ranking.

Quintiles: the customer at 0-based rank ``r`` of ``n`` is in ``Q(floor(r * 5 / n) + 1)``.
With n a multiple of five the groups are exactly equal; otherwise the larger groups are the
lower-ranked ones and every customer keeps the tier its position earns (1 customer: Q1;
2: Q1, Q3; 3: Q1, Q2, Q4; 7: Q1, Q1, Q2, Q3, Q3, Q4, Q5). Key account = Q1.

Window: the trailing 90 days are the business day of ``now`` and the 89 before it (UTC
dates). Live revenue is kept in daily buckets. Imported history (a revenue total for "the
last 90 days" as of the import day) is taken as spread evenly over the 90 days before the
import, so it ages out of the window a ninetieth a day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # archive_domain builds on this module
    from services.crm.domain.archive import Contact

WINDOW_DAYS = 90
TIERS = ("Q1", "Q2", "Q3", "Q4", "Q5")
KEY_ACCOUNT_TIER = "Q1"
_FEN = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Totals:
    """Revenue (fen) and shipments over a window."""

    revenue_fen: int = 0
    shipments: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.revenue_fen + other.revenue_fen, self.shipments + other.shipments)

    @property
    def orders_per_week(self) -> float:
        return self.shipments * 7 / WINDOW_DAYS


@dataclass(frozen=True, slots=True)
class Bucket:
    """One customer's orders of one business day (cancellations subtract)."""

    day: date
    revenue_fen: int
    shipments: int


@dataclass(frozen=True, slots=True)
class DayDelta:
    """What to add to one customer's bucket of one business day."""

    customer_id: str
    day: date
    revenue_fen: int
    shipments: int


def day_deltas(counted: Iterable[tuple[str, date, int]]) -> list[DayDelta]:
    """One delta per customer and day from ``(customer, day, revenue_fen)`` of new orders."""
    sums: dict[tuple[str, date], list[int]] = {}
    for customer_id, day, revenue_fen in counted:
        total = sums.setdefault((customer_id, day), [0, 0])
        total[0] += revenue_fen
        total[1] += 1
    return [DayDelta(c, d, revenue, shipments) for (c, d), (revenue, shipments) in sums.items()]


@dataclass(frozen=True, slots=True)
class Sighting:
    """A customer seen on an order: who shipped, when, from which phone (E.164 or None)
    and which city (the shipper address's, "" if none)."""

    customer_id: str
    name: str
    company: str
    at: datetime
    phone: str | None
    city: str = ""


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    """One customer of an imported archive (a VIP information system's export)."""

    customer_id: str
    name: str
    company: str
    phones: list[str]
    emails: list[str]
    revenue_fen: int
    shipments: int
    contacts: list[Contact] | None = None  # None: the line gave none, keep those stored
    city: str | None = None


@dataclass(frozen=True, slots=True)
class Baseline:
    """Imported 90-day history, as of the import day."""

    revenue_fen: int
    shipments: int
    as_of: date


@dataclass(frozen=True, slots=True)
class Ranked:
    customer_id: str
    revenue_fen: int
    rank: int  # 1 = highest revenue
    tier: str

    @property
    def key_account(self) -> bool:
        return self.tier == KEY_ACCOUNT_TIER


@dataclass(frozen=True, slots=True)
class TierChange:
    ranked: Ranked
    previous: str | None  # None: never ranked before


def fen(amount: Decimal | float | str) -> int:
    """CNY to fen, rounding half up (12.345 -> 1235)."""
    return int((Decimal(str(amount)) / _FEN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_of_money(units: int, nanos: int) -> int:
    """A protobuf ``Money`` (units + nanos / 1e9) to fen, rounding half up (ties away from
    zero, as ``fen``). Integer arithmetic: every order passes here, and the Decimal route
    cost ten times as much."""
    total = units * 1_000_000_000 + nanos
    whole, rest = divmod(abs(total), 10_000_000)
    rounded = whole + (rest >= 5_000_000)
    return rounded if total >= 0 else -rounded


def cny(revenue_fen: int) -> Decimal:
    return (Decimal(revenue_fen) * _FEN).quantize(_FEN)


def business_day(at: datetime) -> date:
    """The bucket an order falls in: its UTC date."""
    return at.date() if at.tzinfo is None else at.astimezone(UTC).date()


def window_start(today: date) -> date:
    """The first day of the trailing window that ends with ``today`` (inclusive)."""
    return today - timedelta(days=WINDOW_DAYS - 1)


def in_window(day: date, today: date) -> bool:
    """Days from ``window_start(today)`` on count (a bucket dated after today counts too)."""
    return day >= window_start(today)


def trailing(buckets: Iterable[Bucket], today: date) -> Totals:
    """Revenue and shipments of the buckets inside the trailing window."""
    total = Totals()
    for bucket in buckets:
        if in_window(bucket.day, today):
            total += Totals(bucket.revenue_fen, bucket.shipments)
    return total


def aged(baseline: Baseline | None, today: date) -> Totals:
    """What of an imported 90-day total is still inside the window ``today``: the history is
    spread evenly over the 90 days before ``as_of``, so after ``k`` days ``(90 - k) / 90`` of
    it remains (rounded down), and nothing after 90 days."""
    if baseline is None:
        return Totals()
    elapsed = max(0, (today - baseline.as_of).days)
    remaining = max(0, WINDOW_DAYS - elapsed)
    return Totals(
        baseline.revenue_fen * remaining // WINDOW_DAYS,
        baseline.shipments * remaining // WINDOW_DAYS,
    )


def standing(baseline: Baseline | None, window_totals: Totals, today: date) -> Totals:
    """A customer's trailing-90-day figures: aged import plus live buckets in the window."""
    return aged(baseline, today) + window_totals


def quintile(rank0: int, population: int) -> str:
    """Tier of the customer at 0-based ``rank0`` among ``population``: Q(floor(r*5/n)+1)."""
    if not 0 <= rank0 < population:
        raise ValueError(f"rank {rank0} outside a population of {population}")
    return TIERS[rank0 * len(TIERS) // population]


def rank(revenues: Mapping[str, int]) -> list[Ranked]:
    """Every customer ranked by revenue (highest first, ties by customer id) with its tier.

    Equal revenue means an equal tier: the tier of the first of them, so the customer id
    that breaks the tie for the rank never decides the tier. No revenue in the window is Q5,
    however few customers there are."""
    order = sorted(revenues.items(), key=lambda item: (-item[1], item[0]))
    n = len(order)
    ranked: list[Ranked] = []
    for index, (customer_id, revenue) in enumerate(order):
        if not ranked or revenue != ranked[-1].revenue_fen:
            tier = quintile(index, n) if revenue > 0 else TIERS[-1]
        ranked.append(Ranked(customer_id, revenue, index + 1, tier))
    return ranked


def tier_changes(ranking: Iterable[Ranked], current: Mapping[str, str | None]) -> list[TierChange]:
    """Customers whose tier differs from ``current`` (a first tier counts as a change)."""
    return [
        TierChange(ranked, current.get(ranked.customer_id))
        for ranked in ranking
        if current.get(ranked.customer_id) != ranked.tier
    ]


def counts_by_tier(ranking: Iterable[Ranked]) -> dict[str, int]:
    counts = dict.fromkeys(TIERS, 0)
    for ranked in ranking:
        counts[ranked.tier] += 1
    return counts


@dataclass(frozen=True, slots=True)
class Reversal:
    """What a cancellation takes back from a bucket: the order's own revenue and shipment,
    in the day the order was counted, only if it was counted and not cancelled already."""

    day: date
    revenue_fen: int
    shipments: int


def reversal(
    counted: bool, already_cancelled: bool, created: datetime, revenue_fen: int
) -> Reversal | None:
    if not counted or already_cancelled:
        return None
    return Reversal(business_day(created), -revenue_fen, -1)
