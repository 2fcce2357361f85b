"""Batched scans on real infrastructure: a batch reads its shipments once, applies its scans
in memory in order and writes each shipment once, with the same outcome as the same scans
sent one at a time; known, unknown and cancelled waybills mix in one batch."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from fairwind.domain.waybill import format_waybill
from fairwind.v1 import orders_pb2, tracking_pb2
from services.tracking import handlers
from services.tracking.bootstrap import TrackingApp
from tests.integration.tracking.conftest import as_event, device, scan, shipment

pytestmark = pytest.mark.integration
# One hub's scans of a parcel, as a handheld uploads them after being offline: in order,
# a late one (out of order), the same scan twice, and a late departure (a deviation).
JOURNEY = [
    ("arrived", 55),
    ("sorted", 70),
    ("arrived", 50),  # older than the shipment's status by then: kept, no move
    ("departed", 200),  # planned at 120: late
    ("sorted", 70),  # sent again (same scan id as the second)
]


def journey(waybill: str, prefix: str) -> list[dict[str, Any]]:
    ids = [f"{prefix}{n}" for n in range(len(JOURNEY) - 1)] + [f"{prefix}1"]
    return [scan(i, waybill, e, "HSZX", m) for i, (e, m) in zip(ids, JOURNEY, strict=True)]


async def events_of(app: TrackingApp, waybill: str) -> list[tuple[str, Any]]:
    """What the outbox holds for ``waybill``, in order: type and decoded message."""
    found = app.platform.outbox.records.find({"key": waybill.encode()}).sort("_id")
    decoded = []
    for doc in await found.to_list():
        headers = [(name, bytes(value)) for name, value in doc["headers"]]
        event = app.platform.codec.decode(doc["topic"], doc["key"], doc["value"], headers)
        decoded.append((doc["event_type"].rsplit(".", 1)[1], event.message))
    return decoded


def comparable(message: Any) -> Any:
    """An event without what differs between two waybills sent the same scans: the waybill,
    scan ids, the recording and detection times."""
    if isinstance(message, tracking_pb2.ScanRecorded):
        scan_part = message.scan
        return (scan_part.event, scan_part.device_time.seconds, message.out_of_order)
    if isinstance(message, tracking_pb2.ShipmentStatusChanged):
        return (message.from_status, message.to_status, message.substatus, message.location.code)
    return (message.kind, message.location.code, message.delay.seconds)


def shipment_state(ship: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": ship["status"],
        "substatus": ship["substatus"],
        "key": ship["key"][:2],  # rank and time (the third part is the scan id)
        "location": ship["location"],
        "hops": ship["hops"],
        "deviations": ship["deviations"],
        "eta": ship.get("eta"),
        "shipper": ship["shipper"],  # a batch writes only what scans change
    }


async def test_a_batch_of_one_waybills_scans_ends_as_the_same_scans_one_by_one(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    batched, single = format_waybill("FW", 301), format_waybill("FW", 302)
    await shipment(tracking, batched)
    await shipment(tracking, single)

    response = await client.post(
        "/v1/scans:batch", json={"scans": journey(batched, "b")}, headers=devices["HSZX"]
    )
    assert response.status_code == 200, response.text
    statuses = [r["status"] for r in response.json()["results"]]
    one_by_one = [
        (await client.post("/v1/scans", json=item, headers=devices["HSZX"])).status_code
        for item in journey(single, "s")
    ]

    assert statuses == one_by_one == [201, 201, 201, 201, 200]
    ships = await tracking.service.store.shipments.many({batched, single})
    assert shipment_state(ships[batched]) == shipment_state(ships[single])
    assert (ships[batched]["status"], ships[batched]["substatus"]) == ("in_transit", "departed")
    scans = tracking.service.store.scans.collection
    assert await scans.count_documents({"waybill": batched}) == 4
    assert await scans.count_documents({"waybill": batched, "out_of_order": True}) == 1
    from_batch, from_singles = await events_of(tracking, batched), await events_of(tracking, single)
    assert [t for t, _ in from_batch] == [t for t, _ in from_singles]
    assert [comparable(m) for _, m in from_batch] == [comparable(m) for _, m in from_singles]
    assert "RouteDeviationDetected" in [t for t, _ in from_batch]


async def test_a_batch_mixing_known_unknown_and_cancelled_waybills(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    known, unknown, cancelled = (format_waybill("FW", n) for n in (311, 312, 313))
    await shipment(tracking, known)
    await shipment(tracking, cancelled)
    await handlers.on_orders_cancelled(
        tracking.service,
        [as_event(tracking, orders_pb2.OrderCancelled(waybill=cancelled), cancelled)],
    )
    items = [
        scan("m1", known, "arrived", "HSZX", 55),
        scan("m2", unknown, "arrived", "HSZX", 56),
        scan("m3", cancelled, "arrived", "HSZX", 57),
        scan("m4", known, "sorted", "HSZX", 70),
        scan("m5", unknown, "sorted", "HSZX", 71),
    ]
    response = await client.post("/v1/scans:batch", json={"scans": items}, headers=devices["HSZX"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body["results"]] == [201, 202, 409, 201, 202]
    assert body["results"][2]["problem"]["title"] == "cancelled"
    assert (body["recorded"], body["parked"], body["rejected"]) == (2, 2, 1)
    ships = await tracking.service.store.shipments.many({known, cancelled})
    assert (ships[known]["status"], ships[known]["substatus"]) == ("in_transit", "sorted")
    assert ships[cancelled]["status"] == "cancelled"
    assert [t for t, _ in await events_of(tracking, known)][-4:] == [
        "ScanRecorded",
        "ShipmentStatusChanged",
    ] * 2

    await shipment(tracking, unknown)  # its order comes: the parked scans apply, in order
    ship = await tracking.service.store.shipments.get(unknown)
    assert ship is not None
    assert (ship["status"], ship["substatus"]) == ("in_transit", "sorted")
    again = await client.post("/v1/scans:batch", json={"scans": items}, headers=devices["HSZX"])
    assert [r["status"] for r in again.json()["results"]] == [200, 200, 409, 200, 200]


class CountingUnits:
    """The service's units of work, counting how many times a unit's body ran: a unit
    that conflicts with a concurrent one runs again."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.runs = 0

    def __call__(self) -> Any:
        return self.inner()

    async def run(self, work: Any) -> Any:
        async def counted(uow: Any) -> Any:
            self.runs += 1
            return await work(uow)

        return await self.inner.run(counted)


