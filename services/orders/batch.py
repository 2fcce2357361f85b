"""Batch import: up to ``max_batch`` orders in one request, each accepted or refused on its
own, all stored in one transaction with one idempotency record for the batch. Routing is
asked once per district (coverage) and once per few hundred orders (QuoteMany)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from fairwind.problems import Rejected
from fairwind.v1 import orders_pb2
from services.orders import convert
from services.orders.clients import Coverage, NoService, QuoteArgs, Routing, RoutingUnavailable
from services.orders.handlers import OrdersService, Outcome, count_accepted, replay
from services.orders.intake import (
    Intake,
    Terms,
    check_coverage,
    order_document,
    remote_warning,
)
from services.orders.keys import Partner
from services.orders.schemas import AddressIn, OrderIn, ServiceLevel
from services.orders.store import DuplicateOrder, IdempotencyRace, OrdersUnit

Document = dict[str, Any]
_ORDER = TypeAdapter(OrderIn)


@dataclass(frozen=True, slots=True)
class Candidate:
    order: OrderIn
    warnings: list[Document]


async def accept_many(
    intake: Intake, candidates: list[Candidate], partner: Partner
) -> list[Terms | Rejected]:
    """Batch import: coverage per distinct district (cached), all quotes in a few
    QuoteMany calls, the tier once. Each candidate gets its terms or its refusal."""
    if not candidates:
        return []
    tier = await intake.customers.tier(partner.customer_id)
    routing = intake.routing
    try:
        coverage = await _coverage_by_district(routing, candidates)
        quotes: list[Any] = await routing.quote_many(
            [
                QuoteArgs(
                    c.order.shipper.address,
                    c.order.consignee.address,
                    list(c.order.parcels),
                    c.order.service_level,
                    c.order.pickup_window.start if c.order.pickup_window else None,
                    c.order.cod_amount,
                    partner.customer_id,
                )
                for c in candidates
            ]
        )
    except RoutingUnavailable:
        return [Terms(None, c.warnings, tier) for c in candidates]
    results: list[Terms | Rejected] = []
    for candidate, quote in zip(candidates, quotes, strict=True):
        order = candidate.order
        pickup = coverage[_district(order.shipper.address, order.service_level)]
        delivery = coverage[_district(order.consignee.address, order.service_level)]
        try:
            check_coverage(pickup, delivery)
            if isinstance(quote, NoService):
                raise Rejected(422, "no_service", str(quote))
        except Rejected as refusal:
            results.append(refusal)
            continue
        results.append(Terms(quote, remote_warning(candidate.warnings, delivery), tier))
    return results


def _district(address: AddressIn, level: str) -> tuple[str, ...]:
    return (address.country, address.province, address.city, address.district, level)


async def _coverage_by_district(
    routing: Routing,
    candidates: list[Candidate],
) -> dict[tuple[str, ...], Coverage]:
    """One coverage answer per distinct district and service level in the batch."""
    wanted: dict[tuple[str, ...], tuple[AddressIn, ServiceLevel]] = {}
    for c in candidates:
        for address in (c.order.shipper.address, c.order.consignee.address):
            wanted.setdefault(
                _district(address, c.order.service_level), (address, c.order.service_level)
            )
    answers = await asyncio.gather(*(routing.coverage(a, lvl) for a, lvl in wanted.values()))
    return dict(zip(wanted, answers, strict=True))


async def create_batch(
    svc: OrdersService, partner: Partner, items: list[Any], key: str, body_hash: str
) -> Outcome:
    """Up to ``max_batch`` orders; each item succeeds or fails on its own."""
    stored = await svc.store.idempotency.replayable(partner.id, key)
    if stored is not None:
        svc.metrics.replays.inc()
        return replay(stored, body_hash)
    if len(items) > svc.settings.max_batch:
        raise Rejected(
            422,
            "batch_too_large",
            f"{len(items)} orders; at most {svc.settings.max_batch} per batch",
        )
    now = svc.clock.now()
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

    docs = [doc for _, _, doc in accepted]

    async def store(uow: OrdersUnit) -> None:
        await uow.idempotency.insert(record)  # a concurrent request with this key stops here
        await uow.orders.insert(docs)
        uow.emit(*events)

    try:
        await svc.uow.run(store)
    except IdempotencyRace:
        return await create_batch(svc, partner, items, key, body_hash)
    except DuplicateOrder as exc:
        raise Rejected(
            409, "duplicate_partner_order_id", await svc.store.orders.duplicate_message(docs)
        ) from exc
    count_accepted(svc, docs, "batch")
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
    taken = await svc.store.orders.used_partner_order_ids(
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
    outcomes = await accept_many(
        svc.intake, [Candidate(order, warnings) for _, order, warnings in fresh], partner
    )
    approved = []
    for (index, order, _), outcome in zip(fresh, outcomes, strict=True):
        if isinstance(outcome, Rejected):
            results[index] = _item_problem(index, outcome)
        else:
            approved.append((index, order, outcome))
    # Serials only for the items that are stored: refusals leave no gap.
    waybills = await svc.issuer.issue(len(approved))
    return [
        (index, order, order_document(order, partner, waybill, terms, now))
        for (index, order, terms), waybill in zip(approved, waybills, strict=True)
    ]


def _item_problem(index: int, error: Rejected) -> Document:
    return {"index": index, "status": error.status, "problem": error.body()}
