"""Public tracking: privacy masking, proofs of ownership, many at once, SSE, gRPC."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
import httpx
import pytest

from fairwind.domain.privacy import tracking_link_token
from fairwind.domain.waybill import format_waybill
from fairwind.infra.processes import free_port
from fairwind.runtime.serving import http_worker
from fairwind.v1 import common_pb2, orders_pb2, tracking_pb2, tracking_pb2_grpc
from services.tracking.bootstrap import TrackingApp
from services.tracking.consumer import event_consumer
from tests.integration.conftest import wait_for
from tests.integration.tracking.conftest import LINK_SECRET, scan, shipment
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
W = "FW000000000076"
TYPO = "FW000000000067"  # W with two digits swapped: the check digit catches it
TYPES = "https://fairwind.dev/problems/"


async def test_public_lookup_masks_names_phones_and_addresses(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    await shipment(tracking, W)
    await client.post(
        "/v1/scans", json=scan("p1", W, "picked_up", "SZX001", 10), headers=devices["SZX001"]
    )
    public = (await client.get(f"/v1/track/{W}")).json()
    assert public["status"] == "picked_up"
    assert public["consignee"] == {
        "name": "张*",
        "phone": "139****5678",
        "city": "北京市",
        "district": "朝阳区",
    }
    assert public["shipper"]["phone"] == "138****8000"
    assert public["full_details"] is False
    assert [leg["to"] for leg in public["planned_route"]["legs"]] == ["HSZX", "HCAN", "BJS003"]
    assert public["timeline"][0]["event"] == "picked_up"
    assert "建国路" not in json.dumps(public, ensure_ascii=False)


@pytest.mark.parametrize(
    ("params", "full"),
    [
        ({"phone_last4": "5678"}, True),  # the consignee's number
        ({"phone_last4": "8000"}, True),  # the shipper's
        ({"phone_last4": "1234"}, False),
        ({"access_token": tracking_link_token(LINK_SECRET, W)}, True),
        ({"access_token": "0" * 32}, False),
    ],
)
async def test_proof_of_ownership_shows_full_details(
    tracking: TrackingApp, client: httpx.AsyncClient, params: dict[str, str], full: bool
) -> None:
    await shipment(tracking, W)
    view = (await client.get(f"/v1/track/{W}", params=params)).json()
    assert view["full_details"] is full
    assert (view["consignee"]["name"] == "张三") is full
    assert ("street" in view["consignee"]) is full


async def test_lookup_errors_and_many_at_once(
    tracking: TrackingApp, client: httpx.AsyncClient
) -> None:
    await shipment(tracking, W)
    missing = await client.get("/v1/track/FW000000009990")
    assert missing.status_code == 404
    assert (missing.json()["type"], missing.json()["title"]) == (f"{TYPES}not_found", "not_found")
    short = await client.get(f"/v1/track/{W}", params={"phone_last4": "12"})
    assert_problem(short, 422, "invalid_request")
    many = (await client.get("/v1/track", params={"waybills": f"{W},FW000000009990"})).json()
    assert [s["waybill"] for s in many["shipments"]] == [W]
    assert many["not_found"] == ["FW000000009990"]
    eleven = ",".join(format_waybill("FW", n) for n in range(1, 12))
    too_many = await client.get("/v1/track", params={"waybills": eleven})
    assert "1 to 10 waybills" in assert_problem(too_many, 400, "bad_request")["detail"]


@pytest.mark.parametrize(
    "path",
    [
        f"/v1/track/{TYPO}",
        f"/v1/track/{TYPO}/stream",
        f"/v1/track?waybills={W},{TYPO}",
        "/v1/track/FW12345",
    ],
)
async def test_a_wrong_check_digit_is_400_invalid_waybill_as_on_orders(
    tracking: TrackingApp, client: httpx.AsyncClient, path: str
) -> None:
    await shipment(tracking, W)
    response = await client.get(path)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["title"]) == (f"{TYPES}invalid_waybill", "invalid_waybill")


async def test_the_openapi_declares_problem_json_answers(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    lookup = schema["paths"]["/v1/track/{waybill}"]["get"]["responses"]
    scans = schema["paths"]["/v1/scans"]["post"]["responses"]
    assert {"400", "404"} <= set(lookup)
    assert {"400", "401", "403", "409", "413", "415", "422"} <= set(scans)
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert all(scans[code]["content"] == problem for code in ("401", "415", "422"))
    assert lookup["400"]["content"] == problem


async def test_a_live_page_receives_each_new_status(
    tracking: TrackingApp, devices: dict[str, dict[str, str]]
) -> None:
    await shipment(tracking, W)
    port = free_port()
    worker, server = http_worker(tracking.api, "127.0.0.1", port)
    serving = asyncio.create_task(worker.run())
    received: list[dict[str, Any]] = []
    assert not tracking.broadcaster.watching  # nobody listens: no change stream
    try:
        await wait_for(lambda: server.started)
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http,
            http.stream("GET", f"/v1/track/{W}/stream") as response,
        ):
            assert response.headers["content-type"].startswith("text/event-stream")

            async def read() -> None:
                async for line in response.aiter_lines():
                    if line.startswith("data: "):
                        received.append(json.loads(line[6:]))
                        if len(received) == 2:
                            return

            reader = asyncio.create_task(read())
            await wait_for(lambda: len(received) == 1)
            await http.post(
                "/v1/scans",
                json=scan("live1", W, "picked_up", "SZX001", 10),
                headers=devices["SZX001"],
            )
            await asyncio.wait_for(reader, 10)
            assert tracking.broadcaster.watching
        await wait_for(lambda: not tracking.broadcaster.watching)  # the page left
    finally:
        worker.stop()
        await serving
    assert [r["status"] for r in received] == ["info_received", "picked_up"]
    assert received[1]["consignee"]["name"] == "张*"  # the stream is public: masked


async def test_grpc_get_and_list_shipments(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    await shipment(tracking, W)
    await client.post(
        "/v1/scans", json=scan("g1", W, "arrived", "HSZX", 55), headers=devices["HSZX"]
    )
    await tracking.grpc.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{tracking.grpc.port}") as channel:
            stub: Any = tracking_pb2_grpc.TrackingServiceStub(channel)
            got = (await stub.GetShipment(tracking_pb2.GetShipmentRequest(waybill=W))).shipment
            listed = await stub.ListShipments(tracking_pb2.ListShipmentsRequest(outlet_code="HSZX"))
            with pytest.raises(grpc.aio.AioRpcError) as missing:
                await stub.GetShipment(tracking_pb2.GetShipmentRequest(waybill="FW000000009990"))
            with pytest.raises(grpc.aio.AioRpcError) as typo:
                await stub.GetShipment(tracking_pb2.GetShipmentRequest(waybill=TYPO))
            with pytest.raises(grpc.aio.AioRpcError) as unfiltered:
                await stub.ListShipments(tracking_pb2.ListShipmentsRequest())
    finally:
        await tracking.grpc.stop(0)
    assert got.status == common_pb2.SHIPMENT_STATUS_IN_TRANSIT
    assert got.substatus == common_pb2.TRANSIT_SUBSTATUS_ARRIVED
    assert [leg.to_location.code for leg in got.planned_legs] == ["HSZX", "HCAN", "BJS003"]
    assert [h.location.code for h in got.actual_hops] == ["HSZX"]
    assert got.timeline[0].scan_id == "g1"
    assert [s.waybill for s in listed.shipments] == [W]
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert typo.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert unfiltered.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_orders_and_dispatches_arrive_over_the_broker(tracking: TrackingApp) -> None:
    order = orders_pb2.Order(waybill=W, partner_id="acme", customer_id="acme")
    await tracking.platform.publisher.publish(orders_pb2.OrderCreated(order=order), W)
    consumer = event_consumer(tracking.platform, tracking.service)
    task = asyncio.create_task(consumer.run())
    try:
        await wait_for(
            lambda: (
                tracking.platform.metrics.events_consumed.labels(
                    next(
                        iter(
                            k.topic
                            for k in tracking.platform.catalog.kinds()
                            if k.ce_type.endswith("OrderCreated")
                        )
                    ),
                    "tracking",
                    "handled",
                )._value.get()
                == 1
            )
        )
    finally:
        consumer.stop()
        await task
    ship = await tracking.service.store.shipments.get(W)
    assert ship is not None
    assert ship["status"] == "info_received"


async def test_the_lookup_reads_a_shipment_and_its_timeline_in_device_time_together(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    await shipment(tracking, W)
    for scan_id, event, minute in (("t2", "arrived", 30), ("t1", "picked_up", 10)):
        body = scan(scan_id, W, event, "SZX001", minute)
        assert (await client.post("/v1/scans", json=body, headers=devices["SZX001"])).is_success
    shipments = tracking.service.store.shipments
    ship, timeline = await shipments.with_timeline(W)
    assert ship is not None
    assert (ship["_id"], "__timeline" in ship) == (W, False)
    assert [s["_id"] for s in timeline] == ["t1", "t2"]  # sent late, scanned first
    assert [s["_id"] for s in (await shipments.with_timeline(W, limit=1))[1]] == ["t1"]
    assert await shipments.with_timeline(TYPO) == (None, [])