async def test_concurrent_batches_of_the_same_parcels_take_turns_instead_of_conflicting(
    tracking: TrackingApp, client: httpx.AsyncClient, devices: dict[str, dict[str, str]]
) -> None:
    """Two handhelds of one hub upload at once, with the same parcels in both: each batch
    is recorded whole and its unit runs once (no write conflict to run it again)."""
    waybills = [format_waybill("FW", 400 + n) for n in range(20)]
    for waybill in waybills:
        await shipment(tracking, waybill)
    second = await device(tracking, "HSZX", "hub")
    units = CountingUnits(tracking.service.uow)
    tracking.service.uow = units
    arrived = [scan(f"a{n}", w, "arrived", "HSZX", 55) for n, w in enumerate(waybills)]
    sorted_ = [scan(f"s{n}", w, "sorted", "HSZX", 70) for n, w in enumerate(waybills)]

    answers = await asyncio.gather(
        client.post("/v1/scans:batch", json={"scans": arrived}, headers=devices["HSZX"]),
        client.post("/v1/scans:batch", json={"scans": sorted_}, headers=second),
    )

    assert [a.json()["recorded"] for a in answers] == [20, 20]
    assert units.runs == 2
    ships = await tracking.service.store.shipments.many(set(waybills))
    assert {(s["status"], s["substatus"]) for s in ships.values()} == {("in_transit", "sorted")}
    for waybill in waybills:
        recorded = [t for t, _ in await events_of(tracking, waybill)].count("ScanRecorded")
        assert recorded == 2, waybill
