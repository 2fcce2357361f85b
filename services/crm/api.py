"""Customer archive over REST for account managers (thin). Errors are problem+json."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from prometheus_client import REGISTRY, CollectorRegistry

from fairwind.http import FastJSONResponse, Problem, setup_http
from fairwind.metrics import kit_metrics
from services.crm.handlers import CrmService, live_totals
from services.crm.views import profile_view, ranked_view

router = APIRouter(prefix="/v1")


# ``async``, though they await nothing: FastAPI runs a plain ``def`` dependency in its
# thread pool, a thread hop per request that cost intake a tenth of its time.
async def service(request: Request) -> CrmService:
    svc: CrmService = request.app.state.service
    return svc


Service = Annotated[CrmService, Depends(service)]


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
    app.add_api_route("/healthz", _healthz, include_in_schema=False)
    return app


async def _healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/customers/{customer_id}", tags=["customers"])
async def get_customer(customer_id: str, svc: Service) -> FastJSONResponse:
    doc = await svc.store.customers.get(customer_id) if len(customer_id) <= 64 else None
    if doc is None:
        raise Problem(404, f"No customer {customer_id[:64]!r}.")
    return FastJSONResponse(profile_view(doc, await live_totals(svc, doc), svc.settings.currency))


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
