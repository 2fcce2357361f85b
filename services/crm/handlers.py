"""One small async function per event the crm service consumes, and the live profile read.

Events are at-least-once: the kit skips redelivered ``ce_id``s and, on top, an order is
counted once per waybill (the ``orders`` document is the marker), so a replayed OrderCreated
or OrderCancelled never moves revenue twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession

from fairwind.clock import PlatformClock
from fairwind.events import Event, EventCodec, PermanentError
from fairwind.mongo.outbox import Outbox, in_transaction
from fairwind.privacy import mask_name
from fairwind.status import ShipmentStatus
from fairwind.v1 import orders_pb2, tracking_pb2
from services.crm import convert, phones
from services.crm.domain import Totals, business_day, fen_of_money, reversal, standing
from services.crm.metrics import CrmMetrics
from services.crm.settings import CrmSettings
from services.crm.store import CrmStore, baseline_of

Document = dict[str, Any]
CANCELLED = ShipmentStatus.CANCELLED.value
log = logging.getLogger(__name__)


@dataclass
class CrmService:
    settings: CrmSettings
    mongo: AsyncMongoClient[Document]
    store: CrmStore
    outbox: Outbox
    codec: EventCodec
    metrics: CrmMetrics
    clock: PlatformClock = field(default_factory=PlatformClock)


async def live_totals(svc: CrmService, customer: Document) -> Totals:
    """The customer's trailing-90-day revenue and shipments now (tier and rank are those of
    the last re-rank)."""
    today = business_day(svc.clock.now())
    window = await svc.store.window_totals(today, [customer["_id"]])
    return standing(baseline_of(customer), window.get(customer["_id"], Totals()), today)


def _at(stamp: Any, svc: CrmService) -> datetime:
    """The event's business time; without one, business time now (never the envelope's
    ``ce_time``: that is wall-clock transport time, days off under a simulated clock)."""
    return convert.when(stamp) if stamp.seconds or stamp.nanos else svc.clock.now()


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
        "service_level": convert.level_name(order.service_level),
        "destination_city": order.consignee.address.city,
        "consignee_name": mask_name(order.consignee.name),
        "counted": True,
    }


async def on_order_created(svc: CrmService, event: Event[orders_pb2.OrderCreated]) -> None:
    order = event.message.order
    customer_id = order.customer_id or order.partner_id
    if not order.waybill or not customer_id:
        raise PermanentError("OrderCreated without a waybill or a customer")
    at = _at(order.created_at, svc)
    doc = _order_doc(svc, order, customer_id, at)
    phone = phones.try_normalise(order.shipper.phone, svc.settings.default_country_code)
    now = svc.clock.now()

    async def record(session: AsyncClientSession) -> bool:
        if await svc.store.orders.find_one({"_id": order.waybill}, {"_id": 1}, session=session):
            return False  # counted already, or cancelled before we saw it
        await svc.store.orders.insert_one(doc, session=session)
        await svc.store.add_to_day(customer_id, business_day(at), doc["revenue_fen"], 1, session)
        await svc.store.customers.update_one(
            {"_id": customer_id},
            {
                "$setOnInsert": {
                    "name": order.shipper.name,
                    "company": order.shipper.company,
                    "emails": [],
                    "tier": None,
                    "created_at": now,
                },
                "$max": {"last_order_at": at},
                "$set": {"updated_at": now},
            },
            upsert=True,
            session=session,
        )
        if phone:
            await svc.store.customers.update_one(
                {"_id": customer_id, f"phones.{svc.settings.max_phones - 1}": {"$exists": False}},
                {"$addToSet": {"phones": phone}},
                session=session,
            )
        return True

    applied = await in_transaction(svc.mongo, record)
    svc.metrics.events.labels("OrderCreated", "applied" if applied else "duplicate").inc()


async def on_order_cancelled(svc: CrmService, event: Event[orders_pb2.OrderCancelled]) -> None:
    message = event.message
    if not message.waybill:
        raise PermanentError("OrderCancelled without a waybill")
    at = _at(message.cancelled_at, svc)
    customer_id = message.customer_id or message.partner_id

    async def cancel(session: AsyncClientSession) -> str:
        before = await svc.store.orders.find_one_and_update(
            {"_id": message.waybill},
            {"$set": {"status": CANCELLED, "status_at": at, "cancelled_at": at}},
            session=session,
        )
        if before is None:
            # Cancelled before we saw it created: remember it, so it is never counted.
            await svc.store.orders.insert_one(
                {
                    "_id": message.waybill,
                    "customer_id": customer_id,
                    "created_at": at,
                    "status": CANCELLED,
                    "status_at": at,
                    "cancelled_at": at,
                    "counted": False,
                },
                session=session,
            )
            return "unknown_order"
        back = reversal(
            bool(before.get("counted")),
            before.get("status") == CANCELLED,
            before["created_at"],
            before.get("revenue_fen", 0),
        )
        if back is None:
            return "duplicate"
        await svc.store.add_to_day(
            before["customer_id"], back.day, back.revenue_fen, back.shipments, session
        )
        return "applied"

    outcome = await in_transaction(svc.mongo, cancel)
    svc.metrics.events.labels("OrderCancelled", outcome).inc()


async def on_status_changed(
    svc: CrmService, event: Event[tracking_pb2.ShipmentStatusChanged]
) -> None:
    """Keeps the status of the order history current; never overwrites a later change nor
    a cancellation."""
    message = event.message
    status = convert.status_name(message.to_status)
    if not message.waybill or not status:
        raise PermanentError("ShipmentStatusChanged without a waybill or a status")
    at = _at(message.occurred_at, svc)
    result = await svc.store.orders.update_one(
        {"_id": message.waybill, "status": {"$ne": CANCELLED}, "status_at": {"$not": {"$gt": at}}},
        {"$set": {"status": status, "status_at": at}},
    )
    outcome = "applied" if result.matched_count else "stale_or_unknown"
    svc.metrics.events.labels("ShipmentStatusChanged", outcome).inc()
