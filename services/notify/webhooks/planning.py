"""The deliveries one event makes: one per endpoint of the parcel's partner that subscribed
to the event's type, the body fixed now so every retry signs the same bytes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from services.notify.domain.partners import Endpoint, PartnerEvent, addressed
from services.notify.domain.planning import Parcel

Document = dict[str, Any]


def deliveries(
    event: PartnerEvent,
    parcel: Parcel,
    endpoints: Iterable[Endpoint],
    trigger: tuple[str, str],
    now: datetime,
    replay: str | None = None,
) -> list[Document]:
    """``trigger`` is the event's (ce_id, ce_type); ``replay`` the replay job that asked
    for it again, if one did (its deliveries are new ones with the same webhook-id)."""
    wanted = addressed(event, endpoints)
    if not wanted:
        return []  # most parcels' partners have no endpoint: no body to build
    ce_id, ce_type = trigger
    body = event.body(parcel.partner_order_id)
    found = []
    for endpoint in wanted:
        key = f"{ce_id}:{endpoint.id}" + (f":{replay}" if replay else "")
        found.append(
            {
                "_id": key,
                "webhook_id": f"msg_{ce_id}",  # the same on every retry and every replay
                "endpoint_id": endpoint.id,
                "partner_id": parcel.partner_id,
                "waybill": parcel.waybill,
                "type": event.type.value,
                "body": body,
                "status": "queued",
                "due_at": now,
                "attempts": 0,
                "first_attempt_at": None,
                "trigger": {"ce_id": ce_id, "ce_type": ce_type},
                "replay": replay,
                "created_at": now,
            }
        )
    return found
