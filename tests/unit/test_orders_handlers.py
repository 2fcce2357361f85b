"""Orders' handlers with a fake unit of work and in-memory repositories: a create is stored
with its event once (a replay answers the first), route events fill the promise (newest
version wins, an agreed price stays), status changes only go forward, and an order routing
cannot carry is cancelled by Fairwind."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fairwind.events import Event
from fairwind.problems import Rejected
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, tracking_pb2
from services.orders import handlers
from services.orders.keys import Partner
from services.orders.schemas import OrderIn
from tests.unit.orders_fakes import CODEC, Fakes

Document = dict[str, Any]
ACME = Partner("acme", "acme", frozenset({"orders:read", "orders:write"}))


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


def order_in(partner_order_id: str | None = "PO-1", phone: str = "13912345678") -> OrderIn:
    def party(name: str, city: str, district: str) -> Document:
        where = {"country": "CN", "province": city, "city": city, "district": district}
        return {"name": name, "phone": phone, "address": where | {"street": "建国路 88 号"}}

    return OrderIn.model_validate(
        {
            "partner_order_id": partner_order_id,
            "shipper": party("顺达电子", "深圳市", "南山区"),
            "consignee": party("张三", "北京市", "朝阳区"),
            "parcels": [
                {
                    "weight_kg": 1.2,
                    "dimensions": {"length_cm": 30, "width_cm": 20, "height_cm": 10},
                    "description": "phone case",
                }
            ],
            "service_level": "standard",
        }
    )


def event(message: Any, waybill: str) -> Event[Any]:
    encoded = CODEC.encode(message, waybill)
    return CODEC.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)


async def create(fakes: Fakes, order: OrderIn, key: str, body_hash: str = "h1") -> Any:
    return await handlers.create_order(fakes.svc, ACME, order, key, body_hash)


async def test_a_create_stores_the_order_with_its_event_and_a_replay_answers_the_first(
    fakes: Fakes,
) -> None:
    first = await create(fakes, order_in(), "k1")
    again = await create(fakes, order_in(), "k1")
    with pytest.raises(Rejected) as reused:
        await create(fakes, order_in(), "k1", body_hash="other body")

    assert (first.status, again.status, again.replayed) == (201, 201, True)
    assert again.body == first.body
    assert reused.value.reason == "idempotency_key_reused"
    assert list(fakes.orders.docs) == [first.body["waybill"]]
    assert fakes.event_names() == ["OrderCreated"]
    created = orders_pb2.OrderCreated.FromString(fakes.units.events[0].value)
    assert (created.order.waybill, created.order.customer_tier) == (
        first.body["waybill"],
        common_pb2.CUSTOMER_TIER_Q2,
    )
    assert created.source == orders_pb2.ORDER_SOURCE_API


async def test_a_taken_partner_order_id_is_409_and_with_routing_down_the_promise_is_pending(
    fakes: Fakes,
) -> None:
    await create(fakes, order_in(), "k1")
    with pytest.raises(Rejected) as duplicate:
        await create(fakes, order_in(), "k2")
    assert (duplicate.value.status, duplicate.value.reason) == (409, "duplicate_partner_order_id")

    fakes.routing.down = True
    pending = await create(fakes, order_in("PO-2"), "k3")
    assert (pending.status, pending.body["promise_pending"], pending.body["price"]) == (
        201,
        True,
        None,
    )
    assert fakes.event_names() == ["OrderCreated"] * 2


def planned(waybill: str, version: int, outlet: str, price: int | None = None) -> Any:
    route = routes_pb2.Route(
        waybill=waybill,
        version=version,
        destination_outlet=common_pb2.LocationRef(code=outlet, city_code="BJS"),
    )
    route.promise.deliver_by.FromDatetime(datetime(2026, 11, 27, 8 + version, tzinfo=UTC))
    if price is None:
        return routes_pb2.RouteReplanned(route=route, previous_version=version - 1)
    return routes_pb2.RoutePlanned(
        route=route, price=common_pb2.Money(currency_code="CNY", units=price)
    )


async def test_route_events_fill_the_promise_newest_first_and_keep_an_agreed_price(
    fakes: Fakes,
) -> None:
    fakes.routing.down = True
    waybill = (await create(fakes, order_in(), "k1")).body["waybill"]
    batch = [planned(waybill, 2, "BJS002"), planned(waybill, 1, "BJS001", price=23)]
    await handlers.on_routes(fakes.svc, [event(m, waybill) for m in batch])

    doc = fakes.orders.docs[waybill]
    assert (doc["destination_outlet"], doc["route_version"], doc["promise_pending"]) == (
        "BJS002",
        2,
        False,
    )
    assert doc["promise"]["deliver_by"] == datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert doc["price"] == {"amount": "23.00", "currency": "CNY"}  # it had none

    await handlers.on_routes(fakes.svc, [event(planned(waybill, 3, "BJS003", price=99), waybill)])
    assert doc["price"] == {"amount": "23.00", "currency": "CNY"}  # never changed once set
    assert doc["destination_outlet"] == "BJS003"


def status(waybill: str, to: common_pb2.ShipmentStatus, hour: int) -> Event[Any]:
    change = tracking_pb2.ShipmentStatusChanged(waybill=waybill, to_status=to)
    change.occurred_at.FromDatetime(datetime(2026, 11, 26, hour, tzinfo=UTC))
    return event(change, waybill)


async def test_status_changes_go_forward_only_even_two_of_one_order_in_a_batch(
    fakes: Fakes,
) -> None:
    waybill = (await create(fakes, order_in(), "k1")).body["waybill"]
    await handlers.on_statuses_changed(
        fakes.svc,
        [
            status(waybill, common_pb2.SHIPMENT_STATUS_PICKED_UP, 10),
            status(waybill, common_pb2.SHIPMENT_STATUS_IN_TRANSIT, 12),
            status(waybill, common_pb2.SHIPMENT_STATUS_PICKUP_DISPATCHED, 9),  # late
            status("FW-NOT-OURS", common_pb2.SHIPMENT_STATUS_DELIVERED, 13),
        ],
    )
    await handlers.on_statuses_changed(
        fakes.svc, [status(waybill, common_pb2.SHIPMENT_STATUS_PICKED_UP, 11)]
    )

    doc = fakes.orders.docs[waybill]
    assert doc["status"] == "in_transit"
    assert [h["status"] for h in doc["history"]] == ["info_received", "picked_up", "in_transit"]
    assert doc["history"][-1]["at"] == datetime(2026, 11, 26, 12, tzinfo=UTC)


async def test_an_unroutable_order_is_cancelled_by_fairwind_once(fakes: Fakes) -> None:
    waybill = (await create(fakes, order_in(), "k1")).body["waybill"]
    unroutable = routes_pb2.OrderUnroutable(
        waybill=waybill,
        reason=routes_pb2.UNROUTABLE_REASON_UNSERVED_AREA,
        side=common_pb2.ADDRESS_SIDE_DELIVERY,
        detail="delivery address not served: 无人区",
    )
    await handlers.on_unroutable(fakes.svc, event(unroutable, waybill))
    await handlers.on_unroutable(fakes.svc, event(unroutable, waybill))  # redelivered

    doc = fakes.orders.docs[waybill]
    assert doc["status"] == "cancelled"
    assert doc["cancellation"] == {
        "by": "fairwind",
        "reason": "unserved_area",
        "side": "delivery",
        "detail": "delivery address not served: 无人区",
    }
    assert fakes.event_names() == ["OrderCreated", "OrderCancelled"]
    cancelled = orders_pb2.OrderCancelled.FromString(fakes.units.events[1].value)
    assert cancelled.initiator == orders_pb2.CANCEL_INITIATOR_CARRIER
