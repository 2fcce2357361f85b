"""Replays from the event log: a partner asked for an endpoint's events from ``since`` to
``until`` again. The worker reads the topics those events live on from the offsets at
``since`` (the broker's own time index) to their ends, keeps the events of the partner's
parcels in the endpoint's types, and makes a delivery for each: new deliveries, marked
with the job, carrying the same ``webhook-id`` the first ones had so a receiver can tell
a replayed event from a new one.

Event times here are the records' broker timestamps (wall-clock time)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from fairwind.events.kafka import make_reader, read_to_end
from fairwind.runtime.lifecycle import Worker, periodic
from fairwind.v1 import orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.notify.domain.partners import Endpoint, partner_event
from services.notify.handlers import NotifyService
from services.notify.store import endpoint_of
from services.notify.webhooks.planning import deliveries

log = logging.getLogger(__name__)
Document = dict[str, Any]
PARTNER_EVENTS = (
    orders_pb2.OrderCreated,
    orders_pb2.OrderCancelled,
    tracking_pb2.ShipmentStatusChanged,
    routes_pb2.RouteReplanned,
    sla_pb2.SlaAtRisk,
)
CHUNK = 500
STALE = timedelta(minutes=10)  # a running job not heard of for this long is taken again


PartitionsOf = Callable[[str], Awaitable[set[int]]]


def replayer(svc: NotifyService, partitions_of: PartitionsOf, interval_s: float = 1.0) -> Worker:
    """``partitions_of``: a topic's partitions (the producer's ``partitions_for``)."""

    async def work() -> None:
        while await run_next(svc, partitions_of):
            pass

    return periodic("notify-replays", work, interval_s)


async def run_next(svc: NotifyService, partitions_of: PartitionsOf) -> bool:
    """Run the oldest pending job to its end; False if there was none."""
    wall = datetime.now(UTC)
    job = await svc.store.replays.take(wall, wall - STALE)
    if job is None:
        return False
    doc = await svc.store.endpoints.get(job["endpoint_id"], job["partner_id"])
    if doc is None:
        await svc.store.replays.finish(job["_id"], 0, wall, "the endpoint was deleted")
        return True
    try:
        made = await _replay(svc, job, endpoint_of(doc, svc.clock.now()), partitions_of)
    except Exception as exc:
        log.exception("replay failed", extra={"replay": job["_id"]})
        await svc.store.replays.finish(job["_id"], 0, datetime.now(UTC), repr(exc)[:300])
        return True
    await svc.store.replays.finish(job["_id"], made, datetime.now(UTC))
    return True


async def _replay(
    svc: NotifyService, job: Document, endpoint: Endpoint, partitions_of: PartitionsOf
) -> int:
    since_ms, until_ms = (int(job[name].timestamp() * 1000) for name in ("since", "until"))
    topics = sorted({svc.codec.catalog.kind_of(cls).topic for cls in PARTNER_EVENTS})
    reader = make_reader(svc.settings)
    await reader.start()
    made, chunk = 0, []
    try:
        partitions = [
            TopicPartition(topic, p) for topic in topics for p in sorted(await partitions_of(topic))
        ]
        found = await reader.offsets_for_times(dict.fromkeys(partitions, since_ms))
        ends = await reader.end_offsets(partitions)
        start = {tp: found[tp].offset if found.get(tp) else ends[tp] for tp in partitions}
        async for record in read_to_end(reader, start, exact=not svc.settings.embedded):
            if since_ms <= record.timestamp <= until_ms:
                chunk.append(record)
            if len(chunk) >= CHUNK:
                made += await _deliver(svc, job, endpoint, chunk)
                chunk = []
                await svc.store.replays.progress(job["_id"], made, datetime.now(UTC))
        made += await _deliver(svc, job, endpoint, chunk)
    finally:
        await reader.stop()
    return made


async def _deliver(
    svc: NotifyService, job: Document, endpoint: Endpoint, records: list[ConsumerRecord[Any, Any]]
) -> int:
    now = svc.clock.now()
    events = []
    for record in records:
        try:
            event = svc.codec.decode(record.topic, record.key, record.value, record.headers)
        except Exception:  # not ours to judge here: the consumer sent it to the DLQ
            continue
        told = partner_event(event.message, now)
        if told is not None and endpoint.wants(told.type):
            events.append((event, told))
    parcels = await svc.store.parcels.many({told.waybill for _, told in events})
    made = []
    for event, told in events:
        parcel = parcels.get(told.waybill)
        if parcel is not None and parcel.partner_id == job["partner_id"]:
            trigger = (event.id, event.type)
            made += deliveries(told, parcel, [endpoint], trigger, now, replay=job["_id"])
    await svc.store.deliveries.insert(made)
    return len(made)
