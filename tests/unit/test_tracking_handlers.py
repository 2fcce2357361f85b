"""Tracking's handlers on in-memory repositories and the kit's fake unit of work: the
status only moves forward, early events wait for their order and are forgotten only once
applied, a batch of orders creates each shipment once."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, tracking_pb2
from services.tracking import handlers
from services.tracking.recording import ScanCommand, record_scans
from services.tracking.service import TrackingService
from services.tracking.store import RouteUpdate, TrackingUnit
from tests.unit.fake_tracking import Fakes, as_event, at, event_types, fake_service

W1, W2, W3 = "FW000000000013", "FW000000000021", "FW000000000037"
PLACES = {"SZX001": "outlet", "HSZX": "hub", "HCAN": "hub", "BJS003": "outlet"}


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
def svc(fakes: Fakes) -> TrackingService:
    return fake_service(fakes)[0]


def order_created(waybill: str, minute: float = -60) -> Any:
    order = orders_pb2.Order(
        waybill=waybill,
        partner_id="acme",
        origin_outlet_code="SZX001",
        destination_outlet_code="BJS003",
    )
    order.created_at.FromDatetime(at(minute))
    return as_event(orders_pb2.OrderCreated(order=order), waybill)


def route_planned(waybill: str) -> Any:
    route = routes_pb2.Route(waybill=waybill, version=1)
    for origin, destination, depart, arrive in (
        ("SZX001", "HSZX", 0, 60),
        ("HSZX", "BJS003", 120, 600),
    ):
        leg = route.legs.add(
            from_location=common_pb2.LocationRef(code=origin, kind=_kind(origin)),
            to_location=common_pb2.LocationRef(code=destination, kind=_kind(destination)),
        )
        leg.planned_departure.FromDatetime(at(depart))
        leg.planned_arrival.FromDatetime(at(arrive))
    route.origin_outlet.code, route.destination_outlet.code = "SZX001", "BJS003"
    route.arrival_at_destination_outlet.FromDatetime(at(600))
    return as_event(routes_pb2.RoutePlanned(route=route), waybill)


def _kind(code: str) -> Any:
    hub = PLACES[code] == "hub"
    return common_pb2.LOCATION_KIND_HUB if hub else common_pb2.LOCATION_KIND_OUTLET


def scan(scan_id: str, waybill: str, event: str, location: str, minute: float) -> ScanCommand:
    """A scan as the API hands it on once it passed every check."""
    return ScanCommand(
        {
            "_id": scan_id,
            "waybill": waybill,
            "event": event,
            "location": {"code": location, "kind": PLACES[location], "city_code": "SZX"},
            "courier_id": None,
            "device_id": "d1",
            "device_time": at(minute),
            "recorded_at": at(minute),
            "reason": None,
            "pod": None,
            "next_location": None,
            "note": None,
        }
    )


async def record(svc: TrackingService, *commands: ScanCommand) -> None:
    async def work(uow: TrackingUnit) -> None:
        await record_scans(svc, uow, commands)

    await svc.uow.run(work)


async def test_a_scan_moves_the_status_forward_only(fakes: Fakes) -> None:
    svc, units = fake_service(fakes)
    await handlers.on_orders_created(svc, [order_created(W1)])
    picked = scan("s1", W1, "picked_up", "SZX001", 10)
    arrived = scan("s2", W1, "arrived", "HSZX", 55)
    await record(svc, picked)
    await record(svc, arrived)
    ship = fakes.shipments.docs[W1]
    assert (ship["status"], ship["substatus"]) == ("in_transit", "arrived")
    assert (picked.outcome, picked.status_changed) == ("recorded", True)
    assert (arrived.outcome, arrived.status_changed) == ("recorded", True)
    assert event_types(units) == ["ScanRecorded", "ShipmentStatusChanged"] * 2
    await record(svc, scan("s2", W1, "arrived", "HSZX", 55))  # the device sends it again
    assert len(fakes.scans.docs) == 2
    assert len(units.events) == 4


async def test_an_out_of_order_scan_is_stored_but_does_not_move_the_status_back(
    fakes: Fakes,
) -> None:
    svc, units = fake_service(fakes)
    await handlers.on_orders_created(svc, [order_created(W1)])
    await record(svc, scan("s1", W1, "departed", "HSZX", 125))
    late = scan("s0", W1, "picked_up", "SZX001", 10)
    await record(svc, late)
    ship = fakes.shipments.docs[W1]
    assert (ship["status"], ship["substatus"]) == ("in_transit", "departed")
    assert (late.outcome, late.status_changed) == ("recorded", False)
    assert fakes.scans.docs["s0"]["out_of_order"] is True
    assert event_types(units)[-1:] == ["ScanRecorded"]  # no status change for it


async def test_single_scans_go_through_group_commit(svc: TrackingService, fakes: Fakes) -> None:
    await handlers.on_orders_created(svc, [order_created(W1), order_created(W2)])
    commands = [
        scan("g1", W1, "picked_up", "SZX001", 10),
        scan("g2", W2, "picked_up", "SZX001", 11),
    ]
    await asyncio.gather(*(svc.writer.submit(c) for c in commands))
    assert [c.outcome for c in commands] == ["recorded", "recorded"]
    assert {fakes.shipments.docs[w]["status"] for w in (W1, W2)} == {"picked_up"}
    assert svc.writer.items == 2


async def test_a_batch_of_orders_creates_each_shipment_once(fakes: Fakes) -> None:
    svc, units = fake_service(fakes)
    first, again = order_created(W1, minute=-60), order_created(W1, minute=-30)
    await handlers.on_orders_created(svc, [first, order_created(W2), again])
    await handlers.on_orders_created(svc, [order_created(W2, minute=-10)])  # a redelivery
    assert set(fakes.shipments.docs) == {W1, W2}
    assert fakes.shipments.docs[W1]["created_at"] == at(-60)  # the first one counts
    assert fakes.shipments.docs[W2]["created_at"] == at(-60)
    assert {s["status"] for s in fakes.shipments.docs.values()} == {"info_received"}
    assert len(units.committed) == 2  # one unit of work per batch
    assert units.events == []


async def test_a_route_for_an_unknown_waybill_is_parked_then_applied_with_its_order(
    svc: TrackingService, fakes: Fakes
) -> None:
    await handlers.on_orders_created(svc, [order_created(W1)])
    await handlers.on_routes(svc, [route_planned(W1), route_planned(W2)])
    assert fakes.shipments.docs[W1]["route"]["version"] == 1
    assert W2 not in fakes.shipments.docs
    (parked,) = fakes.parked.docs.values()
    assert (parked["waybill"], parked["kind"]) == (W2, "RoutePlanned")
    assert set(fakes.places.docs) == {"SZX001", "HSZX", "BJS003"}

    await handlers.on_orders_created(svc, [order_created(W2)])

    assert fakes.shipments.docs[W2]["route"]["version"] == 1
    assert fakes.shipments.docs[W2]["eta"] == at(600)
    assert fakes.parked.docs == {}


async def test_parked_events_are_forgotten_only_once_applied(
    svc: TrackingService, fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatch = routes_pb2.PickupDispatched(waybill=W3, courier_id="SZX001-C1", attempt=1)
    dispatch.dispatched_at.FromDatetime(at(-50))
    await handlers.on_routes(svc, [route_planned(W3)])
    await handlers.on_pickups_dispatched(svc, [as_event(dispatch, W3)])
    assert [d["kind"] for d in fakes.parked.docs.values()] == ["RoutePlanned", "PickupDispatched"]

    async def crash(updates: list[RouteUpdate]) -> None:
        raise ConnectionError("mongod went away")

    monkeypatch.setattr(fakes.shipments, "plan", crash)
    with pytest.raises(ConnectionError):
        await handlers.on_orders_created(svc, [order_created(W3)])
    assert len(fakes.parked.docs) == 2  # nothing applied, nothing forgotten
    monkeypatch.undo()

    await handlers.on_orders_created(svc, [order_created(W3)])  # the consumer tries again

    ship = fakes.shipments.docs[W3]
    assert (ship["status"], ship["courier_id"]) == ("pickup_dispatched", "SZX001-C1")
    assert ship["route"]["version"] == 1
    assert fakes.parked.docs == {}


async def test_a_cancellation_moves_forward_once_and_a_scan_after_it_is_refused(
    fakes: Fakes,
) -> None:
    svc, units = fake_service(fakes)
    await handlers.on_orders_created(svc, [order_created(W1)])
    cancel = as_event(orders_pb2.OrderCancelled(waybill=W1), W1)
    await handlers.on_orders_cancelled(svc, [cancel, cancel])  # twice in one batch
    assert fakes.shipments.docs[W1]["status"] == "cancelled"
    assert event_types(units) == ["ShipmentStatusChanged"]
    late = scan("c1", W1, "picked_up", "SZX001", 10)
    await handlers.park_scans(svc, [late])  # as if it had come before the order
    assert fakes.scans.docs == {}
    assert fakes.unmatched.docs["scan:c1"]["reason"] == "cancelled"


async def test_a_move_reads_its_view_and_writes_back_only_what_it_changed(
    fakes: Fakes,
) -> None:
    svc, units = fake_service(fakes)
    await handlers.on_orders_created(svc, [order_created(W1)])
    await handlers.on_routes(svc, [route_planned(W1)])
    before = copy.deepcopy(fakes.shipments.docs[W1])
    dispatch = routes_pb2.PickupDispatched(waybill=W1, courier_id="SZX001-C9", attempt=1)
    dispatch.dispatched_at.FromDatetime(at(-30))

    await handlers.on_pickups_dispatched(svc, [as_event(dispatch, W1)])

    after = fakes.shipments.docs[W1]
    changed = {k for k in after.keys() | before.keys() if after.get(k) != before.get(k)}
    assert {"status", "courier_id", "updated_at"} <= changed
    assert changed <= {"status", "substatus", "key", "courier_id", "updated_at"}
    assert after["route"] == before["route"]  # not read, not written, still there
    (told,) = [e for e in units.events if e.event_type.endswith("ShipmentStatusChanged")][-1:]
    message = tracking_pb2.ShipmentStatusChanged.FromString(told.value)
    assert (message.partner_id, message.courier_id) == ("acme", "SZX001-C9")
