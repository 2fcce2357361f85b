"""Notify over REST (thin): the partner API (a partner's webhook endpoints, their secrets,
a test ping, the delivery log and replays) and the pages links in messages open (``pages``). A
partner's API key (the orders service's, with the ``webhooks:manage`` scope) is checked
with orders over gRPC. Errors are problem+json."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Response
from prometheus_client import REGISTRY, CollectorRegistry

from fairwind.http import FastJSONRoute, Problem, bearer_token, credentials_required, setup_http
from fairwind.metrics import kit_metrics
from services.notify import pages
from services.notify.channels.webhook import WebhookPoster
from services.notify.deps import Service, keys, poster
from services.notify.domain.partners import EventType
from services.notify.handlers import NotifyService
from services.notify.partner_keys import KeysUnavailable, PartnerKey, PartnerKeys
from services.notify.rendering import Renderer
from services.notify.schemas import (
    AttemptOut,
    EndpointIn,
    EndpointOut,
    EndpointPatch,
    PingOut,
    ReplayIn,
    ReplayOut,
    RotateIn,
    SecretOut,
)
from services.notify.webhooks import manage

Document = dict[str, Any]
SCOPE = "webhooks:manage"
router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], route_class=FastJSONRoute)


async def partner(
    checker: Annotated[PartnerKeys, Depends(keys)],
    authorization: Annotated[str | None, Header()] = None,
) -> str:
    try:
        key = await checker.authenticate(bearer_token(authorization))
    except KeysUnavailable as exc:
        raise Problem(
            503, "API keys cannot be checked just now.", headers={"Retry-After": "5"}
        ) from exc
    if key is None:
        raise credentials_required("API key")
    return _scoped(key)


def _scoped(key: PartnerKey) -> str:
    if SCOPE not in key.scopes:
        raise Problem(403, f"This API key lacks the {SCOPE!r} scope.")
    return key.partner_id


Partner = Annotated[str, Depends(partner)]


def create_app(
    svc: NotifyService,
    checker: PartnerKeys,
    sender: WebhookPoster,
    registry: CollectorRegistry = REGISTRY,
    renderer: Renderer | None = None,
) -> FastAPI:
    app = FastAPI(
        title="Fairwind notify API",
        version="1.0",
        docs_url="/docs",
        description="Partners' webhook endpoints (Standard Webhooks), their secrets, test "
        "pings, delivery attempts and replays; the post-delivery survey page. Errors are "
        "RFC 9457 problem+json; see docs/notify.md.",
    )
    app.state.service, app.state.keys, app.state.poster = svc, checker, sender
    app.state.renderer = renderer or Renderer.load()
    setup_http(app, kit_metrics(registry), registry, max_body_bytes=64 * 1024)
    app.include_router(router)
    app.include_router(pages.router)
    app.add_api_route("/healthz", _healthz, include_in_schema=False)
    return app


async def _healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/event-types")
async def event_types() -> dict[str, list[str]]:
    return {"event_types": [t.value for t in EventType]}


@router.post("/endpoints", status_code=201)
async def create_endpoint(body: EndpointIn, svc: Service, partner_id: Partner) -> EndpointOut:
    spec = manage.EndpointSpec(
        body.url,
        frozenset(body.event_types),
        body.description,
        body.rate_per_s,
        body.max_in_flight,
        (body.alert_email, body.alert_language),
    )
    doc, secret = await manage.create(svc, partner_id, spec)
    return _view(doc, secret)


@router.get("/endpoints")
async def list_endpoints(svc: Service, partner_id: Partner) -> dict[str, list[EndpointOut]]:
    return {"endpoints": [_view(doc) for doc in await svc.store.endpoints.of_partner(partner_id)]}


@router.get("/endpoints/{endpoint_id}")
async def get_endpoint(endpoint_id: str, svc: Service, partner_id: Partner) -> EndpointOut:
    return _view(await _own(svc, partner_id, endpoint_id))


@router.patch("/endpoints/{endpoint_id}")
async def change_endpoint(
    endpoint_id: str, body: EndpointPatch, svc: Service, partner_id: Partner
) -> EndpointOut:
    fields = body.model_dump(exclude_none=True)
    if "event_types" in fields:
        fields["event_types"] = sorted(t.value for t in body.event_types or [])
    doc = await manage.change(svc, partner_id, endpoint_id, fields)
    if doc is None:
        raise _missing(endpoint_id)
    return _view(doc)


@router.delete("/endpoints/{endpoint_id}", status_code=204)
async def delete_endpoint(endpoint_id: str, svc: Service, partner_id: Partner) -> Response:
    if not await svc.store.endpoints.delete(endpoint_id, partner_id):
        raise _missing(endpoint_id)
    return Response(status_code=204)


@router.post("/endpoints/{endpoint_id}/rotate-secret")
async def rotate_secret(
    endpoint_id: str, body: RotateIn, svc: Service, partner_id: Partner
) -> EndpointOut:
    rotated = await manage.rotate(
        svc, partner_id, endpoint_id, timedelta(seconds=body.keep_old_for_s)
    )
    if rotated is None:
        raise _missing(endpoint_id)
    return _view(*rotated)


@router.post("/endpoints/{endpoint_id}/ping")
async def ping_endpoint(
    endpoint_id: str,
    svc: Service,
    partner_id: Partner,
    sender: Annotated[WebhookPoster, Depends(poster)],
) -> PingOut:
    answer = await manage.ping(svc, sender, await _own(svc, partner_id, endpoint_id))
    return PingOut(
        status=answer.status, latency_ms=round(answer.latency_s * 1000, 1), error=answer.error
    )


@router.get("/endpoints/{endpoint_id}/attempts")
async def list_attempts(
    endpoint_id: str,
    svc: Service,
    partner_id: Partner,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: datetime | None = None,
) -> dict[str, list[AttemptOut]]:
    """The newest attempts first; page on with ``before`` = the last one's ``at``."""
    await _own(svc, partner_id, endpoint_id)
    found = await svc.store.attempts.of_endpoint(endpoint_id, limit, before)
    return {"attempts": [AttemptOut(**doc) for doc in found]}


