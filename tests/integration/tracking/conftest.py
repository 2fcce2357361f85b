"""A tracking service on the real broker and mongod, with devices and a planned shipment."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from fairwind.events import Event, EventCatalog
from fairwind.infra.pytest_plugin import InfraEndpoints, serving
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, tracking_pb2
from services.tracking import handlers
from services.tracking.bootstrap import TrackingApp, bootstrap
from services.tracking.settings import TrackingSettings

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=20)
LINK_SECRET = "test-link-secret"
PLAN = [
    ("SZX001", "outlet", "HSZX", "hub", 0, 60),
    ("HSZX", "hub", "HCAN", "hub", 120, 240),
    ("HCAN", "hub", "BJS003", "outlet", 300, 900),
]


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def isolated_catalog(unique_name: str) -> EventCatalog:
    return (
        EventCatalog()
        .register(f"{unique_name}.orders.v1", orders_pb2.OrderCreated, orders_pb2.OrderCancelled)
        .register(
            f"{unique_name}.routes.v1",
            routes_pb2.RoutePlanned,
            routes_pb2.RouteReplanned,
            routes_pb2.PickupDispatched,
        )
        .register(
            f"{unique_name}.tracking.v1",
            tracking_pb2.ScanRecorded,
            tracking_pb2.ShipmentStatusChanged,
            tracking_pb2.RouteDeviationDetected,
        )
    )


@pytest.fixture
async def tracking(infra: InfraEndpoints, unique_name: str) -> AsyncIterator[TrackingApp]:
    settings = infra.service_settings(
        TrackingSettings,
        unique_name,
        device_cache_s=0,
        link_secret=SecretStr(LINK_SECRET),
    )
    catalog = isolated_catalog(unique_name)
    app = await bootstrap(settings, catalog=catalog, registry=CollectorRegistry())
    async with serving(app):
        yield app


@pytest.fixture
async def client(tracking: TrackingApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=tracking.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://tracking") as http:
        yield http


async def device(
    app: TrackingApp, location: str, kind: str, courier: str | None = None
) -> dict[str, str]:
    issued = await app.service.devices.create(location, kind, location[:3], courier)
    return {"Authorization": f"Bearer {issued.token}"}


@pytest.fixture
async def devices(tracking: TrackingApp) -> dict[str, dict[str, str]]:
    return {
        code: await device(tracking, code, kind)
        for code, kind in (
            ("SZX001", "outlet"),
            ("HSZX", "hub"),
            ("HCAN", "hub"),
            ("HWUH", "hub"),
            ("BJS003", "outlet"),
        )
    }


def as_event(app: TrackingApp, message: Any, key: str) -> Event[Any]:
    encoded = app.platform.codec.encode(message, key)
    return app.platform.codec.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)


async def shipment(app: TrackingApp, waybill: str, planned: bool = True) -> None:
    """An order (consignee 张三 13912345678) and, if asked, its planned route."""
    order = orders_pb2.Order(
        waybill=waybill,
        partner_id="acme",
        customer_id="acme",
        service_level=common_pb2.SERVICE_LEVEL_NEXT_DAY,
        origin_outlet_code="SZX001",
        destination_outlet_code="BJS003",
        shipper=common_pb2.Contact(
            name="李四",
            phone="+8613800138000",
            address=common_pb2.Address(city="深圳市", district="南山区", street="科技园 1 号"),
        ),
        consignee=common_pb2.Contact(
            name="张三",
            phone="13912345678",
            address=common_pb2.Address(city="北京市", district="朝阳区", street="建国路 88 号"),
        ),
    )
    order.created_at.FromDatetime(at(-60))
    await handlers.on_orders_created(
        app.service, [as_event(app, orders_pb2.OrderCreated(order=order), waybill)]
    )
    if not planned:
        return
    await handlers.on_routes(app.service, [as_event(app, route_planned(waybill, PLAN), waybill)])


Leg = tuple[str, str, str, str, float, float]


def route_planned(
    waybill: str,
    legs: Sequence[Leg],
    version: int = 1,
    planned_at: float | None = None,
    mode: Any = routes_pb2.TRANSPORT_MODE_ROAD,
) -> Any:
    """RoutePlanned (RouteReplanned from version 2) over ``legs`` (from, kind, to, kind,
    departure and arrival minute), made at minute ``planned_at`` if given."""
    route = routes_pb2.Route(waybill=waybill, version=version)
    for code_from, kind_from, code_to, kind_to, depart, arrive in legs:
        leg = route.legs.add(
            from_location=common_pb2.LocationRef(code=code_from, kind=_kind(kind_from)),
            to_location=common_pb2.LocationRef(code=code_to, kind=_kind(kind_to)),
            mode=mode,
            linehaul_id=f"LH-{code_from}-{code_to}",
        )
        leg.planned_departure.FromDatetime(at(depart))
        leg.planned_arrival.FromDatetime(at(arrive))
    route.origin_outlet.code = "SZX001"
    route.destination_outlet.code = "BJS003"
    route.arrival_at_destination_outlet.FromDatetime(at(legs[-1][5]))
    route.promise.deliver_by.FromDatetime(at(1020))
    if planned_at is not None:
        route.planned_at.FromDatetime(at(planned_at))
    if version == 1:
        return routes_pb2.RoutePlanned(route=route)
    return routes_pb2.RouteReplanned(route=route, previous_version=version - 1)


def _kind(kind: str) -> Any:
    return common_pb2.LOCATION_KIND_HUB if kind == "hub" else common_pb2.LOCATION_KIND_OUTLET


def scan(
    scan_id: str, waybill: str, event: str, location: str, minute: float, **extra: Any
) -> dict[str, Any]:
    return {
        "scan_id": scan_id,
        "waybill": waybill,
        "event": event,
        "location": location,
        "device_time": at(minute).isoformat(),
        **extra,
    }


async def outbox_types(app: TrackingApp) -> list[str]:
    docs = await app.platform.outbox.records.find().sort("_id").to_list()
    return [d["event_type"].rsplit(".", 1)[1] for d in docs]
