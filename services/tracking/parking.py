"""The bound on waiting: a parked scan or event whose order has not come within
``parked_wait_s`` is moved to ``early_unmatched`` (kept, counted, logged), so operations see
it and the device learns it on ``GET /v1/scans/{scan_id}``. If the order comes later still,
``on_order_created`` applies it all the same."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from pymongo import ASCENDING

from fairwind.lifecycle import Worker, periodic
from services.tracking.handlers import NO_ORDER, TrackingService, give_up

log = logging.getLogger(__name__)
ROUND = 1000  # items moved per query; a round repeats until none is left


async def expire_parked(svc: TrackingService, now: datetime | None = None) -> int:
    """Move what has waited too long; returns how many. Safe in several processes at once."""
    cutoff = (now or svc.clock.wall()) - timedelta(seconds=svc.settings.parked_wait_s)
    moved = 0
    while (
        due := await svc.store.early.find({"parked_at": {"$lte": cutoff}})
        .sort("parked_at", ASCENDING)
        .limit(ROUND)
        .to_list()
    ):
        for doc in due:
            await give_up(svc, doc, NO_ORDER)
            log.warning(
                "no order came for a parked item",
                extra={"waybill": doc["waybill"], "kind": doc.get("kind", "event")},
            )
        moved += len(due)
    svc.metrics.parked.set(await svc.store.early.estimated_document_count())
    return moved


def expirer(svc: TrackingService) -> Worker:
    async def work() -> None:
        await expire_parked(svc)

    return periodic("parked-expirer", work, svc.settings.parked_check_s)
