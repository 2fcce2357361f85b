"""CRM's event handlers with a fake unit of work and in-memory repositories: what gets
counted, once, without MongoDB."""

from __future__ import annotations

from typing import Any

import pytest

from fairwind.events import Event, PermanentError
from fairwind.v1 import common_pb2, orders_pb2
from services.crm import handlers
from services.crm.handlers import CrmService
from tests.unit.crm_fakes import AT, CODEC, FakeCrm, FakeCustomers, FakeDays, FakeOrders


@pytest.fixture
def db() -> FakeCrm:
    return FakeCrm()


@pytest.fixture
def fakes(db: FakeCrm) -> tuple[FakeOrders, FakeDays, FakeCustomers]:
    return db.orders, db.days, db.customers


@pytest.fixture
def svc(db: FakeCrm) -> CrmService:
    return db.service()


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
