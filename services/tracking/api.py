"""Scans from handhelds and scanners, and tracking lookups for web and app (thin)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request
from fastapi.responses import StreamingResponse
from prometheus_client import REGISTRY, CollectorRegistry

from fairwind.http import (
    FastJSONResponse,
    FastJSONRoute,
    Problem,
    bearer_token,
    credentials_required,
    setup_http,
)
from fairwind.metrics import kit_metrics
from fairwind.problems import problems
from services.tracking import scanning
from services.tracking.devices import Device
from services.tracking.lookups import lookup
from services.tracking.schemas import BatchIn, ScanIn
from services.tracking.service import TrackingService, waybill_of
from services.tracking.stream import StatusBroadcaster
from services.tracking.views import shipment_view

BATCH_PATH = "/v1/scans:batch"
router = APIRouter(prefix="/v1", route_class=FastJSONRoute)


# ``async``, though they await nothing: FastAPI runs a plain ``def`` dependency in its
# thread pool, a thread hop per request that cost intake a tenth of its time.
async def service(request: Request) -> TrackingService:
    svc: TrackingService = request.app.state.service
    return svc


Service = Annotated[TrackingService, Depends(service)]


async def device(svc: Service, authorization: Annotated[str | None, Header()] = None) -> Device:
    token = bearer_token(authorization)
    found = await svc.devices.authenticate(token) if token else None
    if found is None:
        raise credentials_required("device token", realm="fairwind-devices")
    return found


Scanner = Annotated[Device, Depends(device)]


def create_app(
    svc: TrackingService, broadcaster: StatusBroadcaster, registry: CollectorRegistry = REGISTRY
) -> FastAPI:
    app = FastAPI(
        title="Fairwind Tracking API",
        version="1.0",
        docs_url="/docs",
        description="Scans from handhelds; public tracking with privacy masking. "
        "Errors are RFC 9457 problem+json; see docs/api/tracking.md.",
    )
    app.state.service = svc
    app.state.broadcaster = broadcaster
    setup_http(
        app,
        kit_metrics(registry),
        registry,
        max_body_bytes=svc.settings.max_body_bytes,
        body_limits={BATCH_PATH: svc.settings.max_batch_body_bytes},
    )
    app.include_router(router)
    return app


INVALID_WAYBILL = (400, "invalid_waybill: malformed, or a wrong check digit")
SCAN_ANSWERS = {
    201: {"description": "recorded"},
    200: {"description": "duplicate: this scan_id is stored already"},
    202: {
        "description": "parked: tracking has not read this waybill's order yet; the scan is "
        "stored and applied when it comes (see GET /v1/scans/{scan_id})"
    },
} | problems(
    INVALID_WAYBILL,
    401,
    (403, "wrong_location"),
    (409, "cancelled"),
    (
        422,
        "invalid_request, unknown_location, device_time_in_future, missing_proof, missing_reason",
    ),
)
ScanId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


@router.post("/scans", tags=["scans"], status_code=201, responses=SCAN_ANSWERS)
async def scan(body: ScanIn, svc: Service, scanner: Scanner) -> FastJSONResponse:
    command = await scanning.record_scan(svc, scanner, body)
    answer = {
        "scan_id": body.scan_id,
        "outcome": command.outcome,
        "status_changed": command.status_changed,
    }
    parked = command.outcome == "parked"
    return FastJSONResponse(
        answer,
        status_code=scanning.STATUS[command.outcome],
        headers={"Location": f"/v1/scans/{body.scan_id}"} if parked else None,
    )


@router.post("/scans:batch", tags=["scans"], responses=problems(401, (422, "batch_too_large")))
async def scan_batch(body: BatchIn, svc: Service, scanner: Scanner) -> FastJSONResponse:
    results = await scanning.record_batch(svc, scanner, body.scans)

    def outcomes(name: str) -> int:
        return sum(1 for r in results if r.get("outcome") == name)

    return FastJSONResponse(
        {
            "recorded": outcomes("recorded"),
            "duplicates": outcomes("duplicate"),
            "parked": outcomes("parked"),
            "rejected": sum(1 for r in results if "problem" in r),
            "results": results,
        }
    )


@router.get("/scans/{scan_id}", tags=["scans"], responses=problems(401, 404))
async def scan_outcome(scan_id: ScanId, svc: Service, scanner: Scanner) -> FastJSONResponse:
    """What became of a scan this device sent: recorded, parked, unmatched or rejected."""
    found = await scanning.scan_outcome(svc, scanner, scan_id)
    if found is None:
        raise Problem(404, f"This device sent no scan {scan_id}.")
    return FastJSONResponse(found)


Last4 = Annotated[str | None, Query(pattern=r"^\d{4}$")]
Token = Annotated[str | None, Query(max_length=64)]


TOO_MANY_GUESSES = (429, "too_many_guesses: phone_last4 locked out, with Retry-After")


@router.get(
    "/track/{waybill}",
    tags=["tracking"],
    responses=problems(INVALID_WAYBILL, 404, TOO_MANY_GUESSES),
)
async def track(
    waybill: str,
    request: Request,
    svc: Service,
    phone_last4: Last4 = None,
    access_token: Token = None,
) -> FastJSONResponse:
    started = time.perf_counter()
    client = request.client.host if request.client else "unknown"
    view = await lookup(svc, waybill_of(svc, waybill), phone_last4, access_token, client)
    svc.metrics.lookup.labels("single").observe(time.perf_counter() - started)
    if view is None:
        raise Problem(404, f"No shipment {waybill}.")
    return FastJSONResponse(view)


@router.get("/track", tags=["tracking"], responses=problems(INVALID_WAYBILL))
async def track_many(
    svc: Service, waybills: Annotated[str, Query(max_length=400)]
) -> FastJSONResponse:
    wanted = [waybill_of(svc, w) for w in waybills.split(",") if w.strip()]
    if not wanted or len(wanted) > svc.settings.max_lookup_waybills:
        raise Problem(400, f"Give 1 to {svc.settings.max_lookup_waybills} waybills.")
    started = time.perf_counter()
    ships = await svc.store.shipments.many(wanted)
    found = [
        shipment_view(ships[w], await svc.store.scans.timeline(w), False)
        for w in wanted
        if w in ships
    ]
    svc.metrics.lookup.labels("many").observe(time.perf_counter() - started)
    return FastJSONResponse(
        {"shipments": found, "not_found": [w for w in wanted if w not in ships]}
    )


@router.get("/track/{waybill}/stream", tags=["tracking"], responses=problems(INVALID_WAYBILL, 404))
async def stream(waybill: str, request: Request, svc: Service) -> StreamingResponse:
    waybill = waybill_of(svc, waybill)
    first = await lookup(svc, waybill, None, None, "")
    if first is None:
        raise Problem(404, f"No shipment {waybill}.")
    broadcaster: StatusBroadcaster = request.app.state.broadcaster

    async def events() -> AsyncIterator[str]:
        seen = (first["status"], first["substatus"])
        yield _sse(first)
        async with broadcaster.listen(waybill) as updates:
            async for ship in updates:
                if await request.is_disconnected():
                    break
                state = (ship["status"], ship.get("substatus") or None)
                if state == seen:
                    continue
                seen = state
                yield _sse(shipment_view(ship, await svc.store.scans.timeline(waybill), False))

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _sse(view: dict[str, Any]) -> str:
    return f"event: status\ndata: {json.dumps(view, ensure_ascii=False)}\n\n"