@router.post("/endpoints/{endpoint_id}/replays", status_code=202)
async def replay(endpoint_id: str, body: ReplayIn, svc: Service, partner_id: Partner) -> ReplayOut:
    doc = await _own(svc, partner_id, endpoint_id)
    now = datetime.now(UTC)
    until = body.until or now
    if not body.since < until <= now + timedelta(minutes=1):
        raise Problem(
            400,
            "A replay needs since < until, and until not in the future.",
            reason="invalid_window",
        )
    if now - body.since > timedelta(days=svc.settings.replay_max_days):
        raise Problem(
            400,
            f"Replays go back {svc.settings.replay_max_days} days at most.",
            reason="invalid_window",
        )
    return _replay_view(await manage.request_replay(svc, doc, body.since, until))


@router.get("/endpoints/{endpoint_id}/replays/{replay_id}")
async def get_replay(
    endpoint_id: str, replay_id: str, svc: Service, partner_id: Partner
) -> ReplayOut:
    await _own(svc, partner_id, endpoint_id)
    job = await svc.store.replays.get(replay_id, endpoint_id)
    if job is None:
        raise Problem(404, f"No replay {replay_id[:40]!r} of this endpoint.")
    return _replay_view(job)


async def _own(svc: NotifyService, partner_id: str, endpoint_id: str) -> Document:
    """The partner's endpoint; another partner's is as absent as one that never was."""
    doc = await svc.store.endpoints.get(endpoint_id, partner_id) if len(endpoint_id) <= 40 else None
    if doc is None:
        raise _missing(endpoint_id)
    return doc


def _missing(endpoint_id: str) -> Problem:
    return Problem(404, f"No endpoint {endpoint_id[:40]!r}.")


def _view(doc: Document, secret: str | None = None) -> EndpointOut:
    return EndpointOut(
        id=doc["_id"],
        url=doc["url"],
        description=doc.get("description", ""),
        event_types=doc["event_types"],
        status=doc["status"],
        rate_per_s=doc["rate_per_s"],
        max_in_flight=doc["max_in_flight"],
        failing_since=doc.get("failing_since"),
        last_error=doc.get("last_error", ""),
        alert_email=doc.get("alert_email"),
        alert_language=doc.get("alert_language", "zh"),
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        secrets=[
            SecretOut(created_at=s["created_at"], expires_at=s["expires_at"])
            for s in doc["secrets"]
        ],
        secret=secret,
    )


def _replay_view(job: Document) -> ReplayOut:
    return ReplayOut(
        id=job["_id"],
        status=job["status"],
        since=job["since"],
        until=job["until"],
        made=job["made"],
    )
