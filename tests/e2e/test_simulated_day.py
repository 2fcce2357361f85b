"""A short seeded simulated day: the SLA service's compliance matches what the simulator
injected. Tolerance: 3 points of compliance per SLA, because a parcel whose deadline falls
within minutes of the end of the run may be counted by one side and not yet by the other.
The partners' volumes differ, so CRM tiers them differently, and the SLA service's figures
per customer tier match the simulator's account per tier too."""

from __future__ import annotations

import pytest

from sim.plan import SimConfig, Trouble
from sim.report import SLAS, injected
from sim.run import Run
from tests.e2e.conftest import Platform, next_local

pytestmark = pytest.mark.e2e
TOLERANCE = 0.03


async def test_a_seeded_day_measures_the_trouble_it_injected(platform: Platform) -> None:
    config = SimConfig(
        seed=11,
        partners=3,
        orders=120,
        outlets=10,
        trouble=Trouble(late_pickup=0.2, missort=0.05, failed_delivery=0.15, cancellation=0.05),
    )
    day = next_local(platform.clock, 7)
    run = Run(
        config,
        platform.endpoints,
        platform.clock,
        day,
        hours=40,
        world=platform.world,
        live_every_s=10,
        say=print,
        admin_env=platform.env,
        lateness=platform.lateness,
    )
    outcome = await run.play()
    print(outcome.summary)
    facts = injected(outcome.parcels)
    assert facts["orders booked"] >= 100
    assert facts["late pickups"] > 0
    assert facts["failed delivery attempts"] > 0
    assert facts["parcels with problems"] <= 2, outcome.summary
    # Late pickups and failed deliveries show up as breaches on both sides.
    assert outcome.truth["pickup"].breached > 0
    assert outcome.truth["outlet_delivery"].breached > 0
    for sla in SLAS:
        want, got = outcome.truth[sla], outcome.platform[sla]
        assert want.compliance is not None, sla
        assert got.compliance is not None, sla
        assert abs(got.compliance - want.compliance) <= TOLERANCE, (sla, outcome.summary)
        total = want.met + want.breached
        assert abs((got.met + got.breached) - total) <= max(3, total * 0.05), outcome.summary
    # Three partners at 50/25/12 % of the volume: the top, second and fourth quintile.
    assert outcome.tiers == {"bigmall": "Q1", "techshop": "Q2", "bookhouse": "Q4"}
    assert set(outcome.platform_by_tier) == {"Q1", "Q2", "Q4"}, outcome.summary
    for tier, truth in outcome.truth_by_tier.items():
        for sla in SLAS:
            want, got = truth[sla], outcome.platform_by_tier[tier][sla]
            assert abs(got.met - want.met) <= 2, (tier, sla, outcome.summary)
            assert abs(got.breached - want.breached) <= 2, (tier, sla, outcome.summary)
