"""CRM's event handlers with a fake unit of work and in-memory repositories: what gets
counted, once, without MongoDB."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from fairwind.events import Event, EventCodec, PermanentError
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.uow import UnitOfWork
from fairwind.testing import FakeTransactions
from fairwind.v1 import common_pb2, orders_pb2
from services.crm import handlers
from services.crm.domain.archive import ServiceRecord
from services.crm.domain.classification import Sighting
from services.crm.handlers import CrmService
from services.crm.metrics import crm_metrics
from services.crm.settings import CrmSettings
from services.crm.store import CrmStore, CrmUnit, Customers, OrderHistory, RevenueDays
from services.crm.store.records import ServiceRecords

Document = dict[str, Any]
CODEC = EventCodec(platform_catalog(), "tests")
AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


class FakeOrders(OrderHistory):
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    async def known(self, waybills: Collection[str]) -> set[str]:
        return {w for w in waybills if w in self.docs}

    async def insert(self, docs: Sequence[Document]) -> None:
        for doc in docs:
            assert doc["_id"] not in self.docs, "duplicate key"
            self.docs[doc["_id"]] = dict(doc)

    async def cancel(self, waybill: str, at: datetime) -> Document | None:
        before = self.docs.get(waybill)
        if before is not None:
            self.docs[waybill] = before | {"status": "cancelled", "cancelled_at": at}
        return before


class FakeDays(RevenueDays):
    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str], list[int]] = {}

    async def add(self, deltas: Any) -> None:
        for d in deltas:
            bucket = self.buckets.setdefault((d.customer_id, d.day.isoformat()), [0, 0])
            bucket[0] += d.revenue_fen
            bucket[1] += d.shipments


class FakeCustomers(Customers):
    def __init__(self) -> None:
        self.seen: list[Sighting] = []

    async def saw(self, sightings: Sequence[Sighting], now: datetime, max_phones: int) -> None:
        self.seen.extend(sightings)


class FakeRecords(ServiceRecords):
    def __init__(self) -> None:
        self.stored: dict[str, ServiceRecord] = {}

    async def add(self, records: Sequence[ServiceRecord]) -> list[ServiceRecord]:
        new = [r for r in records if r.id not in self.stored]
        self.stored.update((r.id, r) for r in new)
        return new


class FakeCrmUnit(CrmUnit):
    def __init__(self, orders: FakeOrders, days: FakeDays, customers: FakeCustomers) -> None:
        UnitOfWork.__init__(self)
        self.orders, self.days, self.customers = orders, days, customers
        self.records = FakeRecords()  # the archive's service records (cancellations)


@pytest.fixture
def fakes() -> tuple[FakeOrders, FakeDays, FakeCustomers]:
    return FakeOrders(), FakeDays(), FakeCustomers()


@pytest.fixture
def svc(fakes: tuple[FakeOrders, FakeDays, FakeCustomers]) -> CrmService:
    store = CrmStore.__new__(CrmStore)  # reads are not used by these handlers
    return CrmService(
        settings=CrmSettings(),
        store=store,
        uow=FakeTransactions(lambda: FakeCrmUnit(*fakes)),
        codec=CODEC,
        metrics=crm_metrics(CollectorRegistry()),
    )


def created(waybill: str, customer: str, price_cny: int) -> Event[Any]:
    order = orders_pb2.Order(
        waybill=waybill,
        customer_id=customer,
        price=common_pb2.Money(currency_code="CNY", units=price_cny),
        shipper=common_pb2.Contact(name="李四", phone="138 0013 8000"),
    )
    order.created_at.FromDatetime(AT)
    encoded = CODEC.encode(orders_pb2.OrderCreated(order=order), waybill)
    return CODEC.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)


def cancelled(waybill: str, customer: str) -> Event[Any]:
    message = orders_pb2.OrderCancelled(waybill=waybill, customer_id=customer)
    message.cancelled_at.FromDatetime(AT)
    encoded = CODEC.encode(message, waybill)
    return CODEC.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)


async def test_a_batch_counts_each_waybill_once_into_its_customer_day(
    svc: CrmService, fakes: tuple[FakeOrders, FakeDays, FakeCustomers]
) -> None:
    orders, days, customers = fakes
    batch = [created("FW1", "acme", 100), created("FW2", "acme", 50), created("FW1", "acme", 100)]
    await handlers.on_orders_created(svc, batch)
    await handlers.on_orders_created(svc, [created("FW2", "acme", 50)])  # a redelivery

    assert set(orders.docs) == {"FW1", "FW2"}
    assert days.buckets == {("acme", "2026-11-26"): [15_000, 2]}  # fen, shipments
    assert [s.phone for s in customers.seen] == ["+8613800138000"] * 2


async def test_a_cancellation_takes_back_once_and_an_early_one_blocks_the_count(
    svc: CrmService, fakes: tuple[FakeOrders, FakeDays, FakeCustomers]
) -> None:
    orders, days, _ = fakes
    await handlers.on_orders_created(svc, [created("FW1", "acme", 100)])
    await handlers.on_order_cancelled(svc, cancelled("FW1", "acme"))
    await handlers.on_order_cancelled(svc, cancelled("FW1", "acme"))
    assert days.buckets == {("acme", "2026-11-26"): [0, 0]}

    await handlers.on_order_cancelled(svc, cancelled("FW9", "acme"))  # before its order
    await handlers.on_orders_created(svc, [created("FW9", "acme", 70)])
    assert days.buckets == {("acme", "2026-11-26"): [0, 0]}
    assert orders.docs["FW9"]["counted"] is False


async def test_an_order_without_a_customer_is_refused_and_nothing_is_written(
    svc: CrmService, fakes: tuple[FakeOrders, FakeDays, FakeCustomers]
) -> None:
    with pytest.raises(PermanentError):
        await handlers.on_orders_created(svc, [created("FW1", "acme", 1), created("FW2", "", 1)])
    assert fakes[0].docs == {}
