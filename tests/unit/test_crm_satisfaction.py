"""The satisfaction part's pure rules: CSAT / NPS / mean score, grouping per tier, outlet
and SLA, the breach effect, revenue share, tier movements and CSV escaping. Every expected
figure below is worked out by hand in the comment beside it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.crm.domain.reports import (
    NEW,
    Moved,
    TierRevenue,
    direction,
    headline,
    movements,
    period_of,
    periods,
    revenue_share,
    top_count,
    weekly,
)
from services.crm.domain.satisfaction import (
    BREACHED,
    DELIVERY,
    MET,
    UNKNOWN,
    UNRANKED,
    VISIT,
    Answer,
    figures,
    joined,
    report,
    report_since,
    satisfaction_since,
    sla_of,
    source_of,
    standing,
)
from services.crm.sheets import cell, render


def delivery(
    score: int, recommend: int | None = None, sla: str = MET, outlet: str = "755A"
) -> Answer:
    return Answer(DELIVERY, score, recommend, "Q1", outlet, sla)


def test_csat_is_the_share_of_fours_and_fives_and_the_mean_is_of_all_scores() -> None:
    result = figures([delivery(s) for s in (5, 4, 3, 2, 5)])
    assert result.answers == 5
    assert result.csat_pct == pytest.approx(60.0)  # 3 of 5 are 4 or 5
    assert result.mean_score == pytest.approx(3.8)  # 19 / 5


def test_nps_counts_promoters_minus_detractors_among_those_who_answered_it() -> None:
    # 10, 9 promoters; 8 passive; 6, 0 detractors; None not asked: (2 - 2) / 5 = 0
    level = figures([delivery(5, r) for r in (10, 9, 8, 6, 0, None)])
    assert (level.nps, level.nps_answers) == (0.0, 5)
    assert (level.promoters, level.passives, level.detractors) == (2, 1, 2)
    # 10, 10 promoters, 7 passive, 3 detractor: (2 - 1) / 4 = +25 points
    assert figures([delivery(4, r) for r in (10, 10, 7, 3)]).nps == pytest.approx(25.0)
    # 6 is a detractor, 7 is not: -100 and 0
    assert figures([delivery(4, 6)]).nps == pytest.approx(-100.0)
    assert figures([delivery(4, 7)]).nps == pytest.approx(0.0)


def test_no_answers_give_no_figures_rather_than_zeros() -> None:
    empty = figures([])
    assert (empty.answers, empty.mean_score, empty.csat_pct, empty.nps) == (0, None, None, None)
    no_nps = figures([delivery(5)])
    assert (no_nps.csat_pct, no_nps.nps) == (100.0, None)


def test_a_grouped_row_counts_as_many_answers_as_its_count() -> None:
    grouped = figures([Answer(DELIVERY, 5, 10, "Q1", count=3), Answer(DELIVERY, 1, 0, "Q1")])
    single = figures([delivery(5, 10)] * 3 + [delivery(1, 0)])
    assert grouped == single
    assert grouped.mean_score == pytest.approx(4.0)  # (15 + 1) / 4
    assert grouped.nps == pytest.approx(50.0)  # (3 - 1) / 4


def test_met_minus_breached_is_the_effect_of_a_breach() -> None:
    met = [delivery(5, 10), delivery(5, 9), delivery(4, 8), delivery(2)]
    breached = [delivery(2, 3, BREACHED), delivery(3, 10, BREACHED), delivery(4, 6, BREACHED)]
    result = report([*met, *breached])
    # met: CSAT 3/4 = 75 %, mean 16/4 = 4.0, NPS (2 - 0) / 3 = 66.67
    # breached: CSAT 1/3 = 33.33 %, mean 9/3 = 3.0, NPS (1 - 2) / 3 = -33.33
    assert result.by_sla[MET].csat_pct == pytest.approx(75.0)
    assert result.by_sla[BREACHED].csat_pct == pytest.approx(100 / 3)
    assert result.breach_effect.csat_pct == pytest.approx(75 - 100 / 3)  # 41.67 points
    assert result.breach_effect.mean_score == pytest.approx(1.0)
    assert result.breach_effect.nps == pytest.approx(100.0)  # 66.67 - (-33.33)
    assert result.by_sla[UNKNOWN].answers == 0


def test_no_breached_answers_leave_the_effect_unknown() -> None:
    result = report([delivery(5), delivery(4)])
    effect = result.breach_effect
    assert (effect.mean_score, effect.csat_pct, effect.nps) == (None, None, None)


def test_the_outcome_decides_tier_outlet_and_sla_and_no_outcome_is_unknown() -> None:
    outcome = {"tier": "Q2", "outlet_code": "010B", "breached": True, "clocks": True}
    assert joined(DELIVERY, 3, 7, "Q1", outcome) == Answer(DELIVERY, 3, 7, "Q2", "010B", BREACHED)
    # No outcome yet: the customer's current tier, outlet and SLA unknown.
    assert joined(DELIVERY, 4, None, "Q3", None) == Answer(DELIVERY, 4, None, "Q3", None, UNKNOWN)
    # An outcome without the SLA event's tier falls back on the customer's tier too.
    untiered = {"tier": None, "outlet_code": "010B", "breached": False, "clocks": True}
    assert joined(DELIVERY, 4, None, "Q3", untiered).tier == "Q3"
    assert joined(DELIVERY, 4, None, "Q3", untiered).sla == MET


def test_sla_of_an_outcome() -> None:
    assert sla_of(None) == UNKNOWN
    assert sla_of({"breached": True, "clocks": {"promise": "breached"}}) == BREACHED
    assert sla_of({"breached": False, "clocks": {"pickup": "met"}}) == MET
    assert sla_of({"breached": False, "clocks": {}}) == UNKNOWN  # nothing decided yet
    assert sla_of({"breached": False, "clocks": False}) == UNKNOWN  # as the report projects it


def test_visit_surveys_count_under_tier_but_not_outlet_or_sla() -> None:
    outcome = {"tier": "Q5", "outlet_code": "010B", "breached": True, "clocks": True}
    visit = joined(VISIT, 2, 3, "Q1", outcome)  # an outcome never applies to a visit
    assert visit == Answer(VISIT, 2, 3, "Q1", None, UNKNOWN)
    result = report([visit, delivery(5, outlet="755A")])
    assert result.by_tier["Q1"].answers == 2
    assert result.by_source[VISIT].answers == 1
    assert list(result.by_outlet) == ["755A"]
    assert sum(f.answers for f in result.by_sla.values()) == 1
    assert result.overall.answers == 2


def test_groups_list_every_tier_and_outlets_sorted_with_unknown_last() -> None:
    answers = [
        Answer(DELIVERY, 5, None, "Q2", "755A", MET),
        Answer(DELIVERY, 1, None, None, None, UNKNOWN),
        Answer(DELIVERY, 3, None, "Q2", "010B", BREACHED),
    ]
    result = report(answers)
    assert list(result.by_tier) == ["Q1", "Q2", "Q3", "Q4", "Q5", UNRANKED]
    assert (result.by_tier["Q2"].answers, result.by_tier["Q1"].answers) == (2, 0)
    assert result.by_tier["Q2"].mean_score == pytest.approx(4.0)
    assert list(result.by_outlet) == ["010B", "755A", UNKNOWN]
    assert list(report([delivery(5)]).by_tier) == ["Q1", "Q2", "Q3", "Q4", "Q5"]


def test_the_source_of_a_survey_is_in_its_id() -> None:
    assert source_of("visit:acme:2026-11-26") == VISIT
    assert source_of("sv_FW000000000011") == DELIVERY


def test_a_customers_standing_and_when_it_next_changes() -> None:
    oldest = datetime(2026, 9, 1, 23, 30, tzinfo=UTC)
    kept = standing(13 / 3, 3, oldest)
    assert (kept.score_90d, kept.answers_90d) == (4.33, 3)
    # An answer of 1 September is in the window until 29 November (day + 89).
    assert kept.changes_at == datetime(2026, 11, 30, tzinfo=UTC)
    assert satisfaction_since(date(2026, 11, 29)) == datetime(2026, 9, 1, tzinfo=UTC)
    assert satisfaction_since(date(2026, 11, 30)) > oldest
    assert standing(None, 0, None) == standing(4.0, 0, oldest)
    assert standing(None, 0, None).changes_at is None


def test_a_report_window_is_of_whole_utc_days_ending_today() -> None:
    assert report_since(date(2026, 11, 26), 30) == datetime(2026, 10, 28, tzinfo=UTC)
    assert report_since(date(2026, 11, 26), 1) == datetime(2026, 11, 26, tzinfo=UTC)


def test_revenue_share_per_tier_and_the_top_fifth() -> None:
    by_tier = {
        "Q1": TierRevenue(2, 600_00),
        "Q2": TierRevenue(2, 250_00),
        "Q3": TierRevenue(2, 100_00),
        "Q5": TierRevenue(4, 50_00),
    }
    share = revenue_share(by_tier, top_revenue_fen=600_00)
    # 1,000.00 in all: 60 %, 25 %, 10 %, 0 %, 5 %; cumulative 60, 85, 95, 95, 100
    assert [r.tier for r in share.rows] == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert [r.share_pct for r in share.rows] == pytest.approx([60, 25, 10, 0, 5])
    assert [r.cumulative_pct for r in share.rows] == pytest.approx([60, 85, 95, 95, 100])
    assert [r.customers_pct for r in share.rows] == pytest.approx([20, 20, 20, 0, 40])
    assert (share.customers, share.revenue_fen, share.top_customers) == (10, 1000_00, 2)
    assert share.top_share_pct == pytest.approx(60.0)
    assert headline(share) == "top 20 % of customers (2 of 10, 20.0 %) make 60.0 % of revenue"


def test_revenue_share_without_revenue_has_no_shares() -> None:
    share = revenue_share({}, 0)
    assert share.top_share_pct is None
    assert all(r.share_pct is None for r in share.rows)
    assert headline(share) == "no ranked revenue yet"


@pytest.mark.parametrize(
    ("customers", "top"), [(0, 0), (1, 1), (3, 1), (7, 1), (8, 2), (10, 2), (12, 2), (13, 3)]
)
def test_the_top_fifth_is_n_over_five_rounded_half_up_and_at_least_one(
    customers: int, top: int
) -> None:
    assert top_count(customers) == top


def test_upgrades_go_towards_q1() -> None:
    assert direction("Q3", "Q1") == "upgrade"
    assert direction("Q1", "Q2") == "downgrade"
    assert direction(NEW, "Q1") is None


def test_periods_are_days_up_to_thirty_days_then_weeks_from_monday() -> None:
    assert (weekly(30), weekly(31)) == (False, True)
    thursday = date(2026, 11, 26)
    assert period_of(thursday, by_week=True) == date(2026, 11, 23)
    assert period_of(thursday, by_week=False) == thursday
    assert periods(date(2026, 11, 24), thursday, by_week=False) == [
        date(2026, 11, 24),
        date(2026, 11, 25),
        thursday,
    ]
    assert periods(date(2026, 11, 5), thursday, by_week=True) == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]


def test_tier_movements_per_period_with_net_movement_into_q1() -> None:
    since, today = date(2026, 11, 24), date(2026, 11, 26)
    moved = [
        Moved(date(2026, 11, 24), NEW, "Q1", 2),  # first tiers: neither up nor down
        Moved(date(2026, 11, 24), NEW, "Q5", 3),
        Moved(date(2026, 11, 26), "Q5", "Q1", 1),  # upgrade into Q1
        Moved(date(2026, 11, 26), "Q1", "Q3", 2),  # downgrade out of Q1
        Moved(date(2026, 11, 26), "Q4", "Q3", 1),  # upgrade
        Moved(date(2026, 11, 20), "Q4", "Q3", 9),  # before the window: not counted
    ]
    result = movements(moved, since, today, by_week=False)
    first, middle, last = result.periods
    assert (first.start, first.end, first.entered, first.net_into_q1) == (since, since, 5, 2)
    assert (middle.upgrades, middle.downgrades, middle.entered) == (0, 0, 0)
    assert (last.upgrades, last.downgrades, last.net_into_q1) == (2, 2, -1)  # 1 in, 2 out
    assert last.matrix["Q1"]["Q3"] == 2
    assert last.matrix["Q5"]["Q1"] == 1
    total = result.total
    assert (total.upgrades, total.downgrades, total.entered, total.net_into_q1) == (2, 2, 5, 1)
    assert total.matrix[NEW] == {"Q1": 2, "Q2": 0, "Q3": 0, "Q4": 0, "Q5": 3}


def test_weekly_movements_are_cut_to_the_window() -> None:
    since, today = date(2026, 10, 1), date(2026, 11, 26)  # a Thursday to a Thursday
    moved = [Moved(date(2026, 10, 2), "Q2", "Q1", 1), Moved(date(2026, 11, 23), "Q1", "Q2", 1)]
    result = movements(moved, since, today, by_week=True)
    assert (result.periods[0].start, result.periods[0].end) == (since, date(2026, 10, 4))
    assert (result.periods[-1].start, result.periods[-1].end) == (date(2026, 11, 23), today)
    assert result.periods[0].upgrades == 1
    assert result.periods[-1].downgrades == 1
    assert result.total.net_into_q1 == 0


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+8613800138000", "'+8613800138000"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("755A", "755A"),
        ("met-breached", "met-breached"),
        (None, ""),
        (True, "true"),
    ],
)
def test_text_cells_that_could_start_a_formula_are_made_text(value: object, written: str) -> None:
    assert cell(value) == written


def test_numbers_stay_numbers_even_when_negative() -> None:
    assert cell(-41.67) == -41.67
    assert cell(Decimal("-5.00")) == Decimal("-5.00")
    assert cell(0) == 0


def test_render_quotes_and_escapes_as_rfc_4180() -> None:
    text = render(["key", "n"], [["=cmd|' /C calc'!A0", -3], ['a,"b"\nc', 1.5]])
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text))) == [
        ["key", "n"],
        ["'=cmd|' /C calc'!A0", "-3"],
        ['a,"b"\nc', "1.5"],
    ]
