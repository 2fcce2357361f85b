"""Batch import: up to ``max_batch`` orders in one request, each accepted or refused on its
own, all stored in one transaction with one idempotency record for the batch. Routing is
asked once per district (coverage) and once per few hundred orders (QuoteMany)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from fairwind.events import EncodedEvent
from fairwind.problems import Rejected
from fairwind.v1 import orders_pb2
from services.orders import convert
from services.orders.clients import Coverage, NoService, Routing, RoutingUnavailable
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
T = TypeVar("T")
_ORDER = TypeAdapter(OrderIn)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item that passed validation and the synchronous checks."""

    index: int  # in the request
    order: OrderIn
    warnings: list[Document]
    # Its OrderCreated with the request's part, built once: its quote request reuses it.
    created: orders_pb2.OrderCreated


async def accept_many(
    intake: Intake, candidates: list[Candidate], partner: Partner
) -> list[Terms | Rejected]:
    """Batch import: coverage per distinct district (cached), all quotes in a few
    QuoteMany calls and the tier once, asked at the same time. Each candidate gets its
    terms or its refusal; with routing unavailable, every one is accepted pending."""
    if not candidates:
        return []
    routing = intake.routing
    tier, coverage, quotes = await asyncio.gather(
        intake.customers.tier(partner.customer_id),
        _coverage_by_district(routing, candidates),
        routing.quote_many(
            [convert.quote_request(c.created.order, partner.customer_id) for c in candidates]
        ),
        return_exceptions=True,
    )
    customer_tier = _answered(tier)
    try:  # coverage first, as if asked one after the other
        by_district, quoted = _answered(coverage), _answered(quotes)
    except RoutingUnavailable:
        return [Terms(None, c.warnings, customer_tier) for c in candidates]
    results: list[Terms | Rejected] = []
    for candidate, quote in zip(candidates, quoted, strict=True):
        order = candidate.order
        pickup = by_district[_district(order.shipper.address, order.service_level)]
        delivery = by_district[_district(order.consignee.address, order.service_level)]
        try:
            check_coverage(pickup, delivery)
            if isinstance(quote, NoService):
                raise Rejected(422, "no_service", str(quote))
        except Rejected as refusal:
            results.append(refusal)
            continue
        results.append(Terms(quote, remote_warning(candidate.warnings, delivery), customer_tier))
    return results


def _answered(answer: T | BaseException) -> T:
    if isinstance(answer, BaseException):
        raise answer
    return answer


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
    return await _import(svc, partner, items, key, body_hash)


async def _import(
    svc: OrdersService, partner: Partner, items: list[Any], key: str, body_hash: str
) -> Outcome:
    now = svc.clock.now()
    results: dict[int, Document] = {}
    candidates = _validated(svc, items, now, results)
    accepted = await _accept_all(svc, partner, candidates, now, results)
    events = _created_events(svc, accepted, now, key)
    for candidate, doc, _ in accepted:
        results[candidate.index] = {
            "index": candidate.index,
            "status": 201,
            "order": svc.view(doc),
        }
    ordered = [results[i] for i in sorted(results)]
    body = {"accepted": len(accepted), "rejected": len(ordered) - len(accepted), "results": ordered}
    record = {
        "_id": {"p": partner.id, "k": key},
        "hash": body_hash,
        "status": 200,
        "body": body,
        "created_at": now,
    }

    docs = [doc for _, doc, _ in accepted]

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


Accepted = tuple[Candidate, Document, Terms]  # an item to store, its document and terms


def _created_events(
    svc: OrdersService, accepted: list[Accepted], now: datetime, key: str
) -> list[EncodedEvent]:
    """One OrderCreated per stored order, completed from its document, encoded together
    (one ``ce_time`` and trace context for the batch)."""
    created_at = convert.timestamp(now)
    for candidate, doc, terms in accepted:
        created = candidate.created
        created.source = orders_pb2.ORDER_SOURCE_BATCH_IMPORT
        created.batch_id = key
        convert.complete_message(created.order, doc, terms.quote, created_at)
    return svc.codec.encode_many((candidate.created, doc["_id"]) for candidate, doc, _ in accepted)


def _validated(
    svc: OrdersService, items: list[Any], now: datetime, results: dict[int, Document]
) -> list[Candidate]:
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
        candidates.append(Candidate(index, order, warnings, convert.created_event(order)))
    return candidates


async def _accept_all(
    svc: OrdersService,
    partner: Partner,
    candidates: list[Candidate],
    now: datetime,
    results: dict[int, Document],
) -> list[Accepted]:
    """Routing's and CRM's terms for every candidate, asked while MongoDB says which
    partner order ids are taken already (those items are refused, whatever routing says)."""
    ids = [c.order.partner_order_id for c in candidates if c.order.partner_order_id]
    lookup = asyncio.create_task(svc.store.orders.used_partner_order_ids(partner.id, ids))
    asking = asyncio.create_task(accept_many(svc.intake, candidates, partner))
    try:
        outcomes = await asking
        taken = await lookup
    except BaseException:
        lookup.cancel()
        asking.cancel()
        raise
    approved = []
    for candidate, outcome in zip(candidates, outcomes, strict=True):
        index, partner_order_id = candidate.index, candidate.order.partner_order_id
        if partner_order_id in taken:
            results[index] = _item_problem(
                index,
                Rejected(
                    409,
                    "duplicate_partner_order_id",
                    f"partner order id {partner_order_id!r} is already "
                    f"waybill {taken[partner_order_id]}",
                ),
            )
        elif isinstance(outcome, Rejected):
            results[index] = _item_problem(index, outcome)
        else:
            approved.append((candidate, outcome))
    # Serials only for the items that are stored: refusals leave no gap.
    waybills = await svc.issuer.issue(len(approved))
    return [
        (candidate, order_document(candidate.order, partner, waybill, terms, now), terms)
        for (candidate, terms), waybill in zip(approved, waybills, strict=True)
    ]


def _item_problem(index: int, error: Rejected) -> Document:
    return {"index": index, "status": error.status, "problem": error.body()}
