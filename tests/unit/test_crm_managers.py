"""Account managers without I/O: the balanced assignment of key accounts, due visits, the
managers import's checks and the activity body's rules."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from services.crm.accounts.activities import ActivityIn
from services.crm.accounts.importing import BadManagers, parse_managers
from services.crm.accounts.managers import ManagerPatch, patch_changes
from services.crm.domain.assignment import Account, ManagerSlot, Placement, assign, changed
from services.crm.domain.visits import VisitState, due_visits

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def key(
    customer_id: str, revenue: int, manager: str | None = None, pinned: bool = False
) -> Account:
    return Account(customer_id, revenue, manager, pinned)


def slots(*ids: str, capacity: int | None = None) -> list[ManagerSlot]:
    return [ManagerSlot(i, capacity) for i in ids]


def managers_of(placements: dict[str, Placement]) -> dict[str, str | None]:
    return {cid: p.manager_id for cid, p in placements.items()}


def loads(placements: dict[str, Placement], accounts: Iterable[Account]) -> dict[str, int]:
    revenue = {a.customer_id: a.revenue_fen for a in accounts}
    totals: dict[str, int] = {}
    for p in placements.values():
        if p.manager_id:
            totals[p.manager_id] = totals.get(p.manager_id, 0) + revenue[p.customer_id]
    return totals


def reapplied(placements: dict[str, Placement], accounts: list[Account]) -> list[Account]:
    """The accounts as they are once the placements are written."""
    return [
        Account(
            a.customer_id,
            a.revenue_fen,
            placements[a.customer_id].manager_id,
            placements[a.customer_id].pinned,
            a.key_account,
        )
        for a in accounts
    ]


def test_new_key_accounts_go_largest_first_to_the_least_loaded_manager() -> None:
    accounts = [key("a", 900), key("b", 500), key("c", 400), key("d", 300), key("e", 100)]
    placed = assign(accounts, slots("m1", "m2"))
    # a -> m1 (tie by id); b -> m2; c -> m2 (500 < 900); d -> m1 (900 vs 900: id); e -> m2
    assert managers_of(placed) == {"a": "m1", "b": "m2", "c": "m2", "d": "m1", "e": "m2"}
    assert loads(placed, accounts) == {"m1": 1200, "m2": 1000}
    assert {p.reason for p in placed.values()} == {"new"}


def test_the_same_figures_again_move_nobody() -> None:
    accounts = [key(f"c{i:02d}", 1000 + 37 * i) for i in range(30)]
    first = assign(accounts, slots("m1", "m2", "m3"))
    again = assign(reapplied(first, accounts), slots("m1", "m2", "m3"))
    assert managers_of(again) == managers_of(first)
    assert {p.reason for p in again.values()} == {"kept"}
    assert changed(again.values(), {a.customer_id: a for a in reapplied(first, accounts)}) == []


def test_a_moderate_imbalance_is_tolerated_for_stability() -> None:
    # m1 holds 850, m2 650: mean 750, m1 is 13 % over (under the 25 % line).
    accounts = [key("a", 700, "m1"), key("b", 150, "m1"), key("c", 650, "m2")]
    placed = assign(accounts, slots("m1", "m2"))
    assert managers_of(placed) == {"a": "m1", "b": "m1", "c": "m2"}
    # With a 10 % tolerance the same split is badly off: m1's smallest account moves.
    tight = assign(accounts, slots("m1", "m2"), tolerance_pct=10)
    assert managers_of(tight) == {"a": "m1", "b": "m2", "c": "m2"}
    assert tight["b"].reason == "rebalanced"


def test_a_move_that_would_only_turn_the_imbalance_around_is_not_made() -> None:
    # m1 1200, m2 800, line 1100 at 10 %: moving b (500) would leave m2 at 1300.
    accounts = [key("a", 700, "m1"), key("b", 500, "m1"), key("c", 800, "m2")]
    placed = assign(accounts, slots("m1", "m2"), tolerance_pct=10)
    assert managers_of(placed) == {"a": "m1", "b": "m1", "c": "m2"}


def test_badly_off_moves_the_smallest_accounts_needed_only() -> None:
    # A new manager m3 joins two loaded ones (1500, 1300): mean 933, line 1166.
    accounts = [
        key("big1", 1000, "m1"),
        key("s1", 200, "m1"),
        key("s2", 100, "m1"),
        key("s3", 200, "m1"),
        key("big2", 1000, "m2"),
        key("t1", 300, "m2"),
    ]
    placed = assign(accounts, slots("m1", "m2", "m3"))
    moved = {cid for cid, p in placed.items() if p.reason == "rebalanced"}
    assert moved == {"s2", "s1", "s3", "t1"}  # the big relationships stay
    assert placed["big1"].manager_id == "m1"
    assert placed["big2"].manager_id == "m2"
    assert loads(placed, accounts) == {"m1": 1000, "m2": 1000, "m3": 800}
    assert all(placed[c].manager_id == "m3" for c in moved)


def test_one_dominant_account_does_not_make_everyone_move_forever() -> None:
    accounts = [key("huge", 10_000, "m1"), key("x", 100, "m2"), key("y", 100, "m2")]
    placed = assign(accounts, slots("m1", "m2"))
    assert managers_of(placed) == {"huge": "m1", "x": "m2", "y": "m2"}


def test_pins_hold_beyond_balance_and_capacity() -> None:
    accounts = [key("a", 5000, "m1", pinned=True), key("b", 4000, "m1", pinned=True)]
    placed = assign([*accounts, key("c", 10)], slots("m1", "m2", capacity=1))
    assert (placed["a"].manager_id, placed["a"].pinned, placed["a"].reason) == (
        "m1",
        True,
        "pinned",
    )
    assert (placed["b"].manager_id, placed["b"].pinned) == ("m1", True)
    assert placed["c"].manager_id == "m2"


def test_a_pin_to_an_inactive_manager_is_void() -> None:
    placed = assign([key("a", 500, "gone", pinned=True)], slots("m1"))
    assert (placed["a"].manager_id, placed["a"].pinned, placed["a"].reason) == ("m1", False, "new")


def test_capacity_sends_the_smallest_accounts_elsewhere_and_may_leave_some_unassigned() -> None:
    accounts = [key("a", 300, "m1"), key("b", 200, "m1"), key("c", 100, "m1")]
    placed = assign(accounts, [ManagerSlot("m1", 2), ManagerSlot("m2", 0)])
    assert managers_of(placed) == {"a": "m1", "b": "m1", "c": None}
    assert placed["c"].reason == "no_manager"
    roomy = assign(accounts, [ManagerSlot("m1", 2), ManagerSlot("m2", None)])
    assert (roomy["c"].manager_id, roomy["c"].reason) == ("m2", "capacity")


def test_no_active_managers_assigns_nobody() -> None:
    accounts = [key("a", 300, "m1"), key("b", 200), key("c", 100, "m2", pinned=True)]
    placed = assign(accounts, [])
    assert managers_of(placed) == {"a": None, "b": None, "c": None}
    assert not any(p.pinned for p in placed.values())


def test_leaving_q1_drops_an_automatic_manager_but_keeps_a_pinned_one() -> None:
    accounts = [
        Account("auto", 100, "m1", False, key_account=False),
        Account("pinned", 100, "m1", True, key_account=False),
        key("stays", 900, "m1"),
        key("other", 900, "m2"),
    ]
    placed = assign(accounts, slots("m1", "m2"))
    assert (placed["auto"].manager_id, placed["auto"].reason) == (None, "left_key_accounts")
    assert (placed["pinned"].manager_id, placed["pinned"].pinned) == ("m1", True)
    assert placed["stays"].manager_id == "m1"


def test_changed_lists_only_what_differs() -> None:
    current = {"a": key("a", 1, "m1"), "b": key("b", 1, "m1")}
    placements = [Placement("a", "m1", False, "kept"), Placement("b", "m1", True, "pinned")]
    assert [p.customer_id for p in changed(placements, current)] == ["b"]


def test_due_visits_never_visited_first_then_most_overdue() -> None:
    states = [
        VisitState("fresh", 500, NOW - timedelta(days=3)),
        VisitState("late", 100, NOW - timedelta(days=40)),
        VisitState("later", 100, NOW - timedelta(days=45, hours=1)),
        VisitState("exact", 100, NOW - timedelta(days=30)),  # not older than 30 days
        VisitState("never_small", 10, None),
        VisitState("never_big", 900, None),
    ]
    due = due_visits(states, NOW, 30)
    assert [d.customer_id for d in due] == ["never_big", "never_small", "later", "late"]
    assert [d.days_overdue for d in due] == [None, None, 15, 10]
    assert due[2].due_since == NOW - timedelta(days=15, hours=1)


def manager_line(**fields: object) -> str:
    spec = {"id": "m.li", "name": "李敏", "email": "li@fw.example", "phone": "138 0013 8000"}
    return json.dumps(spec | fields, ensure_ascii=False)


def test_managers_import_normalises_and_refuses_the_first_bad_line() -> None:
    parsed = parse_managers([manager_line(capacity=5), "\n"], "86", 10, 4096)
    assert parsed == [
        {
            "_id": "m.li",
            "name": "李敏",
            "email": "li@fw.example",
            "phone": "+8613800138000",
            "capacity": 5,
            "active": True,
        }
    ]
    for bad, message in (
        (manager_line(phone="12"), "phone"),
        (manager_line(id="m.li"), "already on line 1"),
        (manager_line(capacity=-1), "capacity"),
        (manager_line(boss=True), "boss"),
        ("{", "not JSON"),
    ):
        with pytest.raises(BadManagers, match=message) as caught:
            parse_managers([manager_line(), bad], "86", 10, 4096)
        assert "line 2" in str(caught.value)
    with pytest.raises(BadManagers, match="more than 1 managers"):
        parse_managers([manager_line(), manager_line(id="m.wang")], "86", 1, 4096)
    with pytest.raises(BadManagers, match="no managers"):
        parse_managers([""], "86", 10, 4096)


def test_a_patch_sets_only_what_was_sent_and_null_only_lifts_the_capacity() -> None:
    patch = ManagerPatch.model_validate({"capacity": None, "phone": "0755 8888 1234"})
    assert patch_changes(patch, "86") == {"capacity": None, "phone": "+8675588881234"}
    for body, message in (({}, "nothing to change"), ({"name": None}, "name must not be null")):
        with pytest.raises(ValueError, match=message):
            patch_changes(ManagerPatch.model_validate(body), "86")


def test_activity_surveys_belong_to_visits_and_times_carry_a_zone() -> None:
    visit = {"kind": "visit", "manager_id": "m.li", "summary": "季度回访"}
    assert ActivityIn.model_validate(visit | {"survey": {"score": 5, "recommend": 9}}).survey
    for bad in (
        visit | {"kind": "call", "survey": {"score": 4}},
        visit | {"survey": {"score": 6}},
        visit | {"survey": {"score": 3, "recommend": 11}},
        visit | {"at": "2026-11-26T09:00:00"},
        visit | {"kind": "lunch"},
        visit | {"summary": ""},
    ):
        with pytest.raises(ValidationError):
            ActivityIn.model_validate(bad)


@st.composite
def populations(draw: st.DrawFn) -> tuple[list[Account], list[ManagerSlot]]:
    ids = [f"m{i}" for i in range(draw(st.integers(0, 5)))]
    capacity = st.one_of(st.none(), st.integers(0, 6))
    managers = [ManagerSlot(i, draw(capacity)) for i in ids]
    holders = st.one_of(st.none(), st.sampled_from([*ids, "gone"]))
    accounts = [
        Account(f"c{n:02d}", draw(st.integers(1, 10_000)), draw(holders), draw(st.booleans()))
        for n in range(draw(st.integers(0, 25)))
    ]
    # A pin or a non-key account only with a manager, as stored.
    accounts = [
        Account(
            a.customer_id,
            a.revenue_fen,
            a.manager_id,
            a.pinned and a.manager_id is not None,
            a.manager_id is None or draw(st.booleans()),
        )
        for a in accounts
    ]
    return accounts, managers


@settings(max_examples=300, deadline=None)
@given(populations())
def test_any_population_is_placed_within_the_rules_and_stays_put(
    population: tuple[list[Account], list[ManagerSlot]],
) -> None:
    accounts, managers = population
    capacity = {m.manager_id: m.capacity for m in managers}
    placed = assign(accounts, managers)
    assert set(placed) == {a.customer_id for a in accounts}
    for a in accounts:
        p = placed[a.customer_id]
        assert p.manager_id is None or p.manager_id in capacity
        if a.pinned and a.manager_id in capacity:
            assert (p.manager_id, p.pinned) == (a.manager_id, True)
        if not a.key_account and not (a.pinned and a.manager_id in capacity):
            assert p.manager_id is None
    for manager_id, limit in capacity.items():
        mine = [p for p in placed.values() if p.manager_id == manager_id]
        pins = sum(1 for p in mine if p.pinned)
        assert limit is None or len(mine) <= max(limit, pins)
    again = assign(reapplied(placed, accounts), managers)
    assert managers_of(again) == managers_of(placed)
