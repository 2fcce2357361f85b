"""Reports over REST (thin): satisfaction, revenue share per quintile, tier movements.
JSON by default, ``?format=csv`` for a spreadsheet; bad parameters are problem+json."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from fairwind.http import FastJSONResponse, FastJSONRoute
from services.crm.api import report_views
from services.crm.api.deps import Service
from services.crm.reporting import (
    revenue_share_report,
    satisfaction_report,
    tier_movements_report,
)

router = APIRouter(prefix="/v1/reports", tags=["reports"], route_class=FastJSONRoute)
MAX_DAYS = 365
CSV = "text/csv; charset=utf-8"


Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description=f"Business days, 1..{MAX_DAYS}.")]
Format = Annotated[Literal["json", "csv"], Query(alias="format")]


def _csv(text: str, name: str) -> Response:
    disposition = f'attachment; filename="{name}.csv"'
    return Response(text, media_type=CSV, headers={"Content-Disposition": disposition})


@router.get("/satisfaction")
async def satisfaction(svc: Service, days: Days = 30, fmt: Format = "json") -> Response:
    """CSAT, mean score and NPS over the window: overall, per source, tier, outlet and SLA
    met / breached / unknown, and the breach effect (met minus breached)."""
    report, span = await satisfaction_report(svc, days)
    if fmt == "csv":
        return _csv(report_views.satisfaction_csv(report), f"satisfaction-{days}d")
    return FastJSONResponse(report_views.satisfaction_json(report, span))


@router.get("/revenue-share")
async def revenue_share(svc: Service, fmt: Format = "json") -> Response:
    """Each tier's customers and share of 90-day revenue as of the last re-rank, and the
    share of the top 20 % of customers (the 80/20 check)."""
    share, ranked_at = await revenue_share_report(svc)
    if fmt == "csv":
        return _csv(report_views.revenue_share_csv(share), "revenue-share")
    currency = svc.settings.currency
    return FastJSONResponse(report_views.revenue_share_json(share, ranked_at, currency))


@router.get("/tier-movements")
async def tier_movements(svc: Service, days: Days = 90, fmt: Format = "json") -> Response:
    """Tier changes at re-rank per day (per week beyond 30 days): from -> to counts,
    upgrades, downgrades, first tiers and the net movement into Q1."""
    moves, span = await tier_movements_report(svc, days)
    if fmt == "csv":
        return _csv(report_views.movements_csv(moves), f"tier-movements-{days}d")
    return FastJSONResponse(report_views.movements_json(moves, span))
