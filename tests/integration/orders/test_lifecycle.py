"""After intake: cancellation, tracking status, batches, degraded dependencies, reads."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from fairwind.infra.pytest_plugin import InfraEndpoints
from fairwind.v1 import common_pb2, orders_pb2, tracking_pb2
from services.orders.bootstrap import OrdersApp
from services.orders.consumer import status_consumer
from services.orders.schemas import BatchOut, OrderOut
from tests.integration.conftest import wait_for
from tests.integration.orders.conftest import (
    CLOSED_PORT,
    api_key,
    order_body,
    settings_for,
    start_orders,
    stored,
)
from tests.integration.orders.fakes import NO_ROUTE_DISTRICT, FakeRouting
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
Json = dict[str, Any]


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], key: str, **changes: Any
) -> Json:
    response = await client.post(
        "/v1/orders", json=order_body(**changes), headers=headers | {"Idempotency-Key": key}
    )
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


async def outbox_types(app: OrdersApp) -> list[str]:
    docs = await app.platform.outbox.records.find().sort("_id").to_list()
    return [d["event_type"].rsplit(".", 1)[1] for d in docs]


async def test_cancel_before_pickup_emits_order_cancelled_once(
    orders: OrdersApp, client: httpx.AsyncClient, acme: dict[str, str]
) -> None:
    waybill = (await create(client, acme, "k"))["waybill"]
    response = await client.post(
        f"/v1/orders/{waybill}/cancel", json={"reason": "changed mind"}, headers=acme
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    again = await client.post(f"/v1/orders/{waybill}/cancel", headers=acme)
    assert again.status_code == 200
    assert await outbox_types(orders) == ["OrderCreated", "OrderCancelled"]
    doc = await orders.platform.outbox.records.find_one({"event_type": {"$regex": "Cancelled$"}})
    assert doc is not None
    event = orders_pb2.OrderCancelled.FromString(doc["value"])
    assert (event.waybill, event.reason, event.partner_id) == (waybill, "changed mind", "acme")


async def test_after_pickup_cancel_is_409_and_status_follows_tracking(
    orders: OrdersApp, client: httpx.AsyncClient, acme: dict[str, str], unique_name: str
) -> None:
    waybill = (await create(client, acme, "k"))["waybill"]
    publisher = orders.platform.publisher
    changes = [
        common_pb2.SHIPMENT_STATUS_PICKED_UP,
        common_pb2.SHIPMENT_STATUS_IN_TRANSIT,
        common_pb2.SHIPMENT_STATUS_PICKUP_DISPATCHED,
    ]  # the last one arrives late
    for status in changes:
        await publisher.publish(
            tracking_pb2.ShipmentStatusChanged(waybill=waybill, to_status=status), waybill
        )
    consumer = status_consumer(orders.platform, orders.service)
    task = asyncio.create_task(consumer.run())
    handled = orders.platform.metrics.events_consumed.labels(
        f"{unique_name}.tracking.v1", "orders.shipment-status", "handled"
    )
    try:
        await wait_for(lambda: handled._value.get() >= 3)
    finally:
        consumer.stop()
        await task
    order = (await client.get(f"/v1/orders/{waybill}", headers=acme)).json()
    assert order["status"] == "in_transit"  # forward only: the late scan did not regress it
    stored = await orders.platform.db["orders"].find_one({"_id": waybill})
    assert stored is not None
    assert [h["status"] for h in stored["history"]] == ["info_received", "picked_up", "in_transit"]
    response = await client.post(f"/v1/orders/{waybill}/cancel", headers=acme)
    assert response.status_code == 409
    assert response.json()["order_status"] == "in_transit"
    assert await outbox_types(orders) == ["OrderCreated"]


async def test_a_batch_accepts_good_items_and_explains_bad_ones(
    orders: OrdersApp, client: httpx.AsyncClient, acme: dict[str, str]
) -> None:
    await create(client, acme, "single", partner_order_id="PO-OLD")
    bad_parcel = order_body(partner_order_id="PO-BAD")
    bad_parcel["parcels"][0]["weight_kg"] = -2
    no_route = order_body(partner_order_id="PO-NR")
    no_route["consignee"]["address"]["district"] = NO_ROUTE_DISTRICT
    items = [
        order_body(partner_order_id="PO-A"),
        bad_parcel,
        order_body(
            partner_order_id="PO-FIRE",
            parcels=[
                {
                    "weight_kg": 1,
                    "description": "fireworks",
                    "dimensions": {"length_cm": 9, "width_cm": 9, "height_cm": 9},
                }
            ],
        ),
        order_body(partner_order_id="PO-OLD"),
        order_body(partner_order_id="PO-A"),
        order_body(partner_order_id="PO-B", service_level="economy"),
        no_route,
    ]
    response = await client.post(
        "/v1/orders:batch", json={"orders": items}, headers=acme | {"Idempotency-Key": "batch-1"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    BatchOut.model_validate(body)  # the shape the OpenAPI declares
    statuses = [r["status"] for r in body["results"]]
    assert statuses == [201, 422, 422, 409, 409, 201, 422]
    assert (body["accepted"], body["rejected"]) == (2, 5)
    assert body["results"][6]["problem"]["title"] == "no_service"
    assert body["results"][5]["order"]["price"] is not None  # quoted in the batch call
    assert body["results"][1]["problem"]["errors"][0]["location"] == ["parcels", 0, "weight_kg"]
    assert body["results"][2]["problem"]["title"] == "prohibited_item"
    assert "already waybill" in body["results"][3]["problem"]["detail"]
    assert await stored(orders) == (3, 3)

    replay = await client.post(
        "/v1/orders:batch", json={"orders": items}, headers=acme | {"Idempotency-Key": "batch-1"}
    )
    assert replay.json() == body
    assert await stored(orders) == (3, 3)
    events = await orders.platform.outbox.records.find(
        {"event_type": {"$regex": "Created$"}}
    ).to_list()
    sources = {orders_pb2.OrderCreated.FromString(e["value"]).source for e in events}
    assert sources == {orders_pb2.ORDER_SOURCE_API, orders_pb2.ORDER_SOURCE_BATCH_IMPORT}


async def test_a_batch_with_no_acceptable_item_is_itemised_and_stores_nothing(
    orders: OrdersApp, client: httpx.AsyncClient, acme: dict[str, str]
) -> None:
    fireworks = order_body(
        partner_order_id="PO-FIRE",
        parcels=[
            {
                "weight_kg": 1,
                "description": "fireworks",
                "dimensions": {"length_cm": 9, "width_cm": 9, "height_cm": 9},
            }
        ],
    )
    first = [order_body(partner_order_id="PO-1"), order_body(partner_order_id="PO-2")]
    sent = await client.post(
        "/v1/orders:batch", json={"orders": first}, headers=acme | {"Idempotency-Key": "file-1"}
    )
    assert sent.json()["accepted"] == 2
    before = await stored(orders)
    cases: dict[str, tuple[list[Json], list[tuple[int, str]]]] = {
        "prohibited": ([fireworks], [(422, "prohibited_item")]),
        "empty item": ([{}], [(422, "invalid_order")]),
        # the same file again under a new key: every item is a duplicate
        "re-sent": (first, [(409, "duplicate_partner_order_id")] * 2),
    }
    for key, (items, expected) in cases.items():
        headers = acme | {"Idempotency-Key": key}
        response = await client.post("/v1/orders:batch", json={"orders": items}, headers=headers)
        assert response.status_code == 200, (key, response.text)
        body = response.json()
        assert (body["accepted"], body["rejected"]) == (0, len(items)), key
        itemised = [(r["status"], r["problem"]["title"]) for r in body["results"]]
        assert itemised == expected, key
        assert await stored(orders) == before, key
        replay = await client.post("/v1/orders:batch", json={"orders": items}, headers=headers)
        assert replay.headers.get("idempotent-replayed") == "true", key
        assert replay.json() == body, key


async def test_a_batch_over_the_limit_is_refused_whole(
    orders: OrdersApp, client: httpx.AsyncClient, acme: dict[str, str]
) -> None:
    items = [order_body(partner_order_id=f"PO-{i}") for i in range(1001)]
    response = await client.post(
        "/v1/orders:batch", json={"orders": items}, headers=acme | {"Idempotency-Key": "big"}
    )
    assert response.status_code == 422
    assert response.json()["title"] == "batch_too_large"
    assert await stored(orders) == (0, 0)


async def test_with_routing_and_crm_down_orders_are_still_accepted(
    infra: InfraEndpoints, unique_name: str
) -> None:
    app = await start_orders(
        settings_for(infra, unique_name, CLOSED_PORT, rpc_deadline_s=0.2), unique_name
    )
    try:
        headers = await api_key(app, "big-shipper")
        transport = httpx.ASGITransport(app=app.api)
        async with httpx.AsyncClient(transport=transport, base_url="http://o") as client:
            body = await create(client, headers, "k")
            quote = await client.post(
                "/v1/quotes",
                headers=headers,
                json={
                    "origin": order_body()["shipper"]["address"],
                    "destination": order_body()["consignee"]["address"],
                    "parcels": order_body()["parcels"],
                },
            )
        assert body["promise_pending"] is True
        assert body["promise"] is None
        assert body["price"] is None
        assert body["customer_tier"] == "Q3"
        assert_problem(quote, 503, "unavailable")
        assert quote.headers["retry-after"] == "5"
        doc = await app.platform.outbox.records.find_one()
        assert doc is not None
        assert orders_pb2.OrderCreated.FromString(doc["value"]).order.promise_pending
        assert app.service.metrics.promise_pending._value.get() == 1
    finally:
        await app.platform.mongo.drop_database(unique_name)
        await app.close()


async def test_crm_sets_the_customer_tier(orders: OrdersApp, client: httpx.AsyncClient) -> None:
    headers = await api_key(orders, "big-shipper")
    assert (await create(client, headers, "k"))["customer_tier"] == "Q1"


async def test_quotes_create_nothing(
    orders: OrdersApp,
    client: httpx.AsyncClient,
    acme: dict[str, str],
    fakes: tuple[str, FakeRouting],
) -> None:
    response = await client.post(
        "/v1/quotes",
        headers=acme,
        json={
            "origin": order_body()["shipper"]["address"],
            "destination": order_body()["consignee"]["address"],
            "parcels": order_body()["parcels"],
            "service_level": "next_day",
        },
    )
    assert response.status_code == 200, response.text
    quote = response.json()
    assert quote["price"] == {"amount": "14.50", "currency": "CNY"}
    assert quote["promise"]["next_day"] is True
    assert await stored(orders) == (0, 0)


async def test_listing_filters_and_pages(
    orders: OrdersApp, client: httpx.AsyncClient, acme: dict[str, str]
) -> None:
    made = [
        (await create(client, acme, f"k{i}", partner_order_id=f"PO-{i}"))["waybill"]
        for i in range(5)
    ]
    await client.post(f"/v1/orders/{made[0]}/cancel", headers=acme)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/orders", params=params, headers=acme)).json()
        seen += [o["waybill"] for o in page["orders"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))  # newest first, each once
    cancelled = (
        await client.get("/v1/orders", params={"status": "cancelled"}, headers=acme)
    ).json()["orders"]
    assert [o["waybill"] for o in cancelled] == [made[0]]
    by_id = (
        await client.get("/v1/orders", params={"partner_order_id": "PO-3"}, headers=acme)
    ).json()["orders"]
    assert [o["waybill"] for o in by_id] == [made[3]]


async def test_labels_as_pdf_and_zpl(client: httpx.AsyncClient, acme: dict[str, str]) -> None:
    waybill = (await create(client, acme, "k"))["waybill"]
    pdf = await client.get(f"/v1/orders/{waybill}/label", headers=acme)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert waybill.encode() in pdf.content
    zpl = await client.get(f"/v1/orders/{waybill}/label", params={"format": "zpl"}, headers=acme)
    assert zpl.headers["content-type"].startswith("application/zpl")
    assert f"^BCN,180,Y,N,N^FD{waybill}^FS" in zpl.text
    assert "139****5678" in zpl.text  # the consignee's phone is masked on the label
    bad = await client.get(f"/v1/orders/{waybill}/label", params={"format": "png"}, headers=acme)
    assert_problem(bad, 422, "invalid_request")


async def test_the_openapi_declares_what_each_order_route_answers(
    client: httpx.AsyncClient, acme: dict[str, str]
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    def schema(path: str, method: str, status: str) -> Any:
        answer = paths[path][method]["responses"][status]
        return answer["content"]["application/json"]["schema"]

    order_ref = {"$ref": "#/components/schemas/OrderOut"}
    assert schema("/v1/orders", "post", "201") == order_ref
    assert schema("/v1/orders/{waybill}", "get", "200") == order_ref
    assert schema("/v1/orders/{waybill}/cancel", "post", "200") == order_ref
    assert schema("/v1/orders:batch", "post", "200") == {"$ref": "#/components/schemas/BatchOut"}
    created = await client.post(
        "/v1/orders", json=order_body(), headers=acme | {"Idempotency-Key": "openapi"}
    )
    waybill = OrderOut.model_validate(created.json()).waybill
    fetched = await client.get(f"/v1/orders/{waybill}", headers=acme)
    assert OrderOut.model_validate(fetched.json()).waybill == waybill
