"""A batch import publishes, for each stored order, the OrderCreated a single create of the
same request publishes: field by field, apart from what differs by nature (waybill, time,
source and batch id), and each event agrees with its stored document. Its look-up of the
partner order ids already taken reads the unique index, not every order of the partner."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from fairwind.v1 import orders_pb2
from services.orders import convert
from services.orders.bootstrap import OrdersApp
from services.orders.store.listing import OrderFilter, listing_query
from services.orders.store.orders import Orders, by_partner_order_ids
from tests.integration.orders.conftest import order_body, soon
from tests.integration.orders.fakes import REMOTE_DISTRICT

pytestmark = pytest.mark.integration
Json = dict[str, Any]


def requests() -> list[Json]:
    remote = order_body()
    remote["consignee"]["address"]["district"] = REMOTE_DISTRICT  # a REMOTE_AREA warning
    everything = order_body(
        pickup_window={"start": soon(1), "end": soon(3)},
        cod_amount={"amount": "88.80", "currency": "CNY"},
        notifications={"channels": ["sms", "email"], "language": "en"},
        service_level="same_day",
    )
    everything["parcels"].append(
        {
            "weight_kg": 0.4,
            "dimensions": {"length_cm": 60, "width_cm": 40, "height_cm": 40},
            "description": "a lamp",
            "quantity": 3,
        }
    )
    return [order_body(), remote, everything]


async def created_events(app: OrdersApp) -> dict[str, orders_pb2.OrderCreated]:
    records = await app.platform.outbox.records.find(
        {"event_type": {"$regex": "OrderCreated$"}}
    ).to_list()
    events = [orders_pb2.OrderCreated.FromString(r["value"]) for r in records]
    assert len({e.order.waybill for e in events}) == len(records)  # once per order
    return {e.order.waybill: e for e in events}


def agrees_with(event: orders_pb2.OrderCreated, doc: Json) -> None:
    order = event.order
    assert order.partner_order_id == doc["partner_order_id"]
    # MongoDB keeps datetimes to the millisecond
    assert millis(order.created_at) == millis(convert.timestamp(doc["created_at"]))
    assert millis(order.promise.pickup_by) == millis(convert.timestamp(doc["promise"]["pickup_by"]))
    assert millis(order.promise.deliver_by) == millis(
        convert.timestamp(doc["promise"]["deliver_by"])
    )
    assert convert.money_doc(order.price) == doc["price"]
    assert order.chargeable_weight_kg == doc["chargeable_weight_kg"]
    assert [w.code for w in order.warnings] == [w["code"] for w in doc["warnings"]]


def millis(stamp: Timestamp) -> tuple[int, int]:
    return stamp.seconds, stamp.nanos // 1_000_000


def by_nature_different(event: orders_pb2.OrderCreated) -> orders_pb2.Order:
    """The order without its waybill, partner order id and times (routing's promise is
    computed from the clock)."""
    order = orders_pb2.Order()
    order.CopyFrom(event.order)
    for name in ("waybill", "partner_order_id", "created_at"):
        order.ClearField(name)
    order.promise.ClearField("pickup_by")
    order.promise.ClearField("deliver_by")
    return order


async def test_a_batch_publishes_what_single_creates_publish(
    orders: OrdersApp, client: httpx.AsyncClient, acme: dict[str, str]
) -> None:
    singles, items = [], []
    for i, body in enumerate(requests()):
        headers = acme | {"Idempotency-Key": f"single-{i}"}
        sent = await client.post(
            "/v1/orders", json=body | {"partner_order_id": f"S-{i}"}, headers=headers
        )
        assert sent.status_code == 201, sent.text
        singles.append(sent.json()["waybill"])
        items.append(body | {"partner_order_id": f"B-{i}"})
    response = await client.post(
        "/v1/orders:batch", json={"orders": items}, headers=acme | {"Idempotency-Key": "file"}
    )
    assert response.status_code == 200, response.text
    batch = [r["order"]["waybill"] for r in response.json()["results"]]

    events = await created_events(orders)
    assert set(events) == {*singles, *batch}
    for single, imported in zip(singles, batch, strict=True):
        one, many = events[single], events[imported]
        assert (one.source, one.batch_id) == (orders_pb2.ORDER_SOURCE_API, "")
        assert (many.source, many.batch_id) == (orders_pb2.ORDER_SOURCE_BATCH_IMPORT, "file")
        assert by_nature_different(many) == by_nature_different(one)
        for waybill in (single, imported):
            doc = await orders.platform.db["orders"].find_one({"_id": waybill})
            assert doc is not None
            agrees_with(events[waybill], doc)


def stages(plan: Json) -> list[Json]:
    found = [plan]
    for child in ("inputStage", "queryPlan"):
        if child in plan:
            found += stages(plan[child])
    return found


async def test_taken_partner_order_ids_are_found_by_the_unique_index(orders: OrdersApp) -> None:
    collection = orders.platform.db["orders"]
    await collection.insert_many(
        [
            {"_id": f"W{i}", "partner_id": "acme", "partner_order_id": f"PO-{i}", "created_at": i}
            for i in range(200)
        ]
    )
    query = by_partner_order_ids("acme", ["PO-7", "PO-42", "PO-NEW"])
    assert {d["_id"] async for d in collection.find(query)} == {"W7", "W42"}
    explained = await orders.platform.db.command(
        "explain", {"find": "orders", "filter": query}, verbosity="executionStats"
    )
    scans = [s for s in stages(explained["queryPlanner"]["winningPlan"]) if s["stage"] == "IXSCAN"]
    assert [s["indexName"] for s in scans] == ["partner_order_id"]
    assert explained["executionStats"]["totalDocsExamined"] == 2  # not the partner's 200


async def test_replays_and_the_listing_filter_use_their_partial_indexes(orders: OrdersApp) -> None:
    collection = orders.platform.db["orders"]
    await collection.insert_many(
        [
            {
                "_id": f"W{i}",
                "partner_id": "acme",
                "partner_order_id": f"PO-{i}",
                "idem": {"k": f"key-{i}"},
                "created_at": i,
            }
            for i in range(200)
        ]
    )
    replay = await Orders(orders.platform.db).by_idempotency_key("acme", "key-9")
    assert replay is not None
    assert replay["_id"] == "W9"
    queries = {
        "idempotency_key": {"partner_id": "acme", "idem.k": {"$eq": "key-9", "$type": "string"}},
        "partner_order_id": listing_query("acme", OrderFilter(partner_order_id="PO-9"), None),
    }
    for index, query in queries.items():
        explained = await orders.platform.db.command(
            "explain", {"find": "orders", "filter": query}, verbosity="executionStats"
        )
        plan = stages(explained["queryPlanner"]["winningPlan"])
        assert index in [s.get("indexName") for s in plan if s["stage"] == "IXSCAN"]
        assert explained["executionStats"]["totalDocsExamined"] == 1
