"""Orders booked while routing was unreachable, then planned (or refused) by the real routing
service over the broker; and how route events update an order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from fairwind.events import Event
from fairwind.infra.pytest_plugin import InfraEndpoints
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2
from services.orders import handlers
from services.orders.bootstrap import OrdersApp
from services.orders.consumer import route_consumer
from services.routing.bootstrap import RoutingApp
from services.routing.consumer import event_consumer
from tests.integration.orders.conftest import (
    CLOSED_PORT,
    api_key,
    order_body,
    settings_for,
    start_orders,
)

pytestmark = pytest.mark.integration
Json = dict[str, Any]
UNSERVED = "无人区"  # a Beijing district the real network does not serve


@asynccontextmanager
async def orders_during_outage(infra: InfraEndpoints, unique_name: str) -> AsyncIterator[OrdersApp]:
    """An orders service whose routing is unreachable (nothing listens on its address)."""
    settings = settings_for(infra, unique_name, CLOSED_PORT, rpc_deadline_s=0.2)
    app = await start_orders(settings, unique_name)
    try:
        yield app
    finally:
        await app.platform.mongo.drop_database(unique_name)
        await app.close()


@asynccontextmanager
async def routing_comes_back(orders: OrdersApp, routing: RoutingApp) -> AsyncIterator[None]:
    """Both services' relays and consumers, over the broker, as `serve` runs them."""
    runners: list[Any] = [
        orders.platform.relay(),
        route_consumer(orders.platform, orders.service),
        event_consumer(routing.platform, routing.service),
        routing.platform.relay(),
    ]
    tasks = [asyncio.create_task(runner.run()) for runner in runners]
    try:
        yield
    finally:
        for runner in runners:
            runner.stop()
        await asyncio.gather(*tasks)


async def eventually(read: Callable[[], Awaitable[Json]], done: Callable[[Json], bool]) -> Json:
    """Poll until ``done`` holds; fails (not a timing assertion) if it never does."""
    for _ in range(600):
        value = await read()
        if done(value):
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"never reached: {value}")


async def book(app: OrdersApp, body: Json) -> tuple[httpx.AsyncClient, dict[str, str], Json]:
    headers = await api_key(app)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app.api), base_url="http://o")
    response = await client.post(
        "/v1/orders", json=body, headers=headers | {"Idempotency-Key": "booked"}
    )
    assert response.status_code == 201, response.text
    booked: Json = response.json()
    assert (booked["promise_pending"], booked["promise"], booked["price"]) == (True, None, None)
    return client, headers, booked


async def routing_outbox(routing: RoutingApp, name: str) -> list[Any]:
    docs = await routing.platform.outbox.records.find().sort("_id").to_list()
    kind = getattr(routes_pb2, name)
    return [kind.FromString(d["value"]) for d in docs if d["event_type"].endswith(f".{name}")]


async def test_an_order_booked_during_an_outage_gets_promise_price_and_sort_code(
    infra: InfraEndpoints, unique_name: str, real_routing: RoutingApp
) -> None:
    async with orders_during_outage(infra, unique_name) as orders:
        client, headers, booked = await book(orders, order_body())
        waybill = booked["waybill"]
        label = await client.get(f"/v1/orders/{waybill}/label?format=zpl", headers=headers)
        assert "^FD----^FS" in label.text  # no sort code yet

        async def read() -> Json:
            return (await client.get(f"/v1/orders/{waybill}", headers=headers)).json()  # type: ignore[no-any-return]

        async with routing_comes_back(orders, real_routing):
            order = await eventually(read, lambda o: o["price"] is not None)
        label = await client.get(f"/v1/orders/{waybill}/label?format=zpl", headers=headers)
        await client.aclose()
    (planned,) = await routing_outbox(real_routing, "RoutePlanned")
    route = planned.route
    assert order["promise_pending"] is False
    assert order["promise"]["deliver_by"] == _iso(route.promise.deliver_by)
    assert order["price"] == {
        "amount": f"{planned.price.units + planned.price.nanos / 1e9:.2f}",
        "currency": "CNY",
    }
    assert order["destination_outlet"] == route.destination_outlet.code
    assert order["origin_outlet"] == route.origin_outlet.code
    hubs = [leg.to_location.code for leg in route.legs[:-1]]  # outlet -> hubs -> outlet
    assert order["planned_hubs"] == hubs
    assert hubs
    assert f"^FD{route.destination_outlet.code}^FS" in label.text  # the label's sort code
    assert order["status"] == "info_received"


async def test_an_unserved_district_booked_during_an_outage_is_cancelled_by_fairwind(
    infra: InfraEndpoints, unique_name: str, real_routing: RoutingApp
) -> None:
    body = order_body()
    body["consignee"]["address"]["district"] = UNSERVED
    async with orders_during_outage(infra, unique_name) as orders:
        client, headers, booked = await book(orders, body)
        waybill = booked["waybill"]

        async def read() -> Json:
            return (await client.get(f"/v1/orders/{waybill}", headers=headers)).json()  # type: ignore[no-any-return]

        async with routing_comes_back(orders, real_routing):
            order = await eventually(read, lambda o: o["status"] == "cancelled")
        again = await client.post(f"/v1/orders/{waybill}/cancel", headers=headers)
        listed = await client.get("/v1/orders", params={"status": "cancelled"}, headers=headers)
        await client.aclose()
        records = await orders.platform.outbox.records.find().sort("_id").to_list()
    assert order["cancellation"] == {
        "by": "fairwind",
        "reason": "unserved_area",
        "side": "delivery",
        "detail": order["cancellation"]["detail"],
    }
    assert UNSERVED in order["cancellation"]["detail"]
    assert order["cancelled_at"] is not None
    assert order["promise"] is None
    assert (again.status_code, again.json()["status"]) == (200, "cancelled")
    assert [o["waybill"] for o in listed.json()["orders"]] == [waybill]
    assert [r["event_type"].rsplit(".", 1)[1] for r in records] == [
        "OrderCreated",
        "OrderCancelled",
    ]  # one cancellation, for routing, tracking and SLA to close the shipment
    cancelled = orders_pb2.OrderCancelled.FromString(records[1]["value"])
    assert cancelled.initiator == orders_pb2.CANCEL_INITIATOR_CARRIER
    assert (cancelled.reason_code, cancelled.side) == (
        "unserved_area",
        common_pb2.ADDRESS_SIDE_DELIVERY,
    )
    assert await routing_outbox(real_routing, "RoutePlanned") == []


