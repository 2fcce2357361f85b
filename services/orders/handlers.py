"""One small async function per command or event. Entrypoints (api.py, consumer.py) turn
input into these calls; bootstrap.py wires the dependencies into ``OrdersService``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession

from fairwind.events import EncodedEvent, Event, EventCodec
from fairwind.mongo.batching import GroupCommitter
from fairwind.mongo.outbox import Outbox, in_transaction
from fairwind.v1 import common_pb2, orders_pb2, tracking_pb2
from services.orders import convert
from services.orders.domain.status import Status
from services.orders.intake import (
    Candidate,
    Intake,
    Rejected,
    WaybillIssuer,
    accept_many,
    utcnow,
)
from services.orders.keys import KeyStore, Partner
from services.orders.metrics import OrderMetrics
from services.orders.schemas import OrderIn
from services.orders.settings import OrdersSettings
from services.orders.store import IdempotencyRace, OrderStore, duplicated_fields
from services.orders.views import order_view

Document = dict[str, Any]
NewOrder = tuple[Document, list[EncodedEvent]]  # an order document and its events
_ORDER = TypeAdapter(OrderIn)


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    body: Document
    replayed: bool = False


@dataclass
class OrdersService:
    settings: OrdersSettings
    mongo: AsyncMongoClient[Document]
    store: OrderStore
    keys: KeyStore
    outbox: Outbox
    codec: EventCodec
    intake: Intake
    issuer: WaybillIssuer
    metrics: OrderMetrics
    writer: GroupCommitter[NewOrder]

    def view(self, doc: Document) -> Document:
        return order_view(doc, self.settings.public_tracking_url)


def _replay(record: Document, body_hash: str) -> Outcome:
    if record["hash"] != body_hash:
        raise Rejected(
            409,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request body",
        )
    return Outcome(record["status"], record["body"], replayed=True)


async def create_order(
    svc: OrdersService, partner: Partner, order: OrderIn, key: str, body_hash: str
) -> Outcome:
    """Accept one order. The Idempotency-Key is stored in the order itself (unique per
    partner), so the common path costs no lookup: a replay is found when its insert meets
    the first one's key."""
    now = utcnow()
    warnings = svc.intake.check(order, now)
    (waybill,) = await svc.issuer.issue()
    doc = await svc.intake.accept(order, partner, waybill, warnings, now)
    body = svc.view(doc)
    doc["idem"] = {"k": key, "h": body_hash, "body": body}
    event = svc.codec.encode(
        orders_pb2.OrderCreated(
            order=convert.order_message(doc, order), source=orders_pb2.ORDER_SOURCE_API
        ),
        waybill,
    )
    try:
        await svc.writer.submit((doc, [event]))
    except Exception as exc:
        if duplicated_fields(exc) is None:
            raise
        # Either unique index may be the one reported: the Idempotency-Key decides first.
        first = await svc.store.by_idempotency_key(partner.id, key)
        if first is not None:
            svc.metrics.replays.inc()
            idem = first["idem"]
            return _replay({"hash": idem["h"], "status": 201, "body": idem["body"]}, body_hash)
        raise Rejected(
            409, "duplicate_partner_order_id", await svc.store.duplicate_message([doc])
        ) from exc
    _count_accepted(svc, [doc], "api")
    return Outcome(201, body)


def _count_accepted(svc: OrdersService, docs: list[Document], source: str) -> None:
    for doc in docs:
        svc.metrics.accepted.labels(doc["service_level"], source).inc()
        if doc["promise_pending"]:
            svc.metrics.promise_pending.inc()


def problem_of(error: Rejected) -> Document:
    return {
        "type": f"https://fairwind.dev/problems/{error.reason}",
        "title": error.reason,
        "status": error.status,
        "detail": error.detail,
        **error.extensions,
    }


async def create_batch(
    svc: OrdersService, partner: Partner, items: list[Any], key: str, body_hash: str
) -> Outcome:
    """Up to ``max_batch`` orders; each item succeeds or fails on its own."""
    stored = await svc.store.replayable(partner.id, key)
    if stored is not None:
        svc.metrics.replays.inc()
        return _replay(stored, body_hash)
    if len(items) > svc.settings.max_batch:
        raise Rejected(
            422,
            "batch_too_large",
            f"{len(items)} orders; at most {svc.settings.max_batch} per batch",
        )
    now = utcnow()
    results: dict[int, Document] = {}
    candidates = _validated(svc, items, now, results)
    accepted = await _accept_all(svc, partner, candidates, now, results)
    events = svc.codec.encode_many(
        (
            orders_pb2.OrderCreated(
                order=convert.order_message(doc, order),
                source=orders_pb2.ORDER_SOURCE_BATCH_IMPORT,
                batch_id=key,
            ),
            doc["_id"],
        )
        for _, order, doc in accepted
    )
    for index, _, doc in accepted:
        results[index] = {"index": index, "status": 201, "order": svc.view(doc)}
    ordered = [results[i] for i in sorted(results)]
    body = {"accepted": len(accepted), "rejected": len(ordered) - len(accepted), "results": ordered}
    record = {
        "_id": {"p": partner.id, "k": key},
        "hash": body_hash,
        "status": 200,
        "body": body,
        "created_at": now,
    }

    async def store(session: AsyncClientSession) -> None:
        await svc.store.insert(session, [doc for _, _, doc in accepted], record)
        await svc.outbox.add(events, session)

    try:
        await in_transaction(svc.mongo, store)
    except IdempotencyRace:
        return await create_batch(svc, partner, items, key, body_hash)
    except Exception as exc:
        if duplicated_fields(exc) is None:
            raise
        docs = [doc for _, _, doc in accepted]
        raise Rejected(
            409, "duplicate_partner_order_id", await svc.store.duplicate_message(docs)
        ) from exc
    svc.outbox.notify()
    _count_accepted(svc, [doc for _, _, doc in accepted], "batch")
    return Outcome(200, body)


