"""The reports' reads: a few aggregations each, then the pure rules (``satisfaction``,
``report_rules``). Windows are business days (UTC dates) ending with today's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.crm.domain.classification import business_day
from services.crm.domain.reports import (
    NEW,
    Moved,
    Movements,
    RevenueShare,
    movements,
    revenue_share,
    top_count,
    weekly,
)
from services.crm.domain.satisfaction import (
    DELIVERY,
    SatisfactionReport,
    joined,
    report,
    report_since,
)
from services.crm.handlers import CrmService


@dataclass(frozen=True)
class Window:
    days: int
    since: datetime  # midnight (UTC) of the first day
    now: datetime

    @property
    def first_day(self) -> date:
        return self.since.date()

    @property
    def today(self) -> date:
        return business_day(self.now)


def window(svc: CrmService, days: int) -> Window:
    now = svc.clock.now()
    return Window(days, report_since(business_day(now), days), now)


async def satisfaction_report(svc: CrmService, days: int) -> tuple[SatisfactionReport, Window]:
    """Surveys answered in the window joined to their outcomes (one aggregation)."""
    span = window(svc, days)
    rows = await svc.store.surveys.joined(span.since)
    answers = [
        joined(
            row.get("source") or DELIVERY,
            row["score"],
            row.get("recommend"),
            row.get("customer_tier"),
            row.get("outcome"),
            row["count"],
        )
        for row in rows
    ]
    return report(answers), span


async def revenue_share_report(svc: CrmService) -> tuple[RevenueShare, datetime | None]:
    """Per tier of the last re-rank, and when that was."""
    by_tier, ranked_at = await svc.store.satisfaction.revenue_by_tier()
    top = top_count(sum(t.customers for t in by_tier.values()))
    return revenue_share(by_tier, await svc.store.satisfaction.top_revenue(top)), ranked_at


async def tier_movements_report(svc: CrmService, days: int) -> tuple[Movements, Window]:
    span = window(svc, days)
    by_week = weekly(days)
    rows = await svc.store.tier_history.counts(span.since, by_week)
    moved = [
        Moved(
            business_day(row["period"]),
            row.get("from") or NEW,
            row["to"],
            row["count"],
        )
        for row in rows
    ]
    return movements(moved, span.first_day, span.today, by_week), span
