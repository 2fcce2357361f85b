"""The churn score's rules: weekday baselines, the two windows, experience, hysteresis."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.crm.domain.churn import (
    ChurnRules,
    Experience,
    History,
    alerting,
    history_of,
    score,
    volumes,
)

TODAY = date(2026, 6, 1)  # a Monday
RULES = ChurnRules()


def history(
    rate: float, days: int = 120, *, weekend: float = 1.0, last: dict[int, float] | None = None
) -> History:
    """``rate`` shipments a weekday (``weekend`` times that on Saturday and Sunday) for
    ``days`` days before today; ``last``: the rate of the n-th day before today instead."""
    daily = {}
    for n in range(1, days + 1):
        day = TODAY - timedelta(days=n)
        daily[day] = rate * (weekend if day.weekday() >= 5 else 1.0)
    for n, value in (last or {}).items():
        daily[TODAY - timedelta(days=n)] = value
    return History(daily, TODAY - timedelta(days=days))


def test_a_steady_customer_scores_low_with_no_drivers() -> None:
    result = score(history(20), Experience(), TODAY)
    assert result.risk == pytest.approx(0.0474, abs=1e-3)
    assert result.drivers == ()


def test_a_weekly_rhythm_is_no_decay() -> None:
    shaped = history(30, weekend=0.2)
    assert all(v.decay == pytest.approx(0) for v in volumes(shaped, TODAY, RULES))
    assert score(shaped, Experience(), TODAY).drivers == ()


def test_a_halved_volume_alone_is_a_driver_but_not_an_alert() -> None:
    halved = history(20, last=dict.fromkeys(range(1, 15), 10))
    result = score(halved, Experience(), TODAY)
    assert result.codes == ["VOLUME_DROP"]
    assert result.risk == pytest.approx(1 / (1 + 2.718281828**0.5), abs=1e-3)
    assert result.risk < RULES.threshold
    assert "down 50%" in result.reasons[0]
    assert "70 shipments, 140 expected" in result.reasons[0]


def test_the_short_window_sees_a_fresh_drop_first() -> None:
    fresh = history(20, last=dict.fromkeys(range(1, 8), 8))  # the last week at 40 %
    short, recent = volumes(fresh, TODAY, RULES)
    assert short.decay == pytest.approx(0.6)
    assert recent.decay == pytest.approx(0.3)
    assert "last 7 days" in score(fresh, Experience(), TODAY).reasons[0]


def test_breaches_and_a_quarter_less_volume_raise_together() -> None:
    dipping = history(20, last=dict.fromkeys(range(1, 8), 15))
    week_of_breaches = Experience(breaches=60)  # of about 580 shipments in 30 days
    alone = score(dipping, Experience(), TODAY)
    both = score(dipping, week_of_breaches, TODAY)
    assert alone.risk < RULES.threshold <= both.risk
    assert both.codes == ["SLA_BREACHES", "VOLUME_DROP"]
    assert "60 SLA breaches" in both.reasons[0]


def test_too_short_a_baseline_says_nothing_about_volume() -> None:
    new = history(20, days=40, last=dict.fromkeys(range(1, 15), 0))  # 26 baseline days
    assert volumes(new, TODAY, RULES) == []
    assert score(new, Experience(), TODAY).drivers == ()


def test_a_small_customer_has_too_few_expected_shipments_to_judge() -> None:
    tiny = history(1, last=dict.fromkeys(range(1, 15), 0))  # 14 expected at most
    assert score(tiny, Experience(), TODAY).drivers == ()


def test_experience_drivers_and_their_order() -> None:
    result = score(
        history(10),
        Experience(failed_deliveries=30, complaints=3, satisfaction=2.0, answers=4),
        TODAY,
    )
    assert result.codes == ["COMPLAINTS", "LOW_SATISFACTION", "FAILED_DELIVERIES"]
    assert result.risk == pytest.approx(1 / (1 + 2.718281828**-1.0), abs=1e-3)


def test_one_survey_answer_is_not_enough_to_count() -> None:
    assert score(history(10), Experience(satisfaction=1.0, answers=1), TODAY).drivers == ()


def test_imported_history_is_spread_over_the_ninety_days_before_the_import() -> None:
    as_of = TODAY - timedelta(days=10)
    made = history_of({TODAY - timedelta(days=1): 5.0}, TODAY - timedelta(days=10), (900, as_of))
    assert made.known_from == as_of - timedelta(days=90)
    assert made.daily[as_of - timedelta(days=1)] == pytest.approx(10)
    assert made.daily[as_of - timedelta(days=90)] == pytest.approx(10)
    assert as_of not in made.daily
    assert made.daily[TODAY - timedelta(days=1)] == 5.0


def test_an_alert_is_raised_once_until_the_risk_falls_back() -> None:
    first = alerting(0.6, armed=True)
    assert first.raise_alert
    assert not first.armed
    assert not alerting(0.7, armed=False).raise_alert
    hovering = alerting(0.4, armed=False)
    assert not hovering.raise_alert
    assert not hovering.armed
    assert alerting(0.3, armed=False).armed
    assert not alerting(0.3, armed=True).raise_alert
