"""Customer archive over REST for account managers (thin). Errors are problem+json."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from prometheus_client import REGISTRY, CollectorRegistry

from fairwind.http import FastJSONResponse, FastJSONRoute, Problem, setup_http
from fairwind.metrics import kit_metrics
from services.crm.api.archive import router as archive_router
from services.crm.api.callers import router as callers_router
from services.crm.api.churn import router as churn_router
from services.crm.api.complaints import router as complaints_router
from services.crm.api.deps import Service
from services.crm.api.managers import router as managers_router
from services.crm.api.reports import router as reports_router
from services.crm.archive_handlers import archive_figures
from services.crm.complaints import complaints_90d
from services.crm.handlers import CrmService, live_totals
from services.crm.views import profile_view, ranked_view

router = APIRouter(prefix="/v1", route_class=FastJSONRoute)


def create_app(svc: CrmService, registry: CollectorRegistry = REGISTRY) -> FastAPI:
    app = FastAPI(
        title="Fairwind CRM API",
        version="1.0",
        docs_url="/docs",
        description="Customer archive and five-interval classification (Q1..Q5). "
        "Errors are RFC 9457 problem+json; see docs/crm.md.",
    )
    app.state.service = svc
    setup_http(app, kit_metrics(registry), registry, max_body_bytes=svc.settings.max_body_bytes)
    app.include_router(router)
    app.include_router(archive_router)
    app.include_router(managers_router)
    app.include_router(reports_router)
    app.include_router(churn_router)
    app.include_router(complaints_router)
    app.include_router(callers_router)
    app.add_api_route("/healthz", _healthz, include_in_schema=False)
    return app


async def _healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/customers/{customer_id}", tags=["customers"])
async def get_customer(customer_id: str, svc: Service) -> FastJSONResponse:
    doc = await svc.store.customers.get(customer_id) if len(customer_id) <= 64 else None
    if doc is None:
        raise Problem(404, f"No customer {customer_id[:64]!r}.")
    totals, count = await live_totals(svc, doc), await complaints_90d(svc, doc)
    view = profile_view(doc, totals, svc.settings.currency, complaints_90d=count)
    view |= await archive_figures(svc, customer_id)  # levels, service_records_90d
    return FastJSONResponse(view)


@router.get("/customers", tags=["customers"])
async def list_customers(
    svc: Service,
    tier: Annotated[str | None, Query(pattern=r"^Q[1-5]$")] = None,
    limit: Annotated[int, Query(ge=1)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> FastJSONResponse:
    """Ranked customers (best first), optionally of one tier, as of the last re-rank."""
    if limit > svc.settings.max_list_limit:
        raise Problem(400, f"limit is at most {svc.settings.max_list_limit}.")
    docs = await svc.store.customers.listing(tier, limit, offset)
    return FastJSONResponse(
        {
            "customers": [ranked_view(d, svc.settings.currency) for d in docs],
            "tier": tier,
            "limit": limit,
            "offset": offset,
        }
    )
