"""FastAPI dependencies: the service, the authenticated partner and its scopes."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, Header, Request

from fairwind.domain.waybill import InvalidWaybill, parse_waybill
from fairwind.http import Problem, bearer_token, credentials_required
from services.orders.handlers import OrdersService
from services.orders.keys import Partner
from services.orders.ratelimit import RateLimiter


# ``async``, though they await nothing: FastAPI runs a plain ``def`` dependency in its
# thread pool, a thread hop per request that cost intake a tenth of its time.
async def service(request: Request) -> OrdersService:
    svc: OrdersService = request.app.state.service
    return svc


async def limiter(request: Request) -> RateLimiter:
    rate_limiter: RateLimiter = request.app.state.limiter
    return rate_limiter


Service = Annotated[OrdersService, Depends(service)]


async def authenticated(
    svc: Service,
    rate_limiter: Annotated[RateLimiter, Depends(limiter)],
    authorization: Annotated[str | None, Header()] = None,
) -> Partner:
    token = bearer_token(authorization)
    partner = await svc.keys.authenticate(token) if token else None
    if partner is None:
        raise credentials_required("API key")
    wait = rate_limiter.acquire(partner.id, rate_per_s=partner.rate_per_s, burst=partner.burst)
    if wait > 0:
        raise Problem(
            429,
            "Rate limit exceeded for this partner.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
    return partner


def _scoped(scope: str) -> object:
    async def check(partner: Annotated[Partner, Depends(authenticated)]) -> Partner:
        if scope not in partner.scopes:
            raise Problem(403, f"This API key lacks the {scope!r} scope.")
        return partner

    return Depends(check)


Reader = Annotated[Partner, _scoped("orders:read")]
Writer = Annotated[Partner, _scoped("orders:write")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def idempotency_key(value: str | None) -> str:
    if value is None or not 1 <= len(value) <= 255 or not value.isprintable():
        raise Problem(
            400,
            "An Idempotency-Key header (1-255 printable characters) is required "
            "on creates, so a retried request never creates a second order.",
            reason="idempotency_key_required",
        )
    return value


def waybill_of(svc: OrdersService, text: str) -> str:
    try:
        return parse_waybill(text, svc.settings.waybill_prefix)
    except InvalidWaybill as exc:
        raise Problem(400, str(exc), reason="invalid_waybill") from exc
