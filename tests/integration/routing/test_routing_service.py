"""Routing end to end on real infrastructure: events in, plans and dispatches out, gRPC."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from fairwind.events import Event
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, tracking_pb2
from services.routing import handlers, pickups
from services.routing.bootstrap import RoutingApp
from services.routing.consumer import event_consumer
from tests.integration.conftest import wait_for
from tests.integration.routing.conftest import address, order_created, parcel

pytestmark = pytest.mark.integration


async def outbox_events(app: RoutingApp) -> list[tuple[str, Any]]:
    docs = await app.platform.outbox.records.find().sort("_id").to_list()
    kinds: dict[str, Any] = {
        "RoutePlanned": routes_pb2.RoutePlanned,
        "RouteReplanned": routes_pb2.RouteReplanned,
        "PickupDispatched": routes_pb2.PickupDispatched,
        "OrderUnroutable": routes_pb2.OrderUnroutable,
    }
    out = []
    for doc in docs:
        name = doc["event_type"].rsplit(".", 1)[1]
        out.append((name, kinds[name].FromString(doc["value"])))
    return out


def as_event(app: RoutingApp, message: Any, key: str) -> Event[Any]:
    encoded = app.platform.codec.encode(message, key)
    return app.platform.codec.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)


async def test_order_created_plans_and_dispatches_over_the_broker(
    routing: RoutingApp, read_topic: Any, unique_name: str
) -> None:
    await routing.platform.publisher.publish(order_created("FW1"), "FW1")
    consumer = event_consumer(routing.platform, routing.service)
    relay = routing.platform.relay()
    tasks = [asyncio.create_task(consumer.run()), asyncio.create_task(relay.run())]
    try:
        await wait_for(lambda: routing.service.metrics.planned.labels("standard")._value.get() == 1)
        await wait_for(
            lambda: (
                routing.platform.metrics.outbox_relayed.labels(
                    f"{unique_name}.routes.v1"
                )._value.get()
                == 2
            )
        )
    finally:
        consumer.stop()
        relay.stop()
        await asyncio.gather(*tasks)
    on_topic = await read_topic(f"{unique_name}.routes.v1")
    assert sorted(dict(r.headers)["ce_type"].decode().rsplit(".", 1)[1] for r in on_topic) == [
        "PickupDispatched",
        "RoutePlanned",
    ]
    assert {r.key for r in on_topic} == {b"FW1"}
    events = await outbox_events(routing)
    assert [name for name, _ in events] == ["RoutePlanned", "PickupDispatched"]
    route = events[0][1].route
    assert (route.waybill, route.version) == ("FW1", 1)
    assert route.origin_outlet.code.startswith("SZX")
    assert route.destination_outlet.code.startswith("BJS")
    assert route.legs[0].from_location.code == route.origin_outlet.code
    assert route.legs[-1].to_location.code == route.destination_outlet.code
    for before, after in zip(route.legs, route.legs[1:], strict=False):
        assert after.from_location.code == before.to_location.code
        assert after.planned_departure.ToDatetime() >= before.planned_arrival.ToDatetime()
    dispatched = events[1][1]
    assert dispatched.courier_id.startswith(route.origin_outlet.code)
    assert dispatched.attempt == 1


async def test_the_plan_of_an_order_carries_its_price(routing: RoutingApp, stub: Any) -> None:
    """For orders accepted while routing was down: the plan brings the price they lack."""
    created = order_created("FW8")
    await handlers.on_orders_created(routing.service, [as_event(routing, created, "FW8")])
    planned = (await outbox_events(routing))[0][1]
    order = created.order
    request = routes_pb2.QuoteRequest(
        origin=order.shipper.address, destination=order.consignee.address, parcels=order.parcels
    )
    request.ship_at.CopyFrom(order.created_at)
    quote = (await stub.Quote(request)).quote
    assert planned.price == quote.price
    assert planned.price.units > 0
    assert planned.chargeable_weight_kg == quote.chargeable_weight_kg


@pytest.mark.parametrize(
    ("shipper", "consignee", "reason", "side"),
    [
        (
            ("深圳市", "南山区"),
            ("北京市", "无人区"),
            routes_pb2.UNROUTABLE_REASON_UNSERVED_AREA,
            common_pb2.ADDRESS_SIDE_DELIVERY,
        ),
        (
            ("深圳市", "无人区"),
            ("北京市", "朝阳区"),
            routes_pb2.UNROUTABLE_REASON_UNSERVED_AREA,
            common_pb2.ADDRESS_SIDE_PICKUP,
        ),
    ],
)
async def test_an_order_that_cannot_be_routed_is_announced_once(
    routing: RoutingApp,
    shipper: tuple[str, str],
    consignee: tuple[str, str],
    reason: int,
    side: int,
) -> None:
    created = order_created("FW9")
    created.order.shipper.address.CopyFrom(address(*shipper))
    created.order.consignee.address.CopyFrom(address(*consignee))
    event = as_event(routing, created, "FW9")
    await handlers.on_orders_created(routing.service, [event])
    await handlers.on_orders_created(routing.service, [event])  # redelivered
    events = await outbox_events(routing)
    assert [name for name, _ in events] == ["OrderUnroutable"]
    unroutable = events[0][1]
    assert (unroutable.waybill, unroutable.reason, unroutable.side) == ("FW9", reason, side)
    assert "无人区" in unroutable.detail
    assert unroutable.HasField("failed_at")
    assert routing.service.metrics.unroutable.labels("unserved_area")._value.get() == 1


async def test_redelivered_order_created_plans_once(routing: RoutingApp) -> None:
    event = as_event(routing, order_created("FW2"), "FW2")
    await handlers.on_orders_created(routing.service, [event])
    await handlers.on_orders_created(routing.service, [event])
    assert [n for n, _ in await outbox_events(routing)] == ["RoutePlanned", "PickupDispatched"]


async def test_deviation_replans_from_the_hub_with_a_new_promise(
    routing: RoutingApp, stub: Any
) -> None:
    await handlers.on_orders_created(
        routing.service, [as_event(routing, order_created("FW3"), "FW3")]
    )
    planned = (await outbox_events(routing))[0][1].route
    deviation = tracking_pb2.RouteDeviationDetected(
        waybill="FW3",
        kind=tracking_pb2.DEVIATION_KIND_UNPLANNED_HUB,
        route_version=1,
        location=common_pb2.LocationRef(code="HWUH", kind=common_pb2.LOCATION_KIND_HUB),
    )
    deviation.actual_time.FromDatetime(
        planned.legs[0].planned_arrival.ToDatetime(tzinfo=UTC) + timedelta(hours=6)
    )
    await handlers.on_deviation(routing.service, as_event(routing, deviation, "FW3"))
    await handlers.on_deviation(routing.service, as_event(routing, deviation, "FW3"))  # stale
    replans = [m for n, m in await outbox_events(routing) if n == "RouteReplanned"]
    assert len(replans) == 1
    replan = replans[0]
    assert (replan.route.version, replan.previous_version) == (2, 1)
    assert replan.reason == routes_pb2.REPLAN_REASON_UNPLANNED_HUB
    assert replan.route.legs[0].from_location.code == "HWUH"
    assert replan.previous_promise == planned.promise
    answer = await stub.GetRoute(routes_pb2.GetRouteRequest(waybill="FW3"))
    assert answer.route.version == 2
    assert [r.version for r in answer.previous_versions] == [1]
    first = await stub.GetRoute(routes_pb2.GetRouteRequest(waybill="FW3", version=1))
    assert first.route == planned


async def test_unaccepted_pickups_go_to_another_courier(routing: RoutingApp, stub: Any) -> None:
    svc = routing.service
    for waybill in ("FW4", "FW5"):
        await handlers.on_orders_created(svc, [as_event(routing, order_created(waybill), waybill)])
    dispatched = {m.waybill: m for n, m in await outbox_events(routing) if n == "PickupDispatched"}
    first = dispatched["FW4"].courier_id
    accepted = await stub.AcceptCourierTask(
        routes_pb2.AcceptCourierTaskRequest(courier_id=dispatched["FW5"].courier_id, waybill="FW5")
    )
    assert accepted.task.status == routes_pb2.COURIER_TASK_STATUS_ACCEPTED

    later = datetime.now(UTC) + timedelta(seconds=svc.settings.acceptance_timeout_s + 1)
    assert await pickups.reassign_overdue(svc, later) == 1  # FW5 was accepted: it stays
    again = [m for n, m in await outbox_events(routing) if n == "PickupDispatched"][-1]
    assert (again.waybill, again.attempt) == ("FW4", 2)
    assert again.courier_id != first
    with pytest.raises(grpc.aio.AioRpcError) as stale:
        await stub.AcceptCourierTask(
            routes_pb2.AcceptCourierTaskRequest(courier_id=first, waybill="FW4")
        )
    assert stale.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    tasks = await stub.ListCourierTasks(
        routes_pb2.ListCourierTasksRequest(courier_id=again.courier_id)
    )
    assert [t.waybill for t in tasks.tasks] == ["FW4"]
    assert tasks.tasks[0].attempt == 2


async def test_cancel_closes_the_pickup_task(routing: RoutingApp, stub: Any) -> None:
    svc = routing.service
    await handlers.on_orders_created(svc, [as_event(routing, order_created("FW6"), "FW6")])
    courier = next(m for n, m in await outbox_events(routing) if n == "PickupDispatched").courier_id
    await handlers.on_orders_cancelled(
        svc, [as_event(routing, orders_pb2.OrderCancelled(waybill="FW6"), "FW6")]
    )
    tasks = await stub.ListCourierTasks(routes_pb2.ListCourierTasksRequest(courier_id=courier))
    assert tasks.tasks == []
    later = datetime.now(UTC) + timedelta(hours=1)
    assert await pickups.reassign_overdue(svc, later) == 0


async def test_grpc_quotes_coverage_and_errors(routing: RoutingApp, stub: Any) -> None:
    request = routes_pb2.QuoteRequest(
        origin=address("深圳市", "南山区"),
        destination=address("北京市", "朝阳区"),
        parcels=[parcel(2)],
        service_level=common_pb2.SERVICE_LEVEL_NEXT_DAY,
    )
    request.ship_at.FromDatetime(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))  # 10:00 local
    quote = (await stub.Quote(request)).quote
    assert quote.promise.next_day
    assert quote.price.units > 0
    assert quote.zone == "Z5"
    assert quote.hub_codes[0] == "HSZX"

    for bad, code in (
        (
            routes_pb2.QuoteRequest(origin=request.origin, destination=request.destination),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        (
            routes_pb2.QuoteRequest(
                origin=request.origin, destination=address("北京市", "无人区"), parcels=[parcel()]
            ),
            grpc.StatusCode.FAILED_PRECONDITION,
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await stub.Quote(bad)
        assert error.value.code() == code
    assert "无人区" in str(
        (
            await stub.CheckCoverage(
                routes_pb2.CheckCoverageRequest(address=address("北京市", "无人区"))
            )
        ).reason
    )

    many = await stub.QuoteMany(
        routes_pb2.QuoteManyRequest(
            requests=[
                request,
                routes_pb2.QuoteRequest(
                    origin=request.origin,
                    destination=address("北京市", "无人区"),
                    parcels=[parcel()],
                ),
            ]
        )
    )
    assert many.results[0].HasField("quote")
    assert "无人区" in many.results[1].refusal
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await stub.GetRoute(routes_pb2.GetRouteRequest(waybill="FW404"))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND


async def test_health_checking_reports_the_service(routing: RoutingApp) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{routing.grpc.port}") as channel:
        health: Any = health_pb2_grpc.HealthStub(channel)
        reply = await health.Check(
            health_pb2.HealthCheckRequest(service="fairwind.v1.RouteService")
        )
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_plan_route_is_idempotent_per_waybill(routing: RoutingApp, stub: Any) -> None:
    request = routes_pb2.PlanRouteRequest(
        waybill="FW7",
        origin=address("上海市", "徐汇区"),
        destination=address("广州市", "天河区"),
        service_level=common_pb2.SERVICE_LEVEL_STANDARD,
        weight_kg=3,
    )
    first = (await stub.PlanRoute(request)).route
    again = (await stub.PlanRoute(request)).route
    assert first == again
    assert first.origin_outlet.city_code == "SHA"
    assert [n for n, _ in await outbox_events(routing)] == ["RoutePlanned"]