async def test_with_routing_up_an_unserved_district_is_refused_naming_the_side(
    infra: InfraEndpoints, unique_name: str, real_routing: RoutingApp
) -> None:
    target = f"127.0.0.1:{real_routing.grpc.port}"
    app = await start_orders(settings_for(infra, unique_name, target), unique_name)
    try:
        headers = await api_key(app)
        transport = httpx.ASGITransport(app=app.api)
        async with httpx.AsyncClient(transport=transport, base_url="http://o") as client:
            for party, side in (("consignee", "delivery"), ("shipper", "pickup")):
                body = order_body()
                body[party]["address"]["district"] = UNSERVED
                response = await client.post(
                    "/v1/orders", json=body, headers=headers | {"Idempotency-Key": side}
                )
                assert response.status_code == 422, response.text
                problem = response.json()
                assert (problem["title"], problem["side"]) == ("unserved_area", side)
                assert UNSERVED in problem["detail"]
    finally:
        await app.platform.mongo.drop_database(unique_name)
        await app.close()


def route_event(app: OrdersApp, message: Any, waybill: str) -> Event[Any]:
    encoded = app.platform.codec.encode(message, waybill)
    return app.platform.codec.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)


def route(waybill: str, version: int, deliver_by: datetime, destination: str) -> routes_pb2.Route:
    hub = common_pb2.LocationRef(code=f"H{version}", kind=common_pb2.LOCATION_KIND_HUB)
    outlet = common_pb2.LocationRef(code=destination, kind=common_pb2.LOCATION_KIND_OUTLET)
    plan = routes_pb2.Route(
        waybill=waybill,
        version=version,
        origin_outlet=common_pb2.LocationRef(code="SZX001", city_code="SZX"),
        destination_outlet=outlet,
        legs=[routes_pb2.RouteLeg(sequence=1, from_location=hub, to_location=outlet)],
    )
    plan.promise.pickup_by.FromDatetime(deliver_by - timedelta(days=1))
    plan.promise.deliver_by.FromDatetime(deliver_by)
    return plan


async def test_a_replan_moves_the_promise_and_a_late_older_plan_does_not(
    infra: InfraEndpoints, unique_name: str
) -> None:
    async with orders_during_outage(infra, unique_name) as orders:
        client, headers, booked = await book(orders, order_body())
        waybill = booked["waybill"]
        svc = orders.service
        first = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
        planned = routes_pb2.RoutePlanned(
            route=route(waybill, 1, first, "BJS001"),
            price=common_pb2.Money(currency_code="CNY", units=23, nanos=500_000_000),
            chargeable_weight_kg=1.5,
        )
        replanned = routes_pb2.RouteReplanned(
            route=route(waybill, 2, first + timedelta(hours=6), "BJS002"), previous_version=1
        )
        await handlers.on_routes(svc, [route_event(orders, planned, waybill)])
        await handlers.on_routes(svc, [route_event(orders, replanned, waybill)])
        await handlers.on_routes(svc, [route_event(orders, planned, waybill)])  # late, older
        order = (await client.get(f"/v1/orders/{waybill}", headers=headers)).json()
        await client.aclose()
    assert order["promise"]["deliver_by"] == "2026-11-27T16:00:00Z"
    assert order["destination_outlet"] == "BJS002"
    assert order["planned_hubs"] == ["H2"]
    assert order["price"] == {"amount": "23.50", "currency": "CNY"}  # from the first plan
    assert order["chargeable_weight_kg"] == 1.5


async def test_a_plan_never_changes_the_price_agreed_at_booking(
    orders: OrdersApp, client: httpx.AsyncClient, acme: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/orders", json=order_body(), headers=acme | {"Idempotency-Key": "k"}
    )
    booked = response.json()
    waybill = booked["waybill"]
    deliver_by = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    planned = routes_pb2.RoutePlanned(
        route=route(waybill, 1, deliver_by, "BJS003"),
        price=common_pb2.Money(currency_code="CNY", units=99),
        chargeable_weight_kg=9,
    )
    await handlers.on_routes(orders.service, [route_event(orders, planned, waybill)])
    order = (await client.get(f"/v1/orders/{waybill}", headers=acme)).json()
    assert order["price"] == booked["price"] == {"amount": "14.50", "currency": "CNY"}
    assert order["chargeable_weight_kg"] == booked["chargeable_weight_kg"]
    assert order["promise"]["deliver_by"] == "2026-11-28T02:00:00Z"  # the plan's promise
    assert order["destination_outlet"] == "BJS003"


def _iso(stamp: Any) -> str:
    return str(stamp.ToDatetime(tzinfo=UTC).isoformat().replace("+00:00", "Z"))
