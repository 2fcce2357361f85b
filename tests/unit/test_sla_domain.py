"""SLA clocks: met, at risk, breached by timer, late scan counted once, cancellation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from services.sla.domain import (
    Budgets,
    Outcome,
    Shipment,
    Sla,
    State,
    compliance,
    next_due,
    on_order,
    on_promise,
    on_status,
    tick,
)

T0 = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
BUDGETS = Budgets()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ordered(window_start: datetime | None = None, deliver_by: datetime | None = None) -> Shipment:
    shipment = Shipment(
        "FW1",
        origin_outlet="SZX001",
        destination_outlet="BJS003",
        origin_city="SZX",
        destination_city="BJS",
        level="next_day",
        tier="Q1",
    )
    on_order(shipment, T0, window_start, deliver_by, BUDGETS)
    return shipment


def kinds(outcomes: list[Outcome]) -> list[tuple[str, str]]:
    return [(o.kind, o.sla) for o in outcomes]


def test_pickup_within_the_hour_is_met() -> None:
    shipment = ordered()
    assert kinds(on_status(shipment, "picked_up", at(45), BUDGETS)) == [("met", "pickup")]
    assert tick(shipment, at(500)) == []


def test_pickup_clock_starts_at_a_later_window() -> None:
    shipment = ordered(window_start=at(180))
    assert shipment.clocks["pickup"].deadline == at(240)
    assert kinds(on_status(shipment, "picked_up", at(230), BUDGETS)) == [("met", "pickup")]


def test_at_risk_once_at_80_percent_then_breached_without_any_scan() -> None:
    shipment = ordered()
    assert tick(shipment, at(47)) == []
    assert kinds(tick(shipment, at(48))) == [("at_risk", "pickup")]
    assert tick(shipment, at(50)) == []  # warned once
    breached = tick(shipment, at(61))
    assert kinds(breached) == [("breached", "pickup")]
    assert breached[0].at == at(60)  # at the deadline, whenever the timer noticed


def test_a_late_scan_after_a_breach_is_not_counted_again() -> None:
    shipment = ordered()
    tick(shipment, at(70))
    assert on_status(shipment, "picked_up", at(75), BUDGETS) == []
    assert shipment.clocks["pickup"].state == State.BREACHED


def test_a_scan_in_time_but_read_after_the_timer_corrects_the_breach() -> None:
    shipment = ordered()
    tick(shipment, at(70))  # the timer ran ahead of a pickup scan still in flight
    corrected = on_status(shipment, "picked_up", at(55), BUDGETS)
    assert kinds(corrected) == [("unbreached", "pickup"), ("met", "pickup")]
    assert corrected[0].at == at(60)  # taken back from the hour the breach was counted in
    assert shipment.clocks["pickup"].state == State.MET
    assert on_status(shipment, "picked_up", at(55), BUDGETS) == []  # a redelivery: once


def test_a_late_scan_before_the_timer_noticed_is_a_breach() -> None:
    shipment = ordered()
    assert kinds(on_status(shipment, "picked_up", at(75), BUDGETS)) == [("breached", "pickup")]


def test_outlet_delivery_two_hours_from_arrival() -> None:
    shipment = ordered()
    on_status(shipment, "picked_up", at(30), BUDGETS)
    on_status(shipment, "at_delivery_outlet", at(900), BUDGETS)
    assert shipment.clocks["outlet_delivery"].deadline == at(1020)
    outcomes = on_status(shipment, "delivered", at(1000), BUDGETS)
    assert kinds(outcomes) == [("met", "outlet_delivery")]


def test_promise_is_kept_or_broken_by_delivery() -> None:
    kept = ordered(deliver_by=at(1440))
    on_status(kept, "picked_up", at(30), BUDGETS)
    on_status(kept, "at_delivery_outlet", at(1300), BUDGETS)
    assert ("met", "promise") in kinds(on_status(kept, "delivered", at(1400), BUDGETS))
    broken = ordered(deliver_by=at(1440))
    assert ("breached", "promise") in kinds(tick(broken, at(1441)))


def test_a_promise_made_later_opens_then_and_is_not_moved_by_a_replan() -> None:
    shipment = ordered()
    on_promise(shipment, T0, at(1440), BUDGETS)
    on_promise(shipment, T0, at(2880), BUDGETS)  # re-plan: the first promise stands
    assert shipment.clocks["promise"].deadline == at(1440)


def test_cancellation_closes_every_clock_without_counting() -> None:
    shipment = ordered(deliver_by=at(1440))
    on_status(shipment, "cancelled", at(10), BUDGETS)
    assert {c.state for c in shipment.clocks.values()} == {State.CANCELLED}
    assert tick(shipment, at(5000)) == []
    assert not any(c.counted for c in shipment.clocks.values())


def test_state_survives_a_round_trip_through_the_table() -> None:
    shipment = ordered(deliver_by=at(1440))
    tick(shipment, at(50))
    assert Shipment.from_dict(shipment.to_dict()) == shipment


def test_next_due_and_compliance() -> None:
    shipment = ordered()
    assert next_due(shipment) == at(48)
    tick(shipment, at(48))
    assert next_due(shipment) == at(60)
    assert compliance(9, 1) == 0.9
    assert compliance(0, 0) is None


def test_dimensions_follow_the_responsible_outlet() -> None:
    shipment = ordered()
    assert shipment.place("pickup") == ("SZX001", "SZX")
    assert shipment.place("outlet_delivery") == ("BJS003", "BJS")
    assert shipment.place("promise") == ("BJS003", "BJS")
    assert Shipment("FW2").place("pickup") == ("unknown", "unknown")


def test_budgets_per_level_and_remote() -> None:
    budgets = Budgets(
        remote_outlet_delivery_extra_min=60, by_level={"same_day": {"outlet_delivery": 90}}
    )
    assert budgets.minutes(Sla.OUTLET_DELIVERY, "same_day", False) == 90
    assert budgets.minutes(Sla.OUTLET_DELIVERY, "standard", True) == 180


def test_a_copy_changed_by_any_rule_leaves_the_original_as_it_was() -> None:
    """The agent changes a copy of the stored shipment; copies share clocks until one
    changes, so no rule may change a clock in place."""
    original = ordered(deliver_by=at(1440))
    on_status(original, "at_delivery_outlet", at(600), BUDGETS)
    before = original.to_dict()

    def unbreached(shipment: Shipment) -> None:
        tick(shipment, at(70))
        on_status(shipment, "picked_up", at(55), BUDGETS)

    changes: list[Callable[[Shipment], object]] = [
        lambda s: on_status(s, "picked_up", at(40), BUDGETS),
        lambda s: on_status(s, "delivered", at(650), BUDGETS),
        lambda s: on_status(s, "cancelled", at(10), BUDGETS),
        lambda s: tick(s, at(50)),  # at risk
        lambda s: tick(s, at(2000)),  # breached
        unbreached,
    ]
    for change in changes:
        copy = original.copy()
        change(copy)
        assert copy.to_dict() != before
        assert original.to_dict() == before