def _validated(
    svc: OrdersService, items: list[Any], now: datetime, results: dict[int, Document]
) -> list[tuple[int, OrderIn, list[Document]]]:
    candidates = []
    seen_ids: set[str] = set()
    for index, item in enumerate(items):
        try:
            order = _ORDER.validate_python(item)
            if order.partner_order_id in seen_ids:
                raise Rejected(
                    409,
                    "duplicate_partner_order_id",
                    f"partner order id {order.partner_order_id!r} repeats in the batch",
                )
            warnings = svc.intake.check(order, now)
        except ValidationError as exc:
            results[index] = _item_problem(
                index,
                Rejected(
                    422,
                    "invalid_order",
                    "the order is not valid",
                    errors=[
                        {"location": list(e["loc"]), "message": e["msg"]} for e in exc.errors()
                    ],
                ),
            )
            continue
        except Rejected as exc:
            results[index] = _item_problem(index, exc)
            continue
        if order.partner_order_id:
            seen_ids.add(order.partner_order_id)
        candidates.append((index, order, warnings))
    return candidates


async def _accept_all(
    svc: OrdersService,
    partner: Partner,
    candidates: list[tuple[int, OrderIn, list[Document]]],
    now: datetime,
    results: dict[int, Document],
) -> list[tuple[int, OrderIn, Document]]:
    taken = await svc.store.used_partner_order_ids(
        partner.id, [o.partner_order_id for _, o, _ in candidates if o.partner_order_id]
    )
    fresh = []
    for index, order, warnings in candidates:
        if order.partner_order_id in taken:
            results[index] = _item_problem(
                index,
                Rejected(
                    409,
                    "duplicate_partner_order_id",
                    f"partner order id {order.partner_order_id!r} is already "
                    f"waybill {taken[order.partner_order_id]}",
                ),
            )
        else:
            fresh.append((index, order, warnings))
    waybills = await svc.issuer.issue(len(fresh))
    outcomes = await accept_many(
        svc.intake,
        [
            Candidate(order, waybill, warnings)
            for (_, order, warnings), waybill in zip(fresh, waybills, strict=True)
        ],
        partner,
        now,
    )
    accepted = []
    for (index, order, _), outcome in zip(fresh, outcomes, strict=True):
        if isinstance(outcome, Rejected):
            results[index] = _item_problem(index, outcome)
        else:
            accepted.append((index, order, outcome))
    return accepted


def _item_problem(index: int, error: Rejected) -> Document:
    return {"index": index, "status": error.status, "problem": problem_of(error)}


async def cancel_order(svc: OrdersService, partner: Partner, waybill: str, reason: str) -> Outcome:
    doc = await svc.store.get(partner.id, waybill)
    if doc is None:
        raise Rejected(404, "not_found", f"no order {waybill}")
    if doc["status"] == Status.CANCELLED:
        return Outcome(200, svc.view(doc), replayed=True)
    now = utcnow()
    event = svc.codec.encode(
        orders_pb2.OrderCancelled(
            waybill=waybill,
            partner_id=partner.id,
            partner_order_id=doc.get("partner_order_id") or "",
            customer_id=doc["customer_id"],
            reason=reason,
            cancelled_at=convert.timestamp(now),
        ),
        waybill,
    )

    async def cancel(session: AsyncClientSession) -> Document | None:
        updated = await svc.store.cancel(session, partner.id, waybill, reason, now)
        if updated is not None:
            await svc.outbox.add([event], session)
        return updated

    updated = await in_transaction(svc.mongo, cancel)
    if updated is None:
        current = await svc.store.get(partner.id, waybill)
        status = current["status"] if current else "unknown"
        raise Rejected(
            409,
            "not_cancellable",
            f"the order is {status}; cancellation is possible until pickup",
            order_status=status,
        )
    svc.outbox.notify()
    svc.metrics.cancelled.inc()
    return Outcome(200, svc.view(updated))


async def on_status_changed(
    svc: OrdersService, event: Event[tracking_pb2.ShipmentStatusChanged]
) -> None:
    message = event.message
    name = common_pb2.ShipmentStatus.Name(message.to_status).removeprefix("SHIPMENT_STATUS_")
    try:
        status = Status(name.lower())
    except ValueError:
        return  # UNSPECIFIED or a status this version does not know: nothing to follow
    occurred = (
        convert.from_timestamp(message.occurred_at)
        if message.HasField("occurred_at")
        else event.envelope.time
    )
    await svc.store.follow_status(message.waybill, status, occurred)
