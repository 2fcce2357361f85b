"""The public lookup: who may see full details, and how many guesses they get."""

from __future__ import annotations

from typing import Any

from fairwind.problems import Rejected
from services.tracking.service import TrackingService
from services.tracking.views import link_matches, phone_matches, shipment_view

Document = dict[str, Any]


async def lookup(
    svc: TrackingService, waybill: str, phone_last4: str | None, token: str | None, client: str
) -> Document | None:
    """The view of a shipment (None if unknown), full when ownership is proven."""
    ship, timeline = await svc.store.shipments.with_timeline(waybill)
    if ship is None:
        return None
    full = await _proven(svc, ship, phone_last4, token, client)
    return shipment_view(ship, timeline, full)


async def _proven(
    svc: TrackingService, ship: Document, phone_last4: str | None, token: str | None, client: str
) -> bool:
    secret = svc.settings.link_secret
    if token and secret and link_matches(ship, token, secret.get_secret_value()):
        return True  # the signed link works even while guesses are locked out
    if not phone_last4:
        return False
    wait = await svc.guesses.take(ship["_id"], client)
    if wait:
        svc.metrics.guesses.labels("refused").inc()
        raise Rejected(
            429,
            "too_many_guesses",
            f"Too many phone_last4 guesses for {ship['_id']} or from this client; try again "
            f"in {wait} s, or open the tracking link the sender shared.",
            headers={"Retry-After": str(wait)},
        )
    right = phone_matches(ship, phone_last4)
    if right:
        await svc.guesses.give_back(ship["_id"], client)
    svc.metrics.guesses.labels("right" if right else "wrong").inc()
    return right
