"""Scans on real infrastructure: events, the status machine, deviations, bad input."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from fairwind.domain.waybill import format_waybill
from fairwind.v1 import orders_pb2, tracking_pb2
from services.tracking import handlers
from services.tracking.bootstrap import TrackingApp
from services.tracking.devices import DeviceRegistry
from services.tracking.store import Place
from tests.integration.tracking.conftest import as_event, outbox_types, scan, shipment
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
POD = {"recipient_name": "张三", "relation": "self", "signature_ref": "sig/FW1.png"}
EVENTS = ("arrived", "sorted", "departed")


async def post(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: dict[str, Any],
) -> httpx.Response:
    return await client.post("/v1/scans", json=body, headers=headers)


async def test_a_full_journey_publishes_each_scan_and_status_change(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    await shipment(tracking, "FW000000000013")
    w = "FW000000000013"
    steps = [
        ("SZX001", scan("s1", w, "picked_up", "SZX001", 10)),
        ("HSZX", scan("s2", w, "arrived", "HSZX", 55)),
        ("HSZX", scan("s3", w, "sorted", "HSZX", 100)),
        ("HSZX", scan("s4", w, "departed", "HSZX", 125)),
        ("HCAN", scan("s5", w, "arrived", "HCAN", 235)),
        ("HCAN", scan("s6", w, "departed", "HCAN", 305)),
        ("BJS003", scan("s7", w, "at_delivery_outlet", "BJS003", 890)),
        ("BJS003", scan("s8", w, "out_for_delivery", "BJS003", 960)),
        ("BJS003", scan("s9", w, "delivered", "BJS003", 1000, proof_of_delivery=POD)),
    ]
    for location, body in steps:
        response = await post(client, devices[location], body)
        assert response.status_code == 201, response.text
        assert response.json()["status_changed"] is True
    ship = await tracking.service.store.shipments.get(w)
    assert ship is not None
    assert ship["status"] == "delivered"
    assert ship["pod"]["recipient_name"] == "张三"
    assert [
        h["location"]["code"] for h in sorted(ship["hops"].values(), key=lambda h: h["order"])
    ] == ["HSZX", "HCAN", "BJS003"]
    assert ship["deviations"] == []
    kinds = await outbox_types(tracking)
    assert kinds.count("ScanRecorded") == 9
    assert kinds.count("ShipmentStatusChanged") == 9
    doc = await tracking.platform.outbox.records.find_one(
        {"event_type": {"$regex": "StatusChanged$"}}, sort=[("_id", -1)]
    )
    assert doc is not None
    last = tracking_pb2.ShipmentStatusChanged.FromString(doc["value"])
    assert (last.waybill, last.partner_id) == (w, "acme")
    assert last.proof_of_delivery.recipient_name == "张三"


async def test_duplicate_scan_ids_are_acknowledged_and_stored_once(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    await shipment(tracking, "FW000000000021")
    body = scan("dup-1", "FW000000000021", "picked_up", "SZX001", 10)
    first = await post(client, devices["SZX001"], body)
    again = await post(client, devices["SZX001"], body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["outcome"] == "duplicate"
    assert await tracking.service.store.scans.collection.count_documents({}) == 1
    assert (await outbox_types(tracking)).count("ScanRecorded") == 1


async def test_a_late_scan_is_kept_but_never_moves_the_status_back(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    w = "FW000000000037"
    await shipment(tracking, w)
    await post(client, devices["HSZX"], scan("a", w, "departed", "HSZX", 125))
    late = await post(client, devices["SZX001"], scan("b", w, "picked_up", "SZX001", 10))
    assert late.status_code == 201
    assert late.json()["status_changed"] is False
    ship = await tracking.service.store.shipments.get(w)
    assert ship is not None
    assert (ship["status"], ship["substatus"]) == ("in_transit", "departed")
    stored = await tracking.service.store.scans.collection.find_one({"_id": "b"})
    assert stored is not None
    assert stored["out_of_order"] is True


async def test_deviations_against_the_planned_route(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    w = "FW000000000045"
    await shipment(tracking, w)
    await post(client, devices["HSZX"], scan("d1", w, "departed", "HSZX", 200))  # 80 min late
    await post(client, devices["HWUH"], scan("d2", w, "arrived", "HWUH", 400))  # off the plan
    await post(client, devices["HWUH"], scan("d3", w, "sorted", "HWUH", 450))  # reported once
    docs = (
        await tracking.platform.outbox.records.find({"event_type": {"$regex": "Deviation"}})
        .sort("_id")
        .to_list()
    )
    found = [tracking_pb2.RouteDeviationDetected.FromString(d["value"]) for d in docs]
    assert [(d.kind, d.location.code) for d in found] == [
        (tracking_pb2.DEVIATION_KIND_LATE_DEPARTURE, "HSZX"),
        (tracking_pb2.DEVIATION_KIND_UNPLANNED_HUB, "HWUH"),
    ]
    assert found[0].delay.ToTimedelta().total_seconds() == 80 * 60
    assert found[1].route_version == 1
    ship = await tracking.service.store.shipments.get(w)
    assert ship is not None
    assert ship["eta"] > ship["route"]["arrival"]  # the live ETA carries the delay


async def test_bad_scans_are_refused_and_store_nothing(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    w = "FW000000000059"
    await shipment(tracking, w)
    cases = [
        (devices["SZX001"], scan("x2", w, "picked_up", "HSZX", 10), 403, "wrong_location"),
        (devices["BJS003"], scan("x3", w, "delivered", "BJS003", 100), 422, "missing_proof"),
        (devices["BJS003"], scan("x4", w, "delivery_failed", "BJS003", 100), 422, "missing_reason"),
        (
            devices["SZX001"],
            scan("x5", w, "picked_up", "SZX001", 60 * 24 * 3),
            422,
            "device_time_in_future",
        ),
        (devices["SZX001"], scan("x6", w, "teleported", "SZX001", 10), 422, "invalid_request"),
        (
            {"Authorization": "Bearer nonsense"},
            scan("x7", w, "picked_up", "SZX001", 10),
            401,
            "unauthorized",
        ),
        (
            devices["SZX001"],
            scan("x9", w[:-1] + str((int(w[-1]) + 1) % 10), "picked_up", "SZX001", 10),
            400,
            "invalid_waybill",
        ),
    ]
    for headers, body, status, title in cases:
        response = await post(client, headers, body)
        assert response.status_code == status, (body["scan_id"], response.text)
        assert response.json()["title"] == title
        assert response.json()["type"] == f"https://fairwind.dev/problems/{title}"
    as_text = await client.post(
        "/v1/scans",
        content=json.dumps(scan("x10", w, "picked_up", "SZX001", 10)),
        headers=devices["SZX001"] | {"Content-Type": "text/plain"},
    )
    assert as_text.status_code == 415
    assert as_text.json()["title"] == "unsupported_media_type"
    await tracking.service.store.places.collection.delete_one({"_id": "SZX001"})
    unknown = await post(client, devices["SZX001"], scan("x8", w, "picked_up", "SZX001", 10))
    assert unknown.json()["title"] == "unknown_location"
    assert await tracking.service.store.scans.collection.count_documents({}) == 0
    assert await outbox_types(tracking) == []


async def test_a_cancelled_shipment_takes_no_movement_scans(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    w = "FW000000000068"
    await shipment(tracking, w)
    await handlers.on_orders_cancelled(
        tracking.service, [as_event(tracking, orders_pb2.OrderCancelled(waybill=w), w)]
    )
    response = await post(client, devices["SZX001"], scan("c1", w, "picked_up", "SZX001", 10))
    assert_problem(response, 409, "cancelled")
    assert (await outbox_types(tracking)) == ["ShipmentStatusChanged"]


async def test_a_batch_reports_each_scan(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    waybills = [format_waybill("FW", 100 + n) for n in range(3)]
    for w in waybills:
        await shipment(tracking, w)
    items = [scan(f"b{i}", w, "arrived", "HSZX", 50 + i) for i, w in enumerate(waybills)]
    items += [
        scan("b0", waybills[0], "arrived", "HSZX", 50),  # a duplicate in the batch
        {"scan_id": "broken", "waybill": waybills[0]},
        scan("b9", "FW000000009990", "arrived", "HSZX", 60),  # its order is not in yet
        scan("b10", "FW000000009999", "arrived", "HSZX", 60),  # a wrong check digit
    ]
    response = await client.post("/v1/scans:batch", json={"scans": items}, headers=devices["HSZX"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body["results"]] == [201, 201, 201, 200, 422, 202, 400]
    assert (body["recorded"], body["duplicates"], body["parked"], body["rejected"]) == (3, 1, 1, 2)
    assert body["results"][5]["outcome"] == "parked"
    problem = body["results"][6]["problem"]
    assert (problem["title"], problem["type"]) == (
        "invalid_waybill",
        "https://fairwind.dev/problems/invalid_waybill",
    )
    assert await tracking.service.store.scans.collection.count_documents({}) == 3


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        (("note",), "fragile \u202egnp.exe", "202E"),  # a bidi override
        (("courier_id",), "SZX001\u0000C1", "0000"),
        (("proof_of_delivery", "recipient_name"), "张\u200b三", "200B"),  # zero-width space
        (("proof_of_delivery", "relation"), "self\u0007", "0007"),
        (("proof_of_delivery", "signature_ref"), "sig/\ufffe.png", "FFFE"),
        (("proof_of_delivery", "photo_ref"), "photo/\ue000.jpg", "E000"),  # private use
    ],
)
async def test_hidden_characters_in_free_text_are_refused_and_store_nothing(
    tracking: TrackingApp,
    client: httpx.AsyncClient,
    devices: dict[str, dict[str, str]],
    path: tuple[str, ...],
    value: str,
    code: str,
) -> None:
    w = format_waybill("FW", 77)
    await shipment(tracking, w)
    body = scan("t1", w, "delivered", "BJS003", 1000, proof_of_delivery=dict(POD))
    *parents, name = path
    target = body
    for parent in parents:
        target = target[parent]
    target[name] = value
    response = await client.post(
        "/v1/scans",
        content=json.dumps(body),  # ASCII with \u escapes, as a handheld sends it
        headers=devices["BJS003"] | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["location"] == ["body", *path]
    assert error["type"] == "plain_text"
    assert f"U+{code}" in error["message"]
    in_batch = await client.post(
        "/v1/scans:batch", json={"scans": [body]}, headers=devices["BJS003"]
    )
    assert in_batch.json()["results"][0]["problem"]["title"] == "invalid_scan"
    assert await tracking.service.store.scans.collection.count_documents({}) == 0
    assert await outbox_types(tracking) == []


async def test_concurrent_scans_of_one_shipment_lose_no_update(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    """Single scans (group commit) and batches, each its own transaction, write the same
    shipment at once: the shipment is read inside each transaction, so one of two
    concurrent writers conflicts and runs again on the other's result."""
    w = format_waybill("FW", 88)
    await shipment(tracking, w)
    singles = [scan(f"h{i}", w, e, "HSZX", 55 + i) for i, e in enumerate(EVENTS)]
    batches = [
        [scan(f"{hub}{i}", w, e, hub, 200 + 100 * n + i) for i, e in enumerate(EVENTS)]
        for n, hub in enumerate(("HCAN", "HWUH"))
    ]
    answers = await asyncio.gather(
        *(post(client, devices["HSZX"], body) for body in singles),
        *(
            client.post(
                "/v1/scans:batch", json={"scans": items}, headers=devices[items[0]["location"]]
            )
            for items in batches
        ),
    )
    assert all(answer.is_success for answer in answers), [a.text for a in answers]
    ship = await tracking.service.store.shipments.get(w)
    assert ship is not None
    assert set(ship["hops"]) == {"HSZX", "HCAN", "HWUH"}
    assert (ship["status"], ship["substatus"], ship["location"]["code"]) == (
        "in_transit",
        "departed",
        "HWUH",
    )
    assert await tracking.service.store.scans.collection.count_documents({"waybill": w}) == 9
    assert (await outbox_types(tracking)).count("ScanRecorded") == 9


async def test_a_place_is_read_once_and_read_again_when_a_route_changes_it(
    tracking: TrackingApp,
) -> None:
    store = tracking.service.store
    registry = DeviceRegistry(store.devices, store.places, cache_s=30)
    await registry.register_places([Place("SZX077", "outlet", "SZX")])
    assert (await registry.location("SZX077") or {})["kind"] == "outlet"
    places = registry.places.collection
    await places.update_one({"_id": "SZX077"}, {"$set": {"name": "changed behind its back"}})
    assert (await registry.location("SZX077") or {})["name"] == ""  # kept, not read again
    await registry.register_places([Place("SZX077", "hub", "SZX")])
    assert (await registry.location("SZX077") or {})["kind"] == "hub"
    assert await registry.location("NOWHERE") is None
