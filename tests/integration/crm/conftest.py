"""A crm service on the real broker and mongod, served over a real gRPC channel."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import grpc
import httpx
import pytest
from google.protobuf.message import Message
from prometheus_client import CollectorRegistry

from fairwind.events import Event, EventCatalog
from fairwind.infra.pytest_plugin import InfraEndpoints, serving
from fairwind.v1 import common_pb2, crm_pb2, crm_pb2_grpc, orders_pb2, sla_pb2, tracking_pb2
from services.crm.archive import import_customers, parse
from services.crm.bootstrap import CrmApp, bootstrap
from services.crm.consumer import event_consumer
from services.crm.ranking import RankResult
from services.crm.settings import CrmSettings

M = TypeVar("M", bound=Message)

# Five partners of different volumes: Q1..Q5 in this order.
ARCHIVE: list[dict[str, Any]] = [
    {"customer_id": "alpha", "name": "王经理", "company": "Alpha 电商", "revenue_90d_cny": 50000.0},
    {"customer_id": "bravo", "company": "Bravo", "revenue_90d_cny": 40000.0, "shipments_90d": 400},
    {"customer_id": "charlie", "revenue_90d_cny": 30000.0, "phones": ["+86 139 0000 0003"]},
    {"customer_id": "delta", "revenue_90d_cny": 20000.0},
    {"customer_id": "echo", "revenue_90d_cny": 10000.0, "emails": ["ops@echo.example"]},
]


def isolated_catalog(unique_name: str) -> EventCatalog:
    return (
        EventCatalog()
        .register(f"{unique_name}.orders.v1", orders_pb2.OrderCreated, orders_pb2.OrderCancelled)
        .register(
            f"{unique_name}.tracking.v1",
            tracking_pb2.ScanRecorded,
            tracking_pb2.ShipmentStatusChanged,
            tracking_pb2.RouteDeviationDetected,
        )
        .register(f"{unique_name}.sla.v1", sla_pb2.SlaAtRisk, sla_pb2.SlaBreached, sla_pb2.SlaMet)
        .register(
            f"{unique_name}.crm.v1",
            crm_pb2.SegmentChanged,
            crm_pb2.SurveyAnswered,
            crm_pb2.ChurnRiskRaised,
            crm_pb2.KeyAccountBreached,
        )
    )


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def crm(
    infra: InfraEndpoints, unique_name: str, registry: CollectorRegistry
) -> AsyncIterator[CrmApp]:
    settings = infra.service_settings(CrmSettings, unique_name)
    app = await bootstrap(settings, catalog=isolated_catalog(unique_name), registry=registry)
    async with serving(app, app.grpc):
        yield app


@pytest.fixture
async def stub(crm: CrmApp) -> AsyncIterator[Any]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{crm.grpc.port}") as channel:
        yield crm_pb2_grpc.CustomerServiceStub(channel)


@pytest.fixture
async def client(crm: CrmApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=crm.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://crm") as http:
        yield http


async def import_archive(app: CrmApp, specs: list[dict[str, Any]] = ARCHIVE) -> RankResult:
    lines = [json.dumps(spec, ensure_ascii=False) for spec in specs]
    batch = parse(lines, "86", 1000, 16 * 1024)
    return await import_customers(app.service, batch)


async def profile(stub: Any, customer_id: str) -> crm_pb2.CustomerProfile:
    reply = await stub.GetProfile(crm_pb2.GetProfileRequest(customer_id=customer_id))
    return reply.profile  # type: ignore[no-any-return]


def cny(money: common_pb2.Money) -> float:
    return money.units + money.nanos / 1e9


def order_created(
    waybill: str,
    customer: str,
    price_cny: float,
    *,
    phone: str = "138 0013 8000",
    consignee: str = "张三",
    at: datetime | None = None,
) -> orders_pb2.OrderCreated:
    units = int(price_cny)
    order = orders_pb2.Order(
        waybill=waybill,
        partner_id=customer,
        customer_id=customer,
        service_level=common_pb2.SERVICE_LEVEL_NEXT_DAY,
        price=common_pb2.Money(
            currency_code="CNY", units=units, nanos=round((price_cny - units) * 1e9)
        ),
        shipper=common_pb2.Contact(name="李四", company=f"{customer} Ltd", phone=phone),
        consignee=common_pb2.Contact(
            name=consignee,
            phone="13912345678",
            address=common_pb2.Address(city="北京市", district="朝阳区", street="建国路 88 号"),
        ),
    )
    order.created_at.FromDatetime(at or datetime.now(UTC))
    return orders_pb2.OrderCreated(order=order)


def as_event(app: CrmApp, message: Any, key: str) -> Event[Any]:
    encoded = app.platform.codec.encode(message, key)
    return app.platform.codec.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)


async def publish(app: CrmApp, *items: tuple[Any, str]) -> None:
    """Put events on the real broker, as the orders and tracking services do."""
    encoded = [app.platform.codec.encode(message, key) for message, key in items]
    await app.platform.publisher.send(encoded)


@asynccontextmanager
async def running(app: CrmApp) -> AsyncIterator[None]:
    """The event consumer and the outbox relay, as ``serve`` runs them."""
    consumer = event_consumer(app.platform, app.service)
    relay = app.platform.relay(poll_interval_s=0.05)
    tasks = [asyncio.create_task(consumer.run()), asyncio.create_task(relay.run())]
    try:
        yield
    finally:
        consumer.stop()
        relay.stop()
        await asyncio.gather(*tasks)


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 30.0) -> None:
    """Poll until ``check()`` holds; fails the test (not a timing assertion) if never."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.05)


async def outbox_events(app: CrmApp, message_class: type[M]) -> list[M]:
    """The events of ``message_class`` crm has put in its outbox, oldest first."""
    docs = await app.platform.outbox.records.find().sort("_id").to_list()
    name = message_class.DESCRIPTOR.name
    return [message_class.FromString(d["value"]) for d in docs if d["event_type"].endswith(name)]


def json_lines(specs: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(spec, ensure_ascii=False) + "\n" for spec in specs)


async def crm_command(
    infra: InfraEndpoints, database: str, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``python -m services.crm ARGS`` as an operator (or the simulator) runs it."""
    env = os.environ | infra.env() | {"FAIRWIND_MONGO_DB": database, "FAIRWIND_LOG_JSON": "false"}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.crm", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
