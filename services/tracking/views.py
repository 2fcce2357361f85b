"""How a shipment looks to the web and app frontends: masked unless ownership is proven."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from fairwind.domain.privacy import last4_matches, mask_name, mask_phone, tracking_link_token
from services.tracking.store import hops_of

Document = dict[str, Any]


def phone_matches(ship: Document, phone_last4: str) -> bool:
    """The last four digits of the consignee's or the shipper's phone."""
    return any(
        last4_matches(ship.get(side, {}).get("phone", ""), phone_last4)
        for side in ("consignee", "shipper")
    )


def link_matches(ship: Document, token: str, secret: str) -> bool:
    """The ``access_token`` of the signed tracking link the partner got with its order."""
    return hmac.compare_digest(token, tracking_link_token(secret, ship["_id"]))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _party(party: Document | None, full: bool) -> Document | None:
    if not party:
        return None
    if full:
        return party
    return {
        "name": mask_name(party.get("name", "")),
        "phone": mask_phone(party.get("phone", "")),
        "city": party.get("city"),
        "district": party.get("district"),
    }


def shipment_view(ship: Document, timeline: list[Document], full: bool) -> Document:
    route = ship.get("route") or {}
    promise = ship.get("promise") or {}
    return {
        "waybill": ship["_id"],
        "status": ship["status"],
        "substatus": ship.get("substatus") or None,
        "reason": ship.get("reason"),
        "location": ship.get("location"),
        "service_level": ship.get("service_level"),
        "promise": {
            "pickup_by": _iso(promise.get("pickup_by")),
            "deliver_by": _iso(promise.get("deliver_by")),
            "next_day": promise.get("next_day", False),
        }
        if promise
        else None,
        "eta": _iso(ship.get("eta")),
        "late": bool(
            promise.get("deliver_by") and ship.get("eta") and ship["eta"] > promise["deliver_by"]
        ),
        "planned_route": {
            "version": route.get("version"),
            "legs": [
                {
                    "from": leg["from"]["code"],
                    "to": leg["to"]["code"],
                    "mode": leg["mode"],
                    "linehaul_id": leg.get("linehaul_id") or None,
                    "depart": _iso(leg["depart"]),
                    "arrive": _iso(leg["arrive"]),
                }
                for leg in route.get("legs", [])
            ],
        }
        if route
        else None,
        "actual_route": [
            {
                "location": h["location"]["code"],
                "arrived_at": _iso(h.get("arrived_at")),
                "sorted_at": _iso(h.get("sorted_at")),
                "departed_at": _iso(h.get("departed_at")),
                "planned": planned,  # on the plan in force when the parcel got there
            }
            for h, planned in hops_of(ship)
        ],
        "timeline": [
            {
                "scan_id": s["_id"],
                "event": s["event"],
                "location": s["location"]["code"],
                "at": _iso(s["device_time"]),
                "reason": s.get("reason"),
                "out_of_order": s.get("out_of_order", False),
            }
            for s in timeline
        ],
        "shipper": _party(ship.get("shipper"), full),
        "consignee": _party(ship.get("consignee"), full),
        "delivered_at": _iso(ship.get("delivered_at")),
        "proof_of_delivery": (
            ship.get("pod")
            if full
            else (
                {"recipient_name": mask_name(ship["pod"]["recipient_name"])}
                if ship.get("pod")
                else None
            )
        ),
        "full_details": full,
    }
