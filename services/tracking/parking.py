"""What comes before its order waits for it: scans sent right after booking, and routes,
dispatches and cancellations read before the OrderCreated (the topics are read
independently). Parked items are kept in ``early_events`` and applied when the order comes
(``handlers.replay_parked``).

The bound on waiting: an item whose order has not come within ``parked_wait_s`` is moved
to ``early_unmatched`` (kept, counted, logged), so operations see it and the device learns
it on ``GET /v1/scans/{scan_id}``. If the order comes later still, it is applied all the
same.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from fairwind.events import Event
from fairwind.runtime.lifecycle import Worker, periodic
from services.tracking.recording import ScanCommand
from services.tracking.service import TrackingService
from services.tracking.store import NO_ORDER

Document = dict[str, Any]
PARKED_SCAN = "scan:"  # the _id prefix of a parked scan; events are parked by event id
ROUND = 1000  # items moved per query; a round repeats until none is left
log = logging.getLogger(__name__)


def parked_scan(command: ScanCommand) -> Document:
    scan = command.doc
    return {
        "_id": PARKED_SCAN + scan["_id"],
        "waybill": scan["waybill"],
        "kind": "scan",
        "scan": scan,
    }


def parked_event(event: Event[Any], waybill: str) -> Document:
    return {
        "_id": event.id,
        "waybill": waybill,
        "kind": type(event.message).__name__,
        "topic": event.topic,
        "key": event.key,
        "value": event.message.SerializeToString(),
        "headers": [[name, value] for name, value in event.headers],
    }


async def park(svc: TrackingService, docs: Sequence[Document]) -> set[str]:
    """Keep ``docs`` until their orders come; the same id parked twice is kept once. Returns
    the waybills whose shipment is there by now (the order got in meanwhile): the caller
    applies what waits for them, or it would wait for an order that came already."""
    if not docs:
        return set()
    at = svc.clock.wall()  # the wait is for a topic to be read: processing time
    svc.metrics.early.inc(await svc.store.parked.park(docs, at))
    return await svc.store.shipments.known({doc["waybill"] for doc in docs})


async def give_up(
    svc: TrackingService, doc: Document, reason: str, problem: Document | None = None
) -> None:
    """Move a parked item to ``unmatched`` (kept, never dropped): ``no_order`` when its order
    did not come in time, or the reason it could not be applied."""
    kept = doc | {"reason": reason, "problem": problem, "gave_up_at": svc.clock.wall()}
    await svc.store.unmatched.keep(kept)
    moved = await svc.store.parked.forget([doc["_id"]])
    if moved or reason != NO_ORDER:  # one count, whichever process moved it
        svc.metrics.unmatched.labels(doc.get("kind", "event"), reason).inc()


async def expire_parked(svc: TrackingService, now: datetime | None = None) -> int:
    """Move what has waited too long; returns how many. Safe in several processes at once."""
    cutoff = (now or svc.clock.wall()) - timedelta(seconds=svc.settings.parked_wait_s)
    moved = 0
    while due := await svc.store.parked.due(cutoff, ROUND):
        for doc in due:
            await give_up(svc, doc, NO_ORDER)
            log.warning(
                "no order came for a parked item",
                extra={"waybill": doc["waybill"], "kind": doc.get("kind", "event")},
            )
        moved += len(due)
    svc.metrics.parked.set(await svc.store.parked.count())
    return moved


def expirer(svc: TrackingService) -> Worker:
    async def work() -> None:
        await expire_parked(svc)

    return periodic("parked-expirer", work, svc.settings.parked_check_s)
