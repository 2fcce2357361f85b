"""In-memory stand-ins for the orders service's repositories, routing and CRM, and the
service wired on them, for handler unit tests (tests/unit/test_orders_handlers.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry

from fairwind.events import EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.group_commit import GroupCommitter
from fairwind.mongo.uow import UnitOfWork
from fairwind.testing import FakeTransactions
from fairwind.v1 import common_pb2, routes_pb2
from services.orders import handlers
from services.orders.clients import Coverage, RoutingUnavailable
from services.orders.datafiles import load_commodity_rules
from services.orders.domain.status import Move, Status
from services.orders.handlers import OrdersService
from services.orders.intake import Intake, WaybillIssuer
from services.orders.keys import KeyStore
from services.orders.metrics import order_metrics
from services.orders.settings import OrdersSettings
from services.orders.store import (
    DuplicateOrder,
    Orders,
    OrdersStore,
    OrdersUnit,
    RoutePlan,
    Serials,
)

Document = dict[str, Any]
CODEC = EventCodec(platform_catalog(), "tests")


class FakeOrders(Orders):
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    async def insert(self, orders: Sequence[Document]) -> None:
        for doc in orders:  # all or nothing, as the transaction is
            if self._taken(doc):
                raise DuplicateOrder({"partner_id"})
        self.docs |= {doc["_id"]: dict(doc) for doc in orders}

    def _taken(self, doc: Document) -> bool:
        key = (doc.get("idem") or {}).get("k")
        return any(
            d["_id"] == doc["_id"]
            or (doc["partner_order_id"] and d["partner_order_id"] == doc["partner_order_id"])
            or (key and (d.get("idem") or {}).get("k") == key)
            for d in self.docs.values()
        )

    async def by_idempotency_key(self, partner_id: str, key: str) -> Document | None:
        return next((d for d in self.docs.values() if (d.get("idem") or {}).get("k") == key), None)

    async def duplicate_message(self, orders: Sequence[Document]) -> str:
        return "partner order id taken"

    async def by_waybill(self, waybill: str) -> Document | None:
        return self.docs.get(waybill)

    async def cancel(
        self, partner_id: str, waybill: str, cancellation: Document, now: datetime
    ) -> Document | None:
        doc = self.docs.get(waybill)
        if doc is None or doc["status"] not in ("info_received", "pickup_dispatched"):
            return None
        doc |= {"status": "cancelled", "cancelled_at": now, "cancellation": cancellation}
        return doc

    async def statuses(self, waybills: Sequence[str]) -> dict[str, Status]:
        return {w: Status(self.docs[w]["status"]) for w in waybills if w in self.docs}

    async def move_statuses(self, moves: Mapping[str, Move]) -> None:
        for waybill, move in moves.items():
            doc = self.docs[waybill]
            assert doc["status"] == move.before.value
            doc["status"] = move.after.value
            doc["history"] += [{"status": s.value, "at": at} for s, at in move.steps]

    async def follow_routes(self, plans: Sequence[RoutePlan]) -> None:
        for plan in plans:
            doc = self.docs[plan.waybill]
            if (doc.get("route_version") or 0) < plan.version:
                doc |= plan.fields | {"route_version": plan.version}
            if plan.price is not None and doc["price"] is None:
                doc["price"] = plan.price


class FakeSerials(Serials):
    def __init__(self) -> None:
        self.value = 0

    async def reserve(self, count: int) -> range:
        self.value += count
        return range(self.value - count + 1, self.value + 1)


class FakeOrdersUnit(OrdersUnit):
    def __init__(self, orders: FakeOrders) -> None:
        UnitOfWork.__init__(self)
        self.orders = orders


class StubRouting:
    """Routing as intake sees it: every address served, or down."""

    def __init__(self) -> None:
        self.down = False

    async def coverage(self, address: Any, level: Any) -> Coverage:
        if self.down:
            raise RoutingUnavailable("routing: UNAVAILABLE")
        return Coverage(True, False, "SZX001", "SZX", "")

    async def quote(self, *args: Any) -> routes_pb2.Quote:
        if self.down:
            raise RoutingUnavailable("routing: UNAVAILABLE")
        quote = routes_pb2.Quote(price=common_pb2.Money(currency_code="CNY", units=14))
        quote.promise.deliver_by.FromDatetime(datetime(2026, 11, 27, 10, tzinfo=UTC))
        return quote

    async def quote_many(self, requests: Any) -> list[Any]:
        return [await self.quote() for _ in requests]


class StubCustomers:
    async def tier(self, customer_id: str) -> str:
        return "Q2"


class Fakes:
    def __init__(self) -> None:
        settings = OrdersSettings()
        self.orders, self.routing = FakeOrders(), StubRouting()
        self.units = FakeTransactions(lambda: FakeOrdersUnit(self.orders))
        store = OrdersStore.__new__(OrdersStore)
        store.orders = self.orders
        rules = load_commodity_rules(settings.commodity_rules_file)
        self.svc = OrdersService(
            settings=settings,
            store=store,
            uow=self.units,
            keys=KeyStore.__new__(KeyStore),  # partners are given, not looked up
            codec=CODEC,
            intake=Intake(settings, rules, self.routing, StubCustomers()),
            issuer=WaybillIssuer(FakeSerials(), "FW", 10),
            metrics=order_metrics(CollectorRegistry()),
            writer=GroupCommitter(self.units, handlers.write_orders),
        )

    def event_names(self) -> list[str]:
        return [e.event_type.rsplit(".", 1)[1] for e in self.units.events]
