"""The simulator's pure parts: the day's script, its ground truth, the late-start rule,
where it is told the platform is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from devstack.env import sim_env
from devstack.plan import NETWORK_FILE
from fairwind.clock import PlatformClock
from sim.__main__ import endpoints, parser
from sim.clients import Endpoints
from sim.parcel import Parcel
from sim.plan import SimConfig, Trouble, partners, script_day
from sim.provision import archive
from sim.report import (
    Tally,
    classify,
    expected,
    expected_by_tier,
    measured_by,
    notify_lines,
    since_by,
)
from sim.run import Run
from sim.world import World

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 30, 7, 0, tzinfo=ZONE)


def test_the_same_seed_scripts_the_same_day() -> None:
    world = World.load(NETWORK_FILE)
    outlets = world.choose_outlets(10, seed=3)
    assert outlets == world.choose_outlets(10, seed=3)
    assert len({o.city_code for o in outlets}) == 10  # spread over cities
    config = SimConfig(seed=3, orders=300, trouble=Trouble(late_pickup=0.5))
    first, second = script_day(config, outlets), script_day(config, outlets)
    assert first == second
    # The day starts at 07:00; bookings come 08:00-20:00.
    assert all(timedelta(hours=1) <= s.at < timedelta(hours=13) for s in first)
    late = [s for s in first if s.late_pickup]
    assert 100 < len(late) < 200
    assert all(s.pickup_after > timedelta(minutes=60) for s in late)
    assert all(s.pickup_after < timedelta(minutes=60) for s in first if not s.late_pickup)


def test_ground_truth_counts_met_breached_and_still_open_clocks() -> None:
    deadline = MONDAY + timedelta(hours=1)
    assert classify(deadline, deadline, MONDAY) == Tally(met=1)
    assert classify(deadline + timedelta(seconds=1), deadline, MONDAY) == Tally(breached=1)
    assert classify(None, deadline, deadline) == Tally(breached=1)
    assert classify(None, deadline, deadline - timedelta(minutes=1)) == Tally()


def test_cancelled_and_refused_parcels_count_for_nothing() -> None:
    world = World.load(NETWORK_FILE)
    script = script_day(SimConfig(orders=1), world.choose_outlets(2, 1))[0]
    parcel = Parcel(script, state="cancelled", created_at=MONDAY)
    assert expected([parcel], MONDAY + timedelta(days=1))["pickup"] == Tally()
    parcel.state = "picked_up"
    assert expected([parcel], MONDAY + timedelta(days=1))["pickup"] == Tally(breached=1)


def test_a_late_platform_moves_the_day_to_the_next_morning() -> None:
    wall = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    clock = PlatformClock(480, MONDAY + timedelta(hours=5), wall, wall=lambda: wall)
    world, endpoints = World.load(NETWORK_FILE), Endpoints.from_env(sim_env())
    run = Run(SimConfig(), endpoints, clock, MONDAY, 40, world, say=lambda line: None)
    run._start_in_time()
    assert run.start == MONDAY + timedelta(days=1)
    on_time = Run(SimConfig(), endpoints, clock, MONDAY + timedelta(hours=4, minutes=30), 40, world)
    on_time._start_in_time()
    assert on_time.start == MONDAY + timedelta(hours=4, minutes=30)


def test_the_archive_ranks_partners_by_their_share() -> None:
    records = archive(partners(3))
    assert [r["customer_id"] for r in records] == ["bigmall", "techshop", "bookhouse"]
    revenues = [r["revenue_90d_cny"] for r in records]
    assert revenues == sorted(revenues, reverse=True)
    assert len(set(revenues)) == 3
    assert len({r["phones"][0] for r in records}) == 3  # caller ID tells them apart


def test_the_account_per_tier_follows_each_partners_tier() -> None:
    world = World.load(NETWORK_FILE)
    config = SimConfig(orders=40, partners=2)
    scripts = script_day(config, world.choose_outlets(4, 1))
    parcels = [Parcel(s, state="picked_up", created_at=MONDAY) for s in scripts]
    later = MONDAY + timedelta(days=1)
    by_tier = expected_by_tier(parcels, {"bigmall": "Q1", "techshop": "Q3"}, later)
    big = sum(1 for s in scripts if s.partner == "bigmall")
    assert 0 < big < len(scripts)
    assert by_tier["Q1"]["pickup"] == Tally(breached=big)
    assert by_tier["Q3"]["pickup"] == Tally(breached=len(scripts) - big)
    platform = {"Q1": {"pickup": Tally(met=1)}}
    assert since_by(platform, {"Q1": {"pickup": Tally()}})["Q1"]["pickup"] == Tally(met=1)
    assert measured_by({"pickup": {"rows": {"Q1": {"met": 2, "breached": 1}}}}) == {
        "Q1": {"pickup": Tally(2, 1), "outlet_delivery": Tally(), "promise": Tally()}
    }


def test_the_simulator_is_told_where_the_platform_is(monkeypatch: pytest.MonkeyPatch) -> None:
    given = sim_env(offset=100)
    for variable, value in given.items():
        monkeypatch.setenv(variable, value)
    args = parser().parse_args(["--sla-url", "http://sla.example"])  # a flag wins
    wanted = Endpoints.from_env(given | {"FAIRWIND_SIM_SLA_URL": "http://sla.example"})
    assert endpoints(args) == wanted
    assert World.load(args.network).hubs
    monkeypatch.delenv("FAIRWIND_SIM_ROUTING_TARGET")
    assert endpoints(parser().parse_args([])) is None


def test_the_summary_counts_notifys_messages_per_channel() -> None:
    page = "\n".join(
        [
            "# HELP fairwind_notify_decisions_total Messages decided on.",
            'fairwind_notify_decisions_total{action="send",channel="email",reason=""} 91.0',
            'fairwind_notify_decisions_total{action="sent",channel="email",reason=""} 88.0',
            'fairwind_notify_decisions_total{action="retry",channel="email",reason=""} 7.0',
            'fairwind_notify_decisions_total{action="failed",channel="email",reason=""} 1.0',
            'fairwind_notify_decisions_total{action="suppress",channel="email",'
            'reason="no_contact"} 4.0',
            'fairwind_notify_decisions_total{action="suppress",channel="email",'
            'reason="opted_out"} 2.0',
            'fairwind_notify_decisions_total{action="send",channel="sms",reason=""} 30.0',
            'fairwind_notify_decisions_total{action="defer",channel="sms",'
            'reason="quiet_hours"} 5.0',
            'fairwind_notify_decisions_total{action="park",channel="none",'
            'reason="before_its_order"} 3.0',
        ]
    )
    lines = notify_lines(page)
    assert lines[1] == "Messages (notify's own count):"
    email, sms = lines[2].split(), lines[3].split()
    assert email[:2] == ["email", "88"]  # sent
    assert (email[3], email[5], email[7]) == ("2", "1", "6")  # waiting, failed, decided against
    assert (sms[1], sms[3]) == ("0", "35")
    assert notify_lines("") == []
