"""A scan sent right after booking, before tracking has read the OrderCreated, is parked
(202): stored, applied when the order comes, reported unmatched if it does not come in time,
and never lost. Devices ask GET /v1/scans/{scan_id} what became of it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from fairwind.domain.waybill import format_waybill
from fairwind.v1 import orders_pb2
from services.tracking import handlers
from services.tracking.bootstrap import TrackingApp
from services.tracking.consumer import event_consumer
from services.tracking.parking import expire_parked
from tests.integration.conftest import wait_for
from tests.integration.tracking.conftest import as_event, outbox_types, scan, shipment
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
W = format_waybill("FW", 401)


async def order_created(app: TrackingApp, waybill: str) -> None:
    order = orders_pb2.Order(waybill=waybill, partner_id="acme", customer_id="acme")
    order.created_at.GetCurrentTime()
    event = as_event(app, orders_pb2.OrderCreated(order=order), waybill)
    await handlers.on_orders_created(app.service, [event])


async def outcome(client: httpx.AsyncClient, device: dict[str, str], scan_id: str) -> str:
    answer = await client.get(f"/v1/scans/{scan_id}", headers=device)
    assert answer.status_code == 200, answer.text
    result: str = answer.json()["outcome"]
    return result


async def test_a_scan_before_its_order_is_parked_then_applied(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    courier = devices["SZX001"]
    body = scan("early-1", W, "picked_up", "SZX001", 10)
    parked = await client.post("/v1/scans", json=body, headers=courier)
    assert parked.status_code == 202, parked.text
    assert parked.json()["outcome"] == "parked"
    assert parked.headers["location"] == "/v1/scans/early-1"
    again = await client.post("/v1/scans", json=body, headers=courier)  # the device retries
    assert again.status_code == 202
    assert await tracking.service.store.parked.collection.count_documents({"waybill": W}) == 1
    assert await tracking.service.store.scans.collection.count_documents({}) == 0
    assert await outcome(client, courier, "early-1") == "parked"
    other = await client.get("/v1/scans/early-1", headers=devices["HSZX"])
    assert_problem(other, 404, "not_found")  # another device's scan is none of its business

    await order_created(tracking, W)

    ship = await tracking.service.store.shipments.get(W)
    assert ship is not None
    assert ship["status"] == "picked_up"
    assert await tracking.service.store.parked.collection.count_documents({}) == 0
    assert await outbox_types(tracking) == ["ScanRecorded", "ShipmentStatusChanged"]
    assert await outcome(client, courier, "early-1") == "recorded"
    duplicate = await client.post("/v1/scans", json=body, headers=courier)
    assert (duplicate.status_code, duplicate.json()["outcome"]) == (200, "duplicate")


async def test_a_batch_parks_the_scans_of_unknown_waybills_and_the_broker_brings_the_order(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    known = format_waybill("FW", 402)
    await shipment(tracking, known)
    items = [
        scan("bk1", known, "arrived", "HSZX", 55),
        scan("bp1", W, "arrived", "HSZX", 55),
        scan("bp2", W, "sorted", "HSZX", 80),
    ]
    answer = await client.post("/v1/scans:batch", json={"scans": items}, headers=devices["HSZX"])
    body = answer.json()
    assert [r["status"] for r in body["results"]] == [201, 202, 202]
    assert (body["recorded"], body["parked"]) == (1, 2)

    order = orders_pb2.Order(waybill=W, partner_id="acme", customer_id="acme")
    await tracking.platform.publisher.publish(orders_pb2.OrderCreated(order=order), W)
    consumer = event_consumer(tracking.platform, tracking.service)
    running = asyncio.create_task(consumer.run())
    try:
        recorded = tracking.service.metrics.scans.labels("sorted", "recorded")
        await wait_for(lambda: recorded._value.get() == 1)
    finally:
        consumer.stop()
        await running
    ship = await tracking.service.store.shipments.get(W)
    assert ship is not None
    assert (ship["status"], ship["substatus"]) == ("in_transit", "sorted")
    assert await tracking.service.store.scans.collection.count_documents({"waybill": W}) == 2


async def test_a_scan_whose_order_never_comes_is_unmatched_kept_and_still_applied_late(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    svc, courier = tracking.service, devices["SZX001"]
    lost = scan("lost-1", W, "picked_up", "SZX001", 10)
    assert (await client.post("/v1/scans", json=lost, headers=courier)).status_code == 202
    assert await expire_parked(svc) == 0  # not waited long enough yet
    later = svc.clock.wall() + timedelta(seconds=svc.settings.parked_wait_s + 1)
    assert await expire_parked(svc, later) == 1
    assert await svc.store.parked.collection.count_documents({}) == 0
    assert (
        await svc.store.unmatched.collection.count_documents({"waybill": W, "reason": "no_order"})
        == 1
    )
    assert svc.metrics.unmatched.labels("scan", "no_order")._value.get() == 1
    assert svc.metrics.parked._value.get() == 0
    assert await outcome(client, courier, "lost-1") == "unmatched"

    await order_created(tracking, W)  # very late, but it came

    assert await outcome(client, courier, "lost-1") == "recorded"
    assert await svc.store.unmatched.collection.count_documents({}) == 0
    ship = await svc.store.shipments.get(W)
    assert ship is not None
    assert ship["status"] == "picked_up"


async def test_a_parked_movement_scan_of_a_cancelled_order_is_rejected_and_kept(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    svc, courier = tracking.service, devices["SZX001"]
    cancel = as_event(tracking, orders_pb2.OrderCancelled(waybill=W), W)
    await handlers.on_orders_cancelled(svc, [cancel])  # parked: its order is not in either
    gone = scan("gone-1", W, "picked_up", "SZX001", 10)
    assert (await client.post("/v1/scans", json=gone, headers=courier)).status_code == 202
    first = svc.clock.wall() - timedelta(minutes=1)  # the cancel was parked first, for sure
    await svc.store.parked.collection.update_one(
        {"kind": "OrderCancelled"}, {"$set": {"parked_at": first}}
    )

    await order_created(tracking, W)

    ship = await svc.store.shipments.get(W)
    assert ship is not None
    assert ship["status"] == "cancelled"
    assert await svc.store.scans.collection.count_documents({}) == 0
    answer = (await client.get("/v1/scans/gone-1", headers=courier)).json()
    assert (answer["outcome"], answer["problem"]["title"]) == ("rejected", "cancelled")
    assert svc.metrics.unmatched.labels("scan", "cancelled")._value.get() == 1
