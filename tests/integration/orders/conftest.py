"""An orders service on the real broker and mongod, with fake routing/CRM over real gRPC."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry

from fairwind.events import EventCatalog
from fairwind.events.contracts import ORDERS, ROUTES, TRACKING, platform_catalog
from fairwind.events.kafka import ensure_catalog_topics, make_reader
from fairwind.infra.pytest_plugin import InfraEndpoints, serving
from fairwind.metrics import kit_metrics
from fairwind.rpc import GrpcServer, ServiceBinding
from fairwind.v1 import crm_pb2_grpc, routes_pb2_grpc
from services.orders.bootstrap import OrdersApp, bootstrap
from services.orders.settings import OrdersSettings
from services.routing.bootstrap import RoutingApp
from services.routing.bootstrap import bootstrap as bootstrap_routing
from services.routing.settings import RoutingSettings
from tests.integration.orders.fakes import FakeCustomers, FakeRouting

Json = dict[str, Any]
CLOSED_PORT = "127.0.0.1:1"  # nothing listens there: a dependency that is down

ORDER: Json = {
    "partner_order_id": "PO-1",
    "shipper": {
        "name": "深圳顺达电子",
        "company": "顺达电子有限公司",
        "phone": "+8613800138000",
        "email": "ship@shunda.example",
        "address": {
            "country": "CN",
            "province": "广东省",
            "city": "深圳市",
            "district": "南山区",
            "street": "科技园南区高新南七道 12 号",
            "postal_code": "518057",
        },
    },
    "consignee": {
        "name": "张三",
        "phone": "13912345678",
        "address": {
            "country": "CN",
            "province": "北京市",
            "city": "北京市",
            "district": "朝阳区",
            "street": "建国路 88 号",
        },
    },
    "parcels": [
        {
            "weight_kg": 1.2,
            "dimensions": {"length_cm": 30, "width_cm": 20, "height_cm": 10},
            "declared_value": {"amount": "199.00", "currency": "CNY"},
            "description": "phone case",
            "commodity_code": "392690",
        }
    ],
    "service_level": "next_day",
}


def order_body(**changes: Any) -> Json:
    body = copy.deepcopy(ORDER)
    body.update(changes)
    return body


@pytest.fixture(scope="session")
async def fakes() -> AsyncIterator[tuple[str, FakeRouting]]:
    routing = FakeRouting()
    server = GrpcServer(
        [
            ServiceBinding(
                "fairwind.v1.RouteService",
                routes_pb2_grpc.add_RouteServiceServicer_to_server,
                routing,
            ),
            ServiceBinding(
                "fairwind.v1.CustomerService",
                crm_pb2_grpc.add_CustomerServiceServicer_to_server,
                FakeCustomers(),
            ),
        ],
        "127.0.0.1",
        0,
        kit_metrics(CollectorRegistry()),
    )
    port = await server.start()
    yield f"127.0.0.1:{port}", routing
    await server.stop(0)


def settings_for(
    infra: InfraEndpoints, unique_name: str, target: str, **overrides: Any
) -> OrdersSettings:
    values: dict[str, Any] = {
        "routing_target": target,
        "crm_target": target,
        "api_key_cache_s": 0,
        "rpc_deadline_s": 2.0,
    }
    return infra.service_settings(OrdersSettings, unique_name, **(values | overrides))


def isolated_catalog(unique_name: str) -> EventCatalog:
    """The platform's order, route and tracking events, on topics only this test uses."""
    catalog = EventCatalog()
    for kind in platform_catalog().kinds():
        if kind.topic in (ORDERS, ROUTES, TRACKING):
            catalog.register(kind.topic.replace("fairwind", unique_name, 1), kind.message_class)
    return catalog


async def start_orders(settings: OrdersSettings, unique_name: str) -> OrdersApp:
    catalog = isolated_catalog(unique_name)
    app = await bootstrap(settings, catalog=catalog, registry=CollectorRegistry())
    await ensure_catalog_topics(settings, catalog)
    return app


@pytest.fixture
async def orders(
    infra: InfraEndpoints, unique_name: str, fakes: tuple[str, FakeRouting]
) -> AsyncIterator[OrdersApp]:
    app = await start_orders(settings_for(infra, unique_name, fakes[0]), unique_name)
    yield app
    await app.platform.mongo.drop_database(unique_name)
    await app.close()


@pytest.fixture
async def real_routing(infra: InfraEndpoints, unique_name: str) -> AsyncIterator[RoutingApp]:
    """The routing service itself, on the same topics as the test's orders service."""
    settings = infra.service_settings(
        RoutingSettings, f"{unique_name}_routing", acceptance_timeout_s=60
    )
    app = await bootstrap_routing(
        settings, catalog=isolated_catalog(unique_name), registry=CollectorRegistry()
    )
    async with serving(app, app.grpc):
        yield app


@pytest.fixture
async def client(orders: OrdersApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=orders.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://orders") as http:
        yield http


async def api_key(
    app: OrdersApp,
    partner: str = "acme",
    scopes: frozenset[str] = frozenset({"orders:read", "orders:write"}),
    customer_id: str | None = None,
) -> dict[str, str]:
    issued = await app.service.keys.create(partner, set(scopes), customer_id)
    return {"Authorization": f"Bearer {issued.plain}"}


@pytest.fixture
async def acme(orders: OrdersApp) -> dict[str, str]:
    return await api_key(orders)


def soon(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


async def stored(app: OrdersApp) -> tuple[int, int]:
    """(orders, outbox records) in the service's database."""
    orders = await app.platform.db["orders"].count_documents({})
    return orders, await app.platform.outbox.records.count_documents({})


async def wait_for_backlog(app: OrdersApp, expected: int) -> None:
    for _ in range(400):
        if await app.platform.outbox.backlog() == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("outbox backlog never reached the expected value")


async def published(app: OrdersApp, topic: str) -> list[Any]:
    """Every record on ``topic`` (read from the start, until nothing more comes)."""
    reader = make_reader(app.service.settings)
    await reader.start()
    try:
        parts = [
            TopicPartition(topic, p) for p in await app.platform.producer.partitions_for(topic)
        ]
        reader.assign(parts)
        for tp in parts:
            reader.seek(tp, 0)
        records: list[Any] = []
        empty = 0
        while empty < 2:
            batch = await reader.getmany(timeout_ms=300)
            empty = 0 if batch else empty + 1
            for part in batch.values():
                records.extend(part)
        return records
    finally:
        await reader.stop()
