"""A routing service on the real broker and mongod, served over a real gRPC channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from prometheus_client import CollectorRegistry

from fairwind.events import EventCatalog
from fairwind.infra.pytest_plugin import InfraEndpoints, serving
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, routes_pb2_grpc, tracking_pb2
from services.routing.bootstrap import RoutingApp, bootstrap
from services.routing.settings import RoutingSettings


def isolated_catalog(unique_name: str) -> EventCatalog:
    return (
        EventCatalog()
        .register(f"{unique_name}.orders.v1", orders_pb2.OrderCreated, orders_pb2.OrderCancelled)
        .register(
            f"{unique_name}.routes.v1",
            routes_pb2.RoutePlanned,
            routes_pb2.RouteReplanned,
            routes_pb2.PickupDispatched,
            routes_pb2.OrderUnroutable,
        )
        .register(f"{unique_name}.tracking.v1", tracking_pb2.RouteDeviationDetected)
    )


@pytest.fixture
async def routing(infra: InfraEndpoints, unique_name: str) -> AsyncIterator[RoutingApp]:
    settings = infra.service_settings(
        RoutingSettings,
        unique_name,
        acceptance_timeout_s=60,
    )
    catalog = isolated_catalog(unique_name)
    app = await bootstrap(settings, catalog=catalog, registry=CollectorRegistry())
    async with serving(app, app.grpc):
        yield app


@pytest.fixture
async def stub(routing: RoutingApp) -> AsyncIterator[Any]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{routing.grpc.port}") as channel:
        yield routes_pb2_grpc.RouteServiceStub(channel)


def address(city: str, district: str) -> common_pb2.Address:
    return common_pb2.Address(country_code="CN", city=city, district=district, street="1号")


def parcel(weight: float = 1.0) -> common_pb2.Parcel:
    return common_pb2.Parcel(
        weight_kg=weight,
        quantity=1,
        dimensions=common_pb2.Dimensions(length_cm=20, width_cm=15, height_cm=5),
    )


def order_created(
    waybill: str,
    placed: datetime | None = None,
    level: common_pb2.ServiceLevel = common_pb2.SERVICE_LEVEL_STANDARD,
) -> orders_pb2.OrderCreated:
    order = orders_pb2.Order(
        waybill=waybill,
        partner_id="acme",
        service_level=level,
        shipper=common_pb2.Contact(
            name="寄件人", phone="13800138000", address=address("深圳市", "南山区")
        ),
        consignee=common_pb2.Contact(
            name="张三", phone="13912345678", address=address("北京市", "朝阳区")
        ),
        parcels=[parcel()],
    )
    order.created_at.FromDatetime(placed or datetime(2026, 11, 26, 2, 0, tzinfo=UTC))
    return orders_pb2.OrderCreated(order=order)
