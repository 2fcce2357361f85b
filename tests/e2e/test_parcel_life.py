"""A parcel's whole life, and a missorted one, through the public interfaces only: the
partner API, the courier's task list, the handheld and hub scans, the tracking lookup and
the SLA figures."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC

import pytest

from sim.parcel import Life, Parcel
from tests.e2e.conftest import Actors, next_local
from tests.e2e.helpers import counts, eventually, iso, scripted

pytestmark = pytest.mark.e2e


@dataclass
class Played:
    normal: Parcel
    missorted: Parcel


@pytest.fixture(scope="module")
async def played(actors: Actors) -> Played:
    """Two parcels booked at 09:00, played side by side through their whole lives."""
    stage = actors.stage
    start = next_local(stage.clock, 9)
    await stage.until(start)
    at = start - stage.start
    normal = Life(stage, scripted(actors.world, 1, actors.partner, at, "SZX001", "BJS004"))
    missorted = Life(
        stage, scripted(actors.world, 2, actors.partner, at, "CAN002", "SHA003", missort=True)
    )
    parcels = await asyncio.wait_for(asyncio.gather(normal.play(), missorted.play()), 240)
    return Played(*parcels)


async def test_one_parcel_from_order_to_delivery(actors: Actors, played: Played) -> None:
    parcel, clients = played.normal, actors.stage.clients
    assert parcel.problems == []
    assert parcel.state == "delivered"
    assert parcel.replans == 0
    assert parcel.picked_at is not None
    assert parcel.created_at is not None
    assert parcel.at_outlet_at is not None
    assert parcel.delivered_at is not None

    route = await clients.route(parcel.waybill)
    assert route is not None
    assert route.version == 1
    assert route.origin_outlet.code == "SZX001"
    assert route.destination_outlet.code == "BJS004"

    status, view = await eventually(
        lambda: clients.track(parcel.waybill), lambda answer: answer[1]["status"] == "delivered"
    )
    assert status == 200
    assert view["planned_route"]["version"] == 1
    # The public lookup masks the consignee.
    assert "*" in view["consignee"]["phone"]
    assert "13800000001" not in str(view)

    pickup = await eventually(lambda: counts(clients, "pickup", "SZX001"), lambda c: c != (0, 0))
    outlet = await eventually(
        lambda: counts(clients, "outlet_delivery", "BJS004"), lambda c: c != (0, 0)
    )
    promise = await eventually(lambda: counts(clients, "promise", "BJS004"), lambda c: c != (0, 0))
    assert (pickup, outlet, promise) == ((1, 0), (1, 0), (1, 0))


async def test_a_missort_is_detected_replanned_and_the_new_promise_shown(
    actors: Actors, played: Played
) -> None:
    parcel, clients = played.missorted, actors.stage.clients
    assert parcel.replans == 1, parcel.problems
    assert parcel.state == "delivered", parcel.problems

    route = await clients.route(parcel.waybill)
    assert route is not None
    assert route.version >= 2
    status, view = await eventually(
        lambda: clients.track(parcel.waybill),
        lambda answer: answer[1]["planned_route"]["version"] == route.version,
    )
    assert status == 200
    promised = route.promise.deliver_by.ToDatetime()
    shown = iso(view["promise"]["deliver_by"])
    assert shown is not None
    assert shown.astimezone(UTC).replace(tzinfo=None) == promised
