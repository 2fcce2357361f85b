"""After a missort and a re-plan, each scan is judged against the plan in force when it was
made: the hubs of the first plan stay planned, the missorted hub stays unplanned, a scan
uploaded late is no new deviation; gRPC shows the legs' modes and linehauls as REST does."""

from __future__ import annotations

from typing import Any

import grpc
import httpx
import pytest

from fairwind.domain.waybill import format_waybill
from fairwind.v1 import common_pb2, routes_pb2, tracking_pb2, tracking_pb2_grpc
from services.tracking import handlers
from services.tracking.bootstrap import TrackingApp
from tests.integration.tracking.conftest import as_event, route_planned, scan, shipment

pytestmark = pytest.mark.integration
W = format_waybill("FW", 501)
# Missorted to HWUH on the way to HCAN; re-planned at minute 250 to fly HWUH -> BJS003.
REPLAN = [("HWUH", "hub", "BJS003", "outlet", 300, 420)]


async def missorted_and_replanned(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    await shipment(tracking, W)
    steps = [
        ("SZX001", scan("r1", W, "picked_up", "SZX001", 10)),
        ("HSZX", scan("r2", W, "arrived", "HSZX", 55)),
        ("HSZX", scan("r4", W, "departed", "HSZX", 125)),
        ("HWUH", scan("r5", W, "arrived", "HWUH", 240)),  # not on the plan: a deviation
    ]
    for location, body in steps:
        assert (await client.post("/v1/scans", json=body, headers=devices[location])).is_success
    replanned = route_planned(
        W, REPLAN, version=2, planned_at=250, mode=routes_pb2.TRANSPORT_MODE_AIR
    )
    await handlers.on_routes(tracking.service, [as_event(tracking, replanned, W)])
    steps = [
        ("HWUH", scan("r6", W, "departed", "HWUH", 300)),
        ("HSZX", scan("r3", W, "sorted", "HSZX", 100)),  # uploaded late, made under plan 1
        ("BJS003", scan("r7", W, "at_delivery_outlet", "BJS003", 425)),
    ]
    for location, body in steps:
        assert (await client.post("/v1/scans", json=body, headers=devices[location])).is_success


async def test_the_actual_route_is_judged_against_the_plan_in_force(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    await missorted_and_replanned(tracking, client, devices)
    view = (await client.get(f"/v1/track/{W}")).json()
    assert view["planned_route"]["version"] == 2
    assert [(h["location"], h["planned"]) for h in view["actual_route"]] == [
        ("HSZX", True),  # on plan 1, though plan 2 does not name it
        ("HWUH", False),  # the missort, though plan 2 starts there
        ("BJS003", True),
    ]
    assert view["planned_route"]["legs"][0] | {"depart": None, "arrive": None} == {
        "from": "HWUH",
        "to": "BJS003",
        "mode": "air",
        "linehaul_id": "LH-HWUH-BJS003",
        "depart": None,
        "arrive": None,
    }
    docs = await tracking.platform.outbox.records.find(
        {"event_type": {"$regex": "Deviation"}}
    ).to_list()
    deviations = [tracking_pb2.RouteDeviationDetected.FromString(d["value"]) for d in docs]
    assert [(d.location.code, d.route_version) for d in deviations] == [("HWUH", 1)]


async def test_grpc_shows_modes_linehauls_and_planned_hops_as_rest_does(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    await missorted_and_replanned(tracking, client, devices)
    await tracking.grpc.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{tracking.grpc.port}") as channel:
            stub: Any = tracking_pb2_grpc.TrackingServiceStub(channel)
            got = (await stub.GetShipment(tracking_pb2.GetShipmentRequest(waybill=W))).shipment
    finally:
        await tracking.grpc.stop(0)
    assert got.route_version == 2
    assert [(leg.mode, leg.linehaul_id) for leg in got.planned_legs] == [
        (routes_pb2.TRANSPORT_MODE_AIR, "LH-HWUH-BJS003")
    ]
    assert [(h.location.code, h.planned) for h in got.actual_hops] == [
        ("HSZX", True),
        ("HWUH", False),
        ("BJS003", True),
    ]
    assert got.service_level == common_pb2.SERVICE_LEVEL_NEXT_DAY
