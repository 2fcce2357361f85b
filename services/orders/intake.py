"""Turning a partner's order request into an accepted order: business checks, commodity
and customs rules, coverage, price and promise from routing, tier from CRM."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fairwind.domain.waybill import format_waybill
from fairwind.problems import Rejected
from fairwind.v1 import routes_pb2
from services.orders import convert
from services.orders.clients import (
    Coverage,
    Customers,
    NoService,
    Routing,
    RoutingUnavailable,
)
from services.orders.domain.commodities import CommodityRules, Item
from services.orders.domain.status import Status
from services.orders.domain.weights import PieceSize, chargeable_weight_kg
from services.orders.keys import Partner
from services.orders.schemas import OrderIn, ParcelIn
from services.orders.settings import OrdersSettings
from services.orders.store import Serials

Document = dict[str, Any]


@dataclass
class WaybillIssuer:
    """Hands out waybill numbers from serial blocks reserved in MongoDB. Numbers are unique,
    not gapless: a block is lost with its process, and a write that fails after the number
    was given (a duplicate partner order id) leaves its number unused (docs/api/orders.md)."""

    serials: Serials
    prefix: str
    block: int
    _serials: list[int] = field(default_factory=list)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def issue(self, count: int = 1) -> list[str]:
        async with self._lock:
            while len(self._serials) < count:
                self._serials.extend(await self.serials.reserve(max(self.block, count)))
            taken, self._serials = self._serials[:count], self._serials[count:]
        return [format_waybill(self.prefix, serial) for serial in taken]


@dataclass(frozen=True, slots=True)
class Terms:
    """What an accepted order gets before it has a waybill: serials go to accepted orders
    only, so refusals leave no gap."""

    quote: routes_pb2.Quote | None  # None: routing was unavailable, the promise is pending
    warnings: list[Document]
    tier: str


@dataclass(frozen=True)
class Intake:
    settings: OrdersSettings
    rules: CommodityRules
    routing: Routing
    customers: Customers

    def check(self, order: OrderIn, now: datetime) -> list[Document]:
        """Synchronous checks; returns the customs warnings. Raises Rejected."""
        limit = self.settings.max_parcels
        if len(order.parcels) > limit:
            raise Rejected(
                422, "too_many_parcels", f"{len(order.parcels)} parcels; at most {limit} per order"
            )
        self._check_pickup_window(order, now)
        self._check_currencies(order)
        verdict = self.rules.evaluate(
            [Item(p.description, p.commodity_code or "") for p in order.parcels],
            order.shipper.address.country,
            order.consignee.address.country,
        )
        if verdict.refusals:
            raise Rejected(
                422,
                "prohibited_item",
                "; ".join(r.explain() for r in verdict.refusals),
                prohibited=[
                    {"parcel_index": r.parcel_index, "item": r.item, "rule": r.rule_id}
                    for r in verdict.refusals
                ],
            )
        destination = order.consignee.address.country
        return [
            {
                "code": "DOCUMENTS_REQUIRED",
                "message": need.explain(destination),
                "parcel_index": need.parcel_index,
                "required_documents": list(need.documents),
            }
            for need in verdict.documents
        ]

    def _check_pickup_window(self, order: OrderIn, now: datetime) -> None:
        window = order.pickup_window
        if window is None:
            return
        if window.end <= window.start:
            raise Rejected(422, "invalid_pickup_window", "pickup window ends before it starts")
        if window.end <= now:
            raise Rejected(422, "invalid_pickup_window", "pickup window is in the past")
        if window.start > now + timedelta(days=self.settings.max_pickup_days_ahead):
            raise Rejected(
                422,
                "invalid_pickup_window",
                f"pickup window starts more than {self.settings.max_pickup_days_ahead} days ahead",
            )

    def _check_currencies(self, order: OrderIn) -> None:
        if order.cod_amount is not None and order.cod_amount.currency != self.settings.currency:
            raise Rejected(422, "invalid_cod", f"COD must be in {self.settings.currency}")

    async def price_and_promise(
        self,
        order: OrderIn,
        customer_id: str,
    ) -> tuple[routes_pb2.Quote | None, Coverage | None]:
        """The quote and delivery coverage, or (None, None) when routing is unavailable.
        An unserved address is named (``unserved_area`` with ``side``) even though the quote,
        asked at the same time, fails too."""
        level = order.service_level
        ship_at = order.pickup_window.start if order.pickup_window else None
        origin, destination, quote = await asyncio.gather(
            self.routing.coverage(order.shipper.address, level),
            self.routing.coverage(order.consignee.address, level),
            self.routing.quote(
                order.shipper.address,
                order.consignee.address,
                list(order.parcels),
                level,
                ship_at,
                order.cod_amount,
                customer_id,
            ),
            return_exceptions=True,
        )
        answers = (origin, destination, quote)
        for answer in answers:
            if isinstance(answer, BaseException) and not isinstance(
                answer, RoutingUnavailable | NoService
            ):
                raise answer
        if isinstance(origin, Coverage) and isinstance(destination, Coverage):
            check_coverage(origin, destination)
        refusal = next((a for a in answers if isinstance(a, NoService)), None)
        if refusal is not None:
            raise Rejected(422, "no_service", str(refusal)) from refusal
        if isinstance(quote, BaseException) or not isinstance(destination, Coverage):
            return None, None  # routing did not answer in time
        return quote, destination

    async def accept(self, order: OrderIn, partner: Partner, warnings: list[Document]) -> Terms:
        """Routing's and CRM's terms for the order (asked concurrently). Raises Rejected."""
        (quote, destination), tier = await asyncio.gather(
            self.price_and_promise(order, partner.customer_id),
            self.customers.tier(partner.customer_id),
        )
        return Terms(quote, remote_warning(warnings, destination), tier)


def check_coverage(origin: Coverage, destination: Coverage) -> None:
    for side, coverage in (("pickup", origin), ("delivery", destination)):
        if not coverage.served:
            raise Rejected(
                422,
                "unserved_area",
                f"{side} address is not served: {coverage.reason or 'no outlet'}",
                side=side,
            )


def remote_warning(warnings: list[Document], destination: Coverage | None) -> list[Document]:
    if destination is None or not destination.remote_area:
        return warnings
    return [
        *warnings,
        {
            "code": "REMOTE_AREA",
            "parcel_index": -1,
            "required_documents": [],
            "message": "remote delivery area: " + (destination.reason or "extra working days"),
        },
    ]


_RECEIVED = Status.INFO_RECEIVED.value


def order_document(
    order: OrderIn, partner: Partner, waybill: str, terms: Terms, now: datetime
) -> Document:
    quote = terms.quote
    doc: Document = {
        "_id": waybill,
        "partner_id": partner.id,
        "customer_id": partner.customer_id,
        "customer_tier": terms.tier,
        "partner_order_id": order.partner_order_id,
        "service_level": order.service_level,
        "status": _RECEIVED,
        "history": [{"status": _RECEIVED, "at": now}],
        "created_at": now,
        "chargeable_weight_kg": None,
        "warnings": terms.warnings,
        "promise_pending": quote is None,
        "promise": None,
        "price": None,
        "origin_outlet": None,
        "origin_city": None,
        "destination_outlet": None,
        "destination_city": None,
        "planned_hubs": [],
        "request": order.model_dump(mode="json"),
    }
    if quote is not None:
        doc |= {
            "promise": convert.promise_doc(quote.promise),
            "price": convert.money_doc(quote.price),
            "origin_outlet": quote.origin_outlet.code or None,
            "origin_city": quote.origin_outlet.city_code or None,
            "destination_outlet": quote.destination_outlet.code or None,
            "destination_city": quote.destination_outlet.city_code or None,
            "planned_hubs": list(quote.hub_codes),
        }
    # Routing's chargeable weight when it gave one, else ours (computed only then).
    doc["chargeable_weight_kg"] = (quote is not None and quote.chargeable_weight_kg) or (
        chargeable_weight_kg(_pieces(order.parcels))
    )
    return doc


def _pieces(parcels: Sequence[ParcelIn]) -> list[PieceSize]:
    return [
        PieceSize(
            p.weight_kg,
            p.dimensions.length_cm,
            p.dimensions.width_cm,
            p.dimensions.height_cm,
            p.quantity,
        )
        for p in parcels
    ]
