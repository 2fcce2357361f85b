"""The five-interval classification, revenue windows and phone numbers (no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.crm.domain import phones
from services.crm.domain.classification import (
    WINDOW_DAYS,
    Baseline,
    Bucket,
    DayDelta,
    Totals,
    aged,
    business_day,
    counts_by_tier,
    day_deltas,
    fen,
    fen_of_money,
    quintile,
    rank,
    reversal,
    standing,
    tier_changes,
    trailing,
    window_start,
)

TODAY = date(2026, 11, 26)


def tiers(n: int) -> list[str]:
    ranking = rank({f"c{i:02d}": 1000 * (n - i) for i in range(n)})
    return [r.tier for r in ranking]


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, ["Q1"]),
        (2, ["Q1", "Q3"]),
        (3, ["Q1", "Q2", "Q4"]),
        (5, ["Q1", "Q2", "Q3", "Q4", "Q5"]),
        (7, ["Q1", "Q1", "Q2", "Q3", "Q3", "Q4", "Q5"]),
        (10, ["Q1", "Q1", "Q2", "Q2", "Q3", "Q3", "Q4", "Q4", "Q5", "Q5"]),
    ],
)
def test_quintile_split_follows_floor_rank_times_five_over_n(n: int, expected: list[str]) -> None:
    assert tiers(n) == expected


def test_quintiles_are_equal_groups_for_multiples_of_five_and_never_skip_q1() -> None:
    assert counts_by_tier(rank({f"c{i}": i for i in range(100)})) == dict.fromkeys(
        ["Q1", "Q2", "Q3", "Q4", "Q5"], 20
    )
    for n in range(1, 40):
        assert quintile(0, n) == "Q1"
        if n >= 5:  # every tier used, sizes differ by at most one
            sizes = counts_by_tier(rank({f"c{i}": i for i in range(n)})).values()
            assert min(sizes) >= 1
            assert max(sizes) - min(sizes) <= 1
            assert quintile(n - 1, n) == "Q5"
    with pytest.raises(ValueError, match="outside"):
        quintile(3, 3)


def test_ranking_is_by_revenue_highest_first_and_key_account_is_q1() -> None:
    ranking = rank({"small": 10, "big": 900, "mid": 300, "tiny": 1, "large": 500})
    assert [(r.customer_id, r.rank, r.tier) for r in ranking] == [
        ("big", 1, "Q1"),
        ("large", 2, "Q2"),
        ("mid", 3, "Q3"),
        ("small", 4, "Q4"),
        ("tiny", 5, "Q5"),
    ]
    assert [r.key_account for r in ranking] == [True, False, False, False, False]


def test_ties_are_broken_by_customer_id_whatever_the_input_order() -> None:
    first = rank({"b": 100, "a": 100, "c": 100, "z": 200})
    second = rank(dict(reversed(list({"b": 100, "a": 100, "c": 100, "z": 200}.items()))))
    assert [r.customer_id for r in first] == ["z", "a", "b", "c"]
    assert first == second


def test_equal_revenue_gets_an_equal_tier_and_no_revenue_is_q5() -> None:
    ranking = rank({"a": 500, "b": 400, "c": 400, "d": 400, "e": 100, "f": 0, "g": 0})
    assert [(r.customer_id, r.rank, r.tier) for r in ranking] == [
        ("a", 1, "Q1"),
        ("b", 2, "Q1"),  # position 2 of 7 alone would be Q1, and its equals follow it
        ("c", 3, "Q1"),
        ("d", 4, "Q1"),
        ("e", 5, "Q3"),
        ("f", 6, "Q5"),
        ("g", 7, "Q5"),
    ]
    assert {r.tier for r in rank({"x": 0, "y": 0})} == {"Q5"}  # never a key account


def test_tier_changes_include_first_tiers_and_skip_unchanged() -> None:
    ranking = rank({"a": 300, "b": 200, "c": 100})  # Q1, Q2, Q4
    changes = tier_changes(ranking, {"a": "Q1", "b": "Q3", "c": None})
    assert [(c.ranked.customer_id, c.previous, c.ranked.tier) for c in changes] == [
        ("b", "Q3", "Q2"),
        ("c", None, "Q4"),
    ]


def test_trailing_window_is_today_and_the_89_days_before() -> None:
    assert window_start(TODAY) == TODAY - timedelta(days=WINDOW_DAYS - 1)
    buckets = [
        Bucket(TODAY, 100, 1),
        Bucket(TODAY - timedelta(days=89), 20, 1),  # first day of the window
        Bucket(TODAY - timedelta(days=90), 5000, 7),  # just left it
        Bucket(TODAY - timedelta(days=30), -40, -1),  # a cancellation
    ]
    assert trailing(buckets, TODAY) == Totals(80, 1)
    assert trailing(buckets, TODAY + timedelta(days=1)) == Totals(60, 0)


def test_business_day_is_the_utc_date() -> None:
    beijing = timezone(timedelta(hours=8))
    assert business_day(datetime(2026, 11, 26, 7, 30, tzinfo=beijing)) == date(2026, 11, 25)
    assert business_day(datetime(2026, 11, 26, 23, 59, tzinfo=UTC)) == date(2026, 11, 26)


def test_imported_history_ages_out_of_the_window_a_ninetieth_a_day() -> None:
    base = Baseline(revenue_fen=9_000_00, shipments=900, as_of=TODAY)
    assert aged(base, TODAY) == Totals(9_000_00, 900)
    assert aged(base, TODAY - timedelta(days=3)) == Totals(9_000_00, 900)  # clock before import
    assert aged(base, TODAY + timedelta(days=30)) == Totals(6_000_00, 600)
    assert aged(base, TODAY + timedelta(days=89)) == Totals(100_00, 10)
    assert aged(base, TODAY + timedelta(days=90)) == Totals(0, 0)
    assert aged(None, TODAY) == Totals()
    assert standing(base, Totals(50, 2), TODAY) == Totals(9_000_50, 902)


def test_cancellation_reverses_the_order_in_its_own_day_once() -> None:
    created = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    back = reversal(counted=True, already_cancelled=False, created=created, revenue_fen=1250)
    assert back is not None
    assert (back.day, back.revenue_fen, back.shipments) == (date(2026, 11, 20), -1250, -1)
    assert reversal(True, True, created, 1250) is None  # cancelled twice
    assert reversal(False, False, created, 1250) is None  # never counted
    buckets = [Bucket(back.day, 1250, 1), Bucket(back.day, back.revenue_fen, back.shipments)]
    assert trailing(buckets, TODAY) == Totals(0, 0)


def test_money_is_whole_fen_rounded_half_up() -> None:
    assert fen(123456.0) == 12_345_600
    assert fen("12.345") == 1235
    assert fen(0.1 + 0.2) == 30
    assert fen_of_money(12, 500_000_000) == 1250
    assert fen_of_money(0, 4_999_999) == 0
    assert Totals(0, 90).orders_per_week == pytest.approx(7.0)


def wide(ascii_text: str) -> str:
    """The full-width form (U+FF01..U+FF5E) of printable ASCII; spaces stay."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in ascii_text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+86 138-0013-8000", "+8613800138000"),
        ("13800138000", "+8613800138000"),
        ("138 0013 8000", "+8613800138000"),
        ("8613800138000", "+8613800138000"),
        ("0086 13800138000", "+8613800138000"),
        ("0755-8888 1234", "+8675588881234"),
        ("(010) 6552-9988", "+861065529988"),
        ("+1 (415) 555-0100", "+14155550100"),
        (wide("138 0013 8000"), "+8613800138000"),  # full-width, as a Chinese IME types it
        (wide("+86") + "\u3000" + wide("13800138000"), "+8613800138000"),
        ("+86 (0)755 8888 1234", "+8675588881234"),  # trunk 0 written in parentheses
        ("(0)755-8888-1234", "+8675588881234"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw: str, expected: str) -> None:
    assert phones.normalise(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "+86 138",
        "+1234567890123456",
        "138-0013-800x",
        # Arabic-Indic digits: str.isdigit() is true, but they are no E.164 number
        "+" + "".join(chr(0x0660 + int(d)) for d in "8613800138000"),
    ],
)
def test_bad_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="phone"):
        phones.normalise(raw)
    assert phones.try_normalise(raw) is None


def test_national_numbers_take_the_configured_country_code() -> None:
    assert phones.normalise("0412 345 678", country_code="61") == "+61412345678"


def test_day_deltas_sum_a_batch_per_customer_and_day() -> None:
    yesterday = TODAY - timedelta(days=1)
    counted = [("a", TODAY, 100), ("b", TODAY, 5), ("a", TODAY, 50), ("a", yesterday, 7)]
    assert sorted(day_deltas(counted), key=lambda d: (d.customer_id, d.day)) == [
        DayDelta("a", yesterday, 7, 1),
        DayDelta("a", TODAY, 150, 2),
        DayDelta("b", TODAY, 5, 1),
    ]
    assert day_deltas([]) == []
