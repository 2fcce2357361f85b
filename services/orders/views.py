"""How an order looks to a partner: JSON-ready, the same for responses and stored replays."""

from __future__ import annotations

from typing import Any

from fairwind.domain.privacy import tracking_link_token

Document = dict[str, Any]


def order_view(doc: Document, tracking_url: str, link_secret: str | None = None) -> Document:
    waybill = doc["_id"]
    promise = doc.get("promise")
    return {
        "waybill": waybill,
        "status": doc["status"],
        "partner_order_id": doc.get("partner_order_id"),
        "service_level": doc["service_level"],
        "created_at": _iso(doc["created_at"]),
        "customer_tier": doc["customer_tier"],
        "chargeable_weight_kg": doc["chargeable_weight_kg"],
        "promise_pending": doc["promise_pending"],
        "promise": None
        if promise is None
        else {
            "pickup_by": _iso(promise["pickup_by"]),
            "deliver_by": _iso(promise["deliver_by"]),
            "next_day": promise["next_day"],
            "remote_area": promise["remote_area"],
            "extra_working_days": promise["extra_working_days"],
        },
        "price": doc.get("price"),
        "origin_outlet": doc.get("origin_outlet"),
        "destination_outlet": doc.get("destination_outlet"),
        "planned_hubs": doc.get("planned_hubs", []),
        "warnings": doc.get("warnings", []),
        "cancelled_at": _iso(doc["cancelled_at"]) if doc.get("cancelled_at") else None,
        "cancellation": _cancellation(doc),
        "links": {
            "self": f"/v1/orders/{waybill}",
            "label": f"/v1/orders/{waybill}/label",
            "tracking": f"{tracking_url}{waybill}"
            + (f"?access_token={tracking_link_token(link_secret, waybill)}" if link_secret else ""),
        },
    }


def _cancellation(doc: Document) -> Document | None:
    """Who cancelled and why; orders cancelled before this was stored were the partner's."""
    if doc.get("cancellation"):
        return dict(doc["cancellation"])
    if doc.get("cancelled_at"):
        detail = doc.get("cancel_reason") or ""
        return {"by": "partner", "reason": "partner_request", "side": None, "detail": detail}
    return None


def _iso(value: Any) -> str:
    return str(value.isoformat().replace("+00:00", "Z"))
