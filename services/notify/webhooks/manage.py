"""What a partner does with their endpoints through the partner API: create, change,
rotate the secret, delete, ping, and ask for a replay. Each is a small function on the
store; the routes (``api.py``) only turn requests into calls.

A replay is a job (``replays``) that the replay worker (``webhooks/replay.py``) runs from
the event log itself, not from a copy notify kept."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from services.notify.channels.webhook import Answer, WebhookPoster
from services.notify.domain.partners import EndpointStatus, EventType
from services.notify.domain.webhooks import WebhookSecret, signed_headers
from services.notify.handlers import NotifyService
from services.notify.store import endpoint_of
from services.notify.store.endpoints import endpoint_doc

Document = dict[str, Any]


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    url: str
    event_types: frozenset[EventType]
    description: str
    rate_per_s: float
    max_in_flight: int
    alert: tuple[str | None, str] = (None, "zh")  # the e-mail told of a disable, its language


async def create(svc: NotifyService, partner_id: str, spec: EndpointSpec) -> tuple[Document, str]:
    """The endpoint as stored and its signing secret, which is shown this once."""
    secret = WebhookSecret.generate()
    doc = endpoint_doc(
        partner_id,
        spec.url,
        secret,
        svc.clock.now(),
        event_types=spec.event_types,
        rate_per_s=spec.rate_per_s,
        max_in_flight=spec.max_in_flight,
        description=spec.description,
        alert=spec.alert,
    )
    await svc.store.endpoints.insert(doc)
    return doc, str(secret)


async def change(
    svc: NotifyService, partner_id: str, endpoint_id: str, fields: Document
) -> Document | None:
    """Set what the partner changed. Enabling a disabled endpoint clears its streak, so
    its waiting deliveries go out again."""
    if fields.get("status") == EndpointStatus.ENABLED.value:
        fields |= {"failing_since": None, "disabled_at": None, "disabled_reason": None}
    elif fields.get("status") == EndpointStatus.DISABLED.value:
        fields |= {"disabled_at": svc.clock.now(), "disabled_reason": "partner"}
    return await svc.store.endpoints.change(endpoint_id, partner_id, fields, svc.clock.now())


async def rotate(
    svc: NotifyService, partner_id: str, endpoint_id: str, keep_old_for: timedelta
) -> tuple[Document, str] | None:
    """A new secret signs from now on; the old ones also sign for ``keep_old_for``."""
    now, secret = svc.clock.now(), WebhookSecret.generate()
    doc = await svc.store.endpoints.rotate(endpoint_id, partner_id, secret, now + keep_old_for, now)
    return None if doc is None else (doc, str(secret))


async def ping(svc: NotifyService, poster: WebhookPoster, doc: Document) -> Answer:
    """A ``webhook.ping`` sent now, signed like every delivery, its answer logged."""
    now = svc.clock.now()
    endpoint = endpoint_of(doc, now)
    message_id = "msg_ping_" + secrets.token_hex(8)
    payload = {
        "type": "webhook.ping",
        "timestamp": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": {"endpoint_id": endpoint.id},
    }
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = signed_headers(endpoint.secrets, message_id, int(time.time()), body)
    answer = await poster.post(endpoint.url, headers, body)
    delivered = answer.status is not None and 200 <= answer.status < 300
    await svc.store.attempts.insert(
        [
            {
                "delivery_id": message_id,
                "webhook_id": message_id,
                "endpoint_id": endpoint.id,
                "partner_id": endpoint.partner_id,
                "waybill": "",
                "type": "webhook.ping",
                "attempt": 1,
                "at": now,
                "logged_at": datetime.now(UTC),
                "status": answer.status,
                "latency_ms": round(answer.latency_s * 1000, 1),
                "error": answer.error,
                "outcome": "delivered" if delivered else "failed",
            }
        ]
    )
    return answer


async def request_replay(
    svc: NotifyService, doc: Document, since: datetime, until: datetime
) -> Document:
    """A replay job for the endpoint: every event of its partner's parcels from ``since``
    to ``until`` (wall-clock event times), in the types it subscribes to."""
    job = {
        "_id": "rp_" + secrets.token_hex(8),
        "endpoint_id": doc["_id"],
        "partner_id": doc["partner_id"],
        "since": since,
        "until": until,
        "status": "pending",
        "made": 0,
        "created_at": svc.clock.now(),
    }
    await svc.store.replays.insert(job)
    return job
