"""One small async function per event the crm service consumes, and the live profile read.

Events are at-least-once: the kit skips redelivered ``ce_id``s and, on top, an order is
counted once per waybill (the ``orders`` document is the marker), so a replayed OrderCreated
or OrderCancelled never moves revenue twice. Orders and status changes come in batches (one
poll of a partition): one query, one bulk write per collection, one transaction.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fairwind.clock import PlatformClock
from fairwind.domain.privacy import mask_name
from fairwind.domain.status import ShipmentStatus
from fairwind.events import Event, EventCodec, PermanentError
from fairwind.mongo.uow import Units
from fairwind.v1 import orders_pb2, tracking_pb2
from services.crm import convert, records
from services.crm.domain import phones
from services.crm.domain.classification import (
    DayDelta,
    Sighting,
    Totals,
    business_day,
    day_deltas,
    fen_of_money,
    reversal,
    standing,
)
from services.crm.metrics import CrmMetrics
from services.crm.settings import CrmSettings
from services.crm.store import CrmStore, CrmUnit, baseline_of

Document = dict[str, Any]
CANCELLED = ShipmentStatus.CANCELLED.value
log = logging.getLogger(__name__)


@dataclass
class CrmService:
    settings: CrmSettings
    store: CrmStore
    uow: Units[CrmUnit]
    codec: EventCodec
    metrics: CrmMetrics
    clock: PlatformClock = field(default_factory=PlatformClock)


def wall_interval(svc: CrmService, business_seconds: float) -> float:
    """Wall seconds between rounds of a worker that runs every ``business_seconds`` of
    business time (shorter on a compressed clock, never below ``rerank_min_wall_s``)."""
    return max(svc.settings.rerank_min_wall_s, svc.clock.wall_seconds(business_seconds))


async def live_totals(svc: CrmService, customer: Document) -> Totals:
    """The customer's trailing-90-day revenue and shipments now (tier and rank are those of
    the last re-rank)."""
    today = business_day(svc.clock.now())
    window = await svc.store.days.window_totals(today, [customer["_id"]])
    return standing(baseline_of(customer), window.get(customer["_id"], Totals()), today)


# A shipper books many orders from the same phone and every order names one of a few
# service levels: each is worked out once (bounded, as events carry arbitrary values).
_shipper_phone = functools.lru_cache(maxsize=16_384)(phones.try_normalise)
_level_name = functools.lru_cache(maxsize=64)(convert.level_name)


def _order_doc(
    svc: CrmService, order: orders_pb2.Order, customer_id: str, at: datetime
) -> Document:
    currency = order.price.currency_code or svc.settings.currency
    price = fen_of_money(order.price.units, order.price.nanos)
    if currency != svc.settings.currency:
        log.warning("order priced in %s: counted as a shipment only", currency)
    return {
        "_id": order.waybill,
        "customer_id": customer_id,
        "partner_id": order.partner_id,
        "price_fen": price,
        "currency": currency,
        "revenue_fen": price if currency == svc.settings.currency else 0,
        "created_at": at,
        "status": ShipmentStatus.INFO_RECEIVED.value,
        "status_at": at,
        "service_level": _level_name(order.service_level),
        "destination_city": order.consignee.address.city,
        "consignee_name": mask_name(order.consignee.name),
        "counted": True,
    }


async def on_orders_created(
    svc: CrmService, events: Sequence[Event[orders_pb2.OrderCreated]]
) -> None:
    """Count each new order once: its history entry, its customer's day, the customer."""
    arrivals = [_arrival(svc, event.message.order) for event in events]

    async def record(uow: CrmUnit) -> int:
        known = await uow.orders.known([doc["_id"] for doc, _ in arrivals])
        fresh: list[tuple[Document, Sighting]] = []
        for doc, seen in arrivals:
            if doc["_id"] not in known:  # counted already, or cancelled before we saw it
                known.add(doc["_id"])
                fresh.append((doc, seen))
        await uow.orders.insert([doc for doc, _ in fresh])
        await uow.days.add(
            day_deltas(
                (d["customer_id"], business_day(d["created_at"]), d["revenue_fen"])
                for d, _ in fresh
            )
        )
        await uow.customers.saw(
            [seen for _, seen in fresh], svc.clock.now(), svc.settings.max_phones
        )
        return len(fresh)

    # Run again on a write conflict: other partitions' batches touch the same customers.
    applied = await svc.uow.run(record)
    svc.metrics.events.labels("OrderCreated", "applied").inc(applied)
    svc.metrics.events.labels("OrderCreated", "duplicate").inc(len(arrivals) - applied)


def _arrival(svc: CrmService, order: orders_pb2.Order) -> tuple[Document, Sighting]:
    customer_id = order.customer_id or order.partner_id
    if not order.waybill or not customer_id:
        raise PermanentError("OrderCreated without a waybill or a customer")
    at = convert.event_time(order.created_at, svc.clock.now())
    phone = _shipper_phone(order.shipper.phone, svc.settings.default_country_code)
    city = order.shipper.address.city.strip()
    seen = Sighting(customer_id, order.shipper.name, order.shipper.company, at, phone, city)
    return _order_doc(svc, order, customer_id, at), seen


async def on_order_cancelled(svc: CrmService, event: Event[orders_pb2.OrderCancelled]) -> None:
    message = event.message
    if not message.waybill:
        raise PermanentError("OrderCancelled without a waybill")
    at = convert.event_time(message.cancelled_at, svc.clock.now())
    customer_id = message.customer_id or message.partner_id

    async def cancel(uow: CrmUnit) -> str:
        before = await uow.orders.cancel(message.waybill, at)
        if before is None:
            # Cancelled before we saw it created: remember it, so it is never counted.
            await uow.orders.insert(
                [
                    {
                        "_id": message.waybill,
                        "customer_id": customer_id,
                        "created_at": at,
                        "status": CANCELLED,
                        "status_at": at,
                        "cancelled_at": at,
                        "counted": False,
                    }
                ]
            )
            await uow.records.add(records.of_cancellation(message, customer_id, at))
            return "unknown_order"
        back = reversal(
            bool(before.get("counted")),
            before.get("status") == CANCELLED,
            before["created_at"],
            before.get("revenue_fen", 0),
        )
        if back is None:
            return "duplicate"
        await uow.days.add(
            [DayDelta(before["customer_id"], back.day, back.revenue_fen, back.shipments)]
        )
        await uow.records.add(records.of_cancellation(message, before["customer_id"], at))
        return "applied"

    outcome = await svc.uow.run(cancel)
    svc.metrics.events.labels("OrderCancelled", outcome).inc()


async def on_statuses_changed(
    svc: CrmService, events: Sequence[Event[tracking_pb2.ShipmentStatusChanged]]
) -> None:
    """Keeps the status of the order history current; never overwrites a later change nor
    a cancellation (conditional updates, so no transaction is needed). Failed deliveries
    and exceptions become service records, stale ones too: the customer lived them."""
    changes = []
    timed = []
    for event in events:
        message = event.message
        status = convert.status_name(message.to_status)
        if not message.waybill or not status:
            raise PermanentError("ShipmentStatusChanged without a waybill or a status")
        at = convert.event_time(message.occurred_at, svc.clock.now())
        changes.append((message.waybill, status, at))
        timed.append((message, at))
    applied = await svc.store.orders.follow(changes)
    await records.record_statuses(svc.store, timed)
    svc.metrics.events.labels("ShipmentStatusChanged", "applied").inc(applied)
    svc.metrics.events.labels("ShipmentStatusChanged", "stale_or_unknown").inc(
        len(changes) - applied
    )
