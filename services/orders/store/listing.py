"""A partner's order listing: filters and the opaque cursor of keyset paging (newest
first, by ``created_at`` then waybill)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Document = dict[str, Any]


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: str | None = None
    partner_order_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


def listing_query(partner_id: str, filters: OrderFilter, cursor: str | None) -> Document:
    """The query of one page; raises ValueError on a cursor we did not make."""
    query: Document = {"partner_id": partner_id}
    if filters.status:
        query["status"] = filters.status
    if filters.partner_order_id:
        # ``$type`` lets the planner take the partial unique index (strings only).
        query["partner_order_id"] = {"$eq": filters.partner_order_id, "$type": "string"}
    created: Document = {}
    if filters.created_from:
        created["$gte"] = filters.created_from
    if filters.created_to:
        created["$lt"] = filters.created_to
    if created:
        query["created_at"] = created
    if cursor:
        after_time, after_id = decode_cursor(cursor)
        query["$or"] = [
            {"created_at": {"$lt": after_time}},
            {"created_at": after_time, "_id": {"$lt": after_id}},
        ]
    return query


def encode_cursor(doc: Document) -> str:
    raw = json.dumps([doc["created_at"].isoformat(), doc["_id"]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Raises ValueError on anything that is not a cursor we made."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, waybill = json.loads(raw)
        return datetime.fromisoformat(created).astimezone(UTC), str(waybill)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError("not a valid cursor") from exc
