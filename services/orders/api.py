"""The partner REST API (thin): authenticate, rate-limit, parse, hand over to handlers."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from prometheus_client import REGISTRY, CollectorRegistry
from pydantic import AwareDatetime, BaseModel, Field

from fairwind.http import FastJSONResponse, FastJSONRoute, Problem, setup_http, validation_problem
from fairwind.metrics import kit_metrics
from fairwind.problems import Rejected
from services.orders import batch as batch_import
from services.orders import handlers, labels
from services.orders.clients import NoService, RoutingUnavailable
from services.orders.deps import (
    IdempotencyKey,
    Reader,
    Service,
    Writer,
    idempotency_key,
    waybill_of,
)
from services.orders.domain.status import Status
from services.orders.handlers import OrdersService, Outcome
from services.orders.keys import Partner
from services.orders.quotes import quote_view
from services.orders.ratelimit import RateLimiter
from services.orders.schemas import (
    BatchOut,
    CancelIn,
    OrderIn,
    OrderOut,
    OrderPage,
    QuoteIn,
    QuoteOut,
)
from services.orders.store import OrderFilter

BATCH_PATH = "/v1/orders:batch"
router = APIRouter(prefix="/v1", route_class=FastJSONRoute)


class BatchIn(BaseModel):
    orders: list[Any] = Field(min_length=1, max_length=10_000)


def create_app(svc: OrdersService, registry: CollectorRegistry = REGISTRY) -> FastAPI:
    settings = svc.settings
    app = FastAPI(
        title="Fairwind Orders API",
        version="1.0",
        docs_url="/docs",
        description="Order intake for partner shippers. Errors are RFC 9457 "
        "problem+json; see docs/api/orders.md.",
    )
    app.state.service = svc
    app.state.limiter = RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst)
    setup_http(
        app,
        kit_metrics(registry),
        registry,
        max_body_bytes=settings.max_body_bytes,
        body_limits={BATCH_PATH: settings.max_batch_body_bytes},
    )
    app.add_exception_handler(Rejected, _rejected)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.include_router(router)
    app.add_api_route("/healthz", _healthz, include_in_schema=False)
    return app


async def _rejected(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Rejected)
    request.app.state.service.metrics.rejected.labels(exc.reason).inc()
    body = exc.body() | {"instance": request.url.path}
    return FastJSONResponse(
        body, status_code=exc.status, headers=exc.headers, media_type="application/problem+json"
    )


async def _invalid(request: Request, exc: Exception) -> Response:
    request.app.state.service.metrics.rejected.labels("invalid_request").inc()
    return await validation_problem(request, exc)


async def _healthz() -> dict[str, str]:
    return {"status": "ok"}


def _digest(value: Any) -> str:
    """A hash of the request that ignores key order and white space."""
    canonical = orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(canonical).hexdigest()


def _respond(outcome: Outcome, location: str | None = None) -> FastJSONResponse:
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    if location and outcome.status == 201:
        headers["Location"] = location
    return FastJSONResponse(outcome.body, status_code=outcome.status, headers=headers)


async def _owned(svc: OrdersService, partner: Partner, waybill: str) -> dict[str, Any]:
    doc = await svc.store.orders.get(partner.id, waybill_of(svc, waybill))
    if doc is None:  # another partner's order looks the same as none at all
        raise Problem(404, f"No order {waybill}.")
    return doc


# ``response_model`` documents what the routes answer; they build their JSON themselves
# (``FastJSONResponse``), so FastAPI does not validate it again on the way out.
@router.post("/orders", status_code=201, tags=["orders"], response_model=OrderOut)
async def create_order(
    order: OrderIn, svc: Service, partner: Writer, key: IdempotencyKey = None
) -> FastJSONResponse:
    outcome = await handlers.create_order(
        svc, partner, order, idempotency_key(key), _digest(order.model_dump(mode="json"))
    )
    return _respond(outcome, f"/v1/orders/{outcome.body.get('waybill')}")


@router.post("/orders:batch", tags=["orders"], response_model=BatchOut)
async def create_batch(
    batch: BatchIn, svc: Service, partner: Writer, key: IdempotencyKey = None
) -> FastJSONResponse:
    outcome = await batch_import.create_batch(
        svc, partner, batch.orders, idempotency_key(key), _digest(batch.orders)
    )
    return _respond(outcome)


@router.post("/quotes", tags=["quotes"])
async def quote(request: QuoteIn, svc: Service, partner: Reader) -> QuoteOut:
    try:
        result = await svc.intake.routing.quote(
            request.origin,
            request.destination,
            list(request.parcels),
            request.service_level,
            request.ship_at,
            request.cod_amount,
            partner.customer_id,
        )
    except RoutingUnavailable as exc:
        raise Problem(
            503,
            "Quotes are unavailable right now; orders are still accepted.",
            headers={"Retry-After": "5"},
        ) from exc
    except NoService as exc:
        raise Rejected(422, "no_service", str(exc)) from exc
    return quote_view(result, request.service_level)


@router.get("/orders/{waybill}", tags=["orders"], response_model=OrderOut)
async def get_order(waybill: str, svc: Service, partner: Reader) -> FastJSONResponse:
    return FastJSONResponse(svc.view(await _owned(svc, partner, waybill)))


@router.get("/orders", tags=["orders"])
async def list_orders(
    svc: Service,
    partner: Reader,
    status: Status | None = None,
    partner_order_id: Annotated[str | None, Query(max_length=64)] = None,
    created_from: AwareDatetime | None = None,
    created_to: AwareDatetime | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> OrderPage:
    filters = OrderFilter(
        status.value if status else None, partner_order_id, _utc(created_from), _utc(created_to)
    )
    try:
        docs, next_cursor = await svc.store.orders.page(partner.id, filters, cursor, limit)
    except ValueError as exc:
        raise Problem(400, str(exc), reason="invalid_cursor") from exc
    return OrderPage.model_validate(
        {"orders": [svc.view(d) for d in docs], "next_cursor": next_cursor}
    )


@router.post("/orders/{waybill}/cancel", tags=["orders"], response_model=OrderOut)
async def cancel(
    waybill: str, svc: Service, partner: Writer, body: CancelIn | None = None
) -> FastJSONResponse:
    reason = (body or CancelIn()).reason
    return _respond(await handlers.cancel_order(svc, partner, waybill_of(svc, waybill), reason))


@router.get("/orders/{waybill}/label", tags=["labels"])
async def label(
    waybill: str, svc: Service, partner: Reader, format: Literal["pdf", "zpl"] = "pdf"
) -> Response:
    doc = await _owned(svc, partner, waybill)
    if format == "zpl":
        return Response(labels.zpl_label(doc), media_type="application/zpl")
    return Response(
        labels.pdf_label(doc),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{doc["_id"]}.pdf"'},
    )


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)
