"""A pickup nobody makes: at risk at 80 % of the hour, breached at the hour without any
scan, and the late pickup scan afterwards does not count the parcel twice.

The SLA worker follows event time, so the test moves time on by booking other parcels
later in business time (at other outlets, so their figures stay apart)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sim.parcel import Life, order_body
from tests.e2e.conftest import Actors, Platform, next_local
from tests.e2e.helpers import counts, eventually, scripted

pytestmark = pytest.mark.e2e


async def book(actors: Actors, index: int, origin: str, destination: str) -> Life:
    stage = actors.stage
    at = stage.clock.now() - stage.start
    life = Life(stage, scripted(actors.world, index, actors.partner, at, origin, destination))
    status, body = await stage.clients.place(
        actors.partner, order_body(life.script), f"{stage.run_id}-late-{index}"
    )
    assert status == 201, body
    life.parcel.waybill = body["waybill"]
    life.parcel.created_at = datetime.fromisoformat(body["created_at"])
    # A courier accepts at once (and then may come late): a pickup nobody accepts would be
    # reassigned every 15 minutes, and those events would move the SLA clock on their own.
    assert await life.accept_pickup() is not None
    return life


async def test_late_pickup_is_at_risk_then_breached_and_counted_once(
    platform: Platform, actors: Actors
) -> None:
    stage, clients, lateness = actors.stage, actors.stage.clients, platform.lateness
    await stage.until(next_local(stage.clock, 10))
    late = await book(actors, 101, "HGH002", "NKG003")
    booked = late.parcel.created_at
    assert booked is not None

    # Event time past 48 minutes (80 % of the hour) once the lateness is taken off.
    await stage.until(booked + timedelta(minutes=48) + lateness + timedelta(minutes=1))
    await book(actors, 102, "WUH001", "CSX001")
    risky = await eventually(
        clients.at_risk,
        lambda page: any(row["waybill"] == late.parcel.waybill for row in page["at_risk"]),
    )
    row = next(r for r in risky["at_risk"] if r["waybill"] == late.parcel.waybill)
    assert row["sla"] == "pickup"
    assert await counts(clients, "pickup", "HGH002") == (0, 0)

    # Past the hour: breached by the timer, with no scan at all.
    await stage.until(booked + timedelta(minutes=60) + lateness + timedelta(minutes=2))
    await book(actors, 103, "WUH002", "CSX002")
    assert await eventually(lambda: counts(clients, "pickup", "HGH002"), lambda c: c != (0, 0)) == (
        0,
        1,
    )

    # The courier finally comes; the parcel is then delivered on the spot (promise met),
    # which shows the SLA worker has read the late scan: the pickup stays one breach.
    now = stage.clock.now()
    status, _ = await late.scan("HGH002", "picked_up", now)
    assert status == 201
    await late.scan("HGH002", "delivered", now, proof_of_delivery={"recipient_name": "本人"})
    await eventually(lambda: counts(clients, "promise", "NKG003"), lambda c: c != (0, 0))
    assert await counts(clients, "pickup", "HGH002") == (0, 1)
