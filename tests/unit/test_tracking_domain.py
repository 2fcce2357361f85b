"""Tracking rules: every transition, permutation invariance, deviations, ETA."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.tracking.domain.route import Plan, PlannedLeg, deviation, live_eta, plan_in_force
from services.tracking.domain.status import (
    Position,
    ScanEvent,
    Status,
    advance,
    cancelled,
    dispatched,
    ordered,
    scan_position,
)

T0 = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def scan(event: ScanEvent, minute: int, where: str = "hub", ident: str = "") -> Position:
    return scan_position(event, where, at(minute), ident or f"s{minute}")


# Every status a shipment can be in, reached by a realistic path, and what each scan does next.
JOURNEY = [
    ordered(at(0)),
    dispatched(at(1), 1),
    scan(ScanEvent.PICKED_UP, 30, "origin_outlet"),
    scan(ScanEvent.ARRIVED, 120),
    scan(ScanEvent.SORTED, 150),
    scan(ScanEvent.DEPARTED, 180),
    scan(ScanEvent.AT_DELIVERY_OUTLET, 900, "destination_outlet"),
    scan(ScanEvent.OUT_FOR_DELIVERY, 960, "destination_outlet"),
    scan(ScanEvent.DELIVERED, 1000, "destination_outlet"),
]


@pytest.mark.parametrize(("before", "after"), list(itertools.pairwise(JOURNEY)))
def test_each_step_of_the_journey_moves_forward(before: Position, after: Position) -> None:
    assert advance(before, after) == after


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(JOURNEY, 2)))
def test_a_late_scan_never_moves_the_status_backwards(first: Position, second: Position) -> None:
    # ``first`` comes before ``second`` in the journey; it may still arrive after it.
    assert advance(advance(JOURNEY[0], second), first) == second
    assert advance(advance(JOURNEY[0], first), second) == second


@pytest.mark.parametrize(
    ("event", "status", "substatus"),
    [
        (ScanEvent.ARRIVED, Status.IN_TRANSIT, "arrived"),
        (ScanEvent.SORTED, Status.IN_TRANSIT, "sorted"),
        (ScanEvent.DEPARTED, Status.IN_TRANSIT, "departed"),
        (ScanEvent.RETURNED, Status.RETURNED, ""),
    ],
)
def test_table_maps_scans_to_status_and_substatus(
    event: ScanEvent, status: Status, substatus: str
) -> None:
    position = scan(event, 5)
    assert (position.status, position.substatus) == (status, substatus)


def test_last_mile_side_states_alternate_by_time() -> None:
    out = scan(ScanEvent.OUT_FOR_DELIVERY, 600, "destination_outlet")
    failed = scan(ScanEvent.DELIVERY_FAILED, 650, "destination_outlet")
    again = scan(ScanEvent.OUT_FOR_DELIVERY, 1500, "destination_outlet")
    assert advance(advance(out, failed), again).status is Status.OUT_FOR_DELIVERY
    assert advance(out, failed).status is Status.DELIVERY_FAILED


def test_an_exception_ranks_with_where_it_happened() -> None:
    at_hub = scan(ScanEvent.EXCEPTION, 200, "hub")
    departed_later = scan(ScanEvent.DEPARTED, 300)
    assert advance(at_hub, departed_later).status is Status.IN_TRANSIT
    assert advance(scan(ScanEvent.ARRIVED, 100), at_hub).status is Status.EXCEPTION
    outlet = scan(ScanEvent.AT_DELIVERY_OUTLET, 900, "destination_outlet")
    assert advance(outlet, at_hub).status is Status.AT_DELIVERY_OUTLET  # an old hub exception


def test_cancellation_beats_everything_and_delivery_is_final() -> None:
    assert advance(scan(ScanEvent.PICKED_UP, 10), cancelled(at(5))).status is Status.CANCELLED
    delivered = scan(ScanEvent.DELIVERED, 1000, "destination_outlet")
    assert advance(delivered, scan(ScanEvent.OUT_FOR_DELIVERY, 2000)) == delivered


VALID_SEQUENCES = st.sampled_from(
    [
        JOURNEY[2:],
        [
            *JOURNEY[2:8],
            scan(ScanEvent.DELIVERY_FAILED, 980, "destination_outlet"),
            scan(ScanEvent.AVAILABLE_FOR_PICKUP, 990, "destination_outlet"),
        ],
        [*JOURNEY[2:5], scan(ScanEvent.EXCEPTION, 160), scan(ScanEvent.DEPARTED, 400, ident="d2")],
        [*JOURNEY[2:7], scan(ScanEvent.RETURNED, 3000, "destination_outlet")],
    ]
)


@settings(max_examples=300, deadline=None)
@given(sequence=VALID_SEQUENCES, data=st.data())
def test_any_arrival_order_ends_in_the_same_status_and_never_regresses(
    sequence: list[Position], data: st.DataObject
) -> None:
    expected = JOURNEY[0]
    for position in sequence:
        expected = advance(expected, position)
    shuffled = data.draw(st.permutations(sequence))
    current = JOURNEY[0]
    for position in shuffled:
        after = advance(current, position)
        assert after.key >= current.key  # never backwards
        current = after
    assert current == expected


LEGS = [
    PlannedLeg("SZX001", "HSZX", at(0), at(60)),
    PlannedLeg("HSZX", "HCAN", at(120), at(240)),
    PlannedLeg("HCAN", "BJS003", at(300), at(900)),
]


def test_a_scan_at_an_unplanned_hub_is_a_deviation() -> None:
    found = deviation(LEGS, ScanEvent.ARRIVED, "HWUH", True, at(250))
    assert found is not None
    assert (found.kind, found.location) == ("unplanned_hub", "HWUH")
    assert found.expected_location == "BJS003"
    assert deviation(LEGS, ScanEvent.ARRIVED, "HCAN", True, at(250)) is None
    assert deviation(LEGS, ScanEvent.ARRIVED, "XYZ001", False, at(250)) is None  # outlets


def test_a_departure_late_beyond_the_tolerance_is_a_deviation() -> None:
    assert deviation(LEGS, ScanEvent.DEPARTED, "HSZX", True, at(170)) is None  # 50 min late
    late = deviation(LEGS, ScanEvent.DEPARTED, "HSZX", True, at(200))
    assert late is not None
    assert late.kind == "late_departure"
    assert late.delay == timedelta(minutes=80)


def test_live_eta_carries_the_delay_forward() -> None:
    assert live_eta(LEGS, "HSZX", ScanEvent.ARRIVED, at(50)) == at(900)  # early: no change
    assert live_eta(LEGS, "HCAN", ScanEvent.ARRIVED, at(300)) == at(960)  # 60 min late
    assert live_eta(LEGS, "HCAN", ScanEvent.DEPARTED, at(330)) == at(930)
    assert live_eta([], "HCAN", ScanEvent.ARRIVED, at(300)) is None
    assert live_eta(LEGS, "HWUH", ScanEvent.ARRIVED, at(300)) is None  # off the route


def test_each_scan_is_judged_against_the_plan_in_force_when_it_was_made() -> None:
    first = Plan(1, at(-30), tuple(LEGS))
    replanned = Plan(2, at(250), (PlannedLeg("HWUH", "BJS003", at(300), at(420)),))
    plans = [replanned, first]  # in any order
    assert plan_in_force(plans, at(100)) == first
    assert plan_in_force(plans, at(250)) == replanned
    assert plan_in_force(plans, at(-60)) == first  # before any plan: the first
    assert plan_in_force([], at(100)) is None
    assert "HSZX" in first.places
    assert "HSZX" not in replanned.places
