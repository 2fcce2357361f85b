"""Churn risk of a key account, explainable (pure: no I/O, no clock).

Two kinds of evidence, each turned into a strength ``x`` in 0..1:

- **Volume decay** against the customer's own baseline: shipments over the last 7 and the
  last 14 complete days, against what the 90 days before those 14 predict for the same
  weekdays (a Monday is compared with the baseline's mean Monday, so a weekly rhythm is no
  decay). ``x`` is the larger relative shortfall of the two windows; a window the baseline
  predicts fewer than ``min_expected`` shipments for says nothing.
- **What the customer experienced** over the last 30 days: SLA breaches and failed
  deliveries as a share of its shipments, complaints filed, low survey scores.

The score is a logistic combination ``risk = 1 / (1 + exp(-(intercept + Σ wᵢ xᵢ)))``: with
nothing wrong it is 0.05, a volume halving alone 0.38, a week of breaches alone 0.38, both
0.88. It is a ranking of concern, not a calibrated probability (there is no churn history
to calibrate it against yet). Each evidence whose weighted strength reaches
``driver_floor`` is a driver, with a sentence saying what was seen; drivers are ordered by
their weight in the score.

Alerts: ``ChurnRiskRaised`` when the risk reaches ``threshold`` while the account is
armed; it is armed again only once the risk falls below ``rearm_below``, so a score that
hovers about the threshold raises one alert, not one per day.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class ChurnRules:
    short_days: int = 7
    recent_days: int = 14
    baseline_days: int = 90
    # Days of known history the baseline needs before decay counts.
    min_baseline_days: int = 28
    min_expected: float = 20.0
    experience_days: int = 30
    intercept: float = -3.0
    volume_weight: float = 5.0
    breach_weight: float = 2.5
    breach_rate_full: float = 0.10  # breached parcels / shipments that counts in full
    failed_weight: float = 1.0
    failed_rate_full: float = 0.05
    complaint_weight: float = 1.5
    complaints_full: int = 3
    satisfaction_weight: float = 1.5
    min_answers: int = 2
    driver_floor: float = 0.5
    threshold: float = 0.5
    rearm_below: float = 0.35


@dataclass(frozen=True, slots=True)
class History:
    """A customer's shipments per business day, and from which day that record is whole
    (days before ``known_from`` are unknown, not zero)."""

    daily: Mapping[date, float]
    known_from: date


@dataclass(frozen=True, slots=True)
class Experience:
    """What the customer's parcels went through over the experience window."""

    breaches: int = 0
    failed_deliveries: int = 0
    complaints: int = 0
    satisfaction: float | None = None  # mean survey score 1..5
    answers: int = 0


@dataclass(frozen=True, slots=True)
class Volume:
    actual: float
    expected: float
    days: int

    @property
    def decay(self) -> float:
        return _clip(1 - self.actual / self.expected) if self.expected else 0.0


@dataclass(frozen=True, slots=True)
class Driver:
    code: str
    contribution: float  # weight x strength, its share of the score's exponent
    reason: str


@dataclass(frozen=True, slots=True)
class ChurnScore:
    risk: float
    drivers: tuple[Driver, ...]

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.drivers]

    @property
    def reasons(self) -> list[str]:
        return [d.reason for d in self.drivers]


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def weekday_means(history: History, first: date, last: date) -> dict[int, float] | None:
    """Mean shipments per weekday over the known days of ``first..last`` (a weekday with
    no known day of its own gets the overall mean); None when no day is known."""
    sums = [0.0] * 7
    counts = [0] * 7
    day = max(first, history.known_from)
    while day <= last:
        sums[day.weekday()] += history.daily.get(day, 0.0)
        counts[day.weekday()] += 1
        day += timedelta(days=1)
    known = sum(counts)
    if not known:
        return None
    overall = sum(sums) / known
    return {w: sums[w] / counts[w] if counts[w] else overall for w in range(7)}


def volumes(history: History, today: date, rules: ChurnRules) -> list[Volume]:
    """The short and the recent window (complete days before ``today``) against the
    baseline before the recent window; empty when the baseline is too short."""
    recent_start = today - timedelta(days=rules.recent_days)
    baseline_start = recent_start - timedelta(days=rules.baseline_days)
    known = (recent_start - max(baseline_start, history.known_from)).days
    if known < rules.min_baseline_days:
        return []
    means = weekday_means(history, baseline_start, recent_start - timedelta(days=1))
    if means is None:
        return []
    found = []
    for days in (rules.short_days, rules.recent_days):
        window = [today - timedelta(days=n) for n in range(1, days + 1)]
        expected = sum(means[d.weekday()] for d in window)
        actual = sum(history.daily.get(d, 0.0) for d in window)
        found.append(Volume(actual, expected, days))
    return found


def shipments_between(history: History, first: date, last: date) -> float:
    return sum(v for d, v in history.daily.items() if first <= d <= last)


def score(
    history: History, experience: Experience, today: date, rules: ChurnRules = ChurnRules()
) -> ChurnScore:
    drivers: list[Driver] = []
    counted = [v for v in volumes(history, today, rules) if v.expected >= rules.min_expected]
    if counted:
        worst = max(counted, key=lambda v: v.decay)
        drivers.append(
            Driver(
                "VOLUME_DROP",
                rules.volume_weight * worst.decay,
                f"Volume down {worst.decay:.0%} over the last {worst.days} days against its "
                f"own weekday baseline ({worst.actual:.0f} shipments, {worst.expected:.0f} "
                "expected).",
            )
        )
    shipped = (
        shipments_between(history, today - timedelta(days=rules.experience_days), today) or 1.0
    )
    window = f"the last {rules.experience_days} days"
    if experience.breaches:
        rate = experience.breaches / max(shipped, experience.breaches)
        drivers.append(
            Driver(
                "SLA_BREACHES",
                rules.breach_weight * _clip(rate / rules.breach_rate_full),
                f"{experience.breaches} SLA breaches over {window} ({rate:.0%} of its shipments).",
            )
        )
    if experience.failed_deliveries:
        rate = experience.failed_deliveries / max(shipped, experience.failed_deliveries)
        drivers.append(
            Driver(
                "FAILED_DELIVERIES",
                rules.failed_weight * _clip(rate / rules.failed_rate_full),
                f"{experience.failed_deliveries} failed deliveries or exceptions over "
                f"{window} ({rate:.0%} of its shipments).",
            )
        )
    if experience.complaints:
        drivers.append(
            Driver(
                "COMPLAINTS",
                rules.complaint_weight * _clip(experience.complaints / rules.complaints_full),
                f"{experience.complaints} complaints filed over {window}.",
            )
        )
    if experience.satisfaction is not None and experience.answers >= rules.min_answers:
        drivers.append(
            Driver(
                "LOW_SATISFACTION",
                rules.satisfaction_weight * _clip((4.0 - experience.satisfaction) / 2.0),
                f"Mean survey score {experience.satisfaction:.1f} of 5 from "
                f"{experience.answers} answers.",
            )
        )
    exponent = rules.intercept + sum(d.contribution for d in drivers)
    shown = sorted(
        (d for d in drivers if d.contribution >= rules.driver_floor),
        key=lambda d: -d.contribution,
    )
    return ChurnScore(1 / (1 + math.exp(-exponent)), tuple(shown))


@dataclass(frozen=True, slots=True)
class Alerting:
    raise_alert: bool
    armed: bool


def alerting(risk: float, armed: bool, rules: ChurnRules = ChurnRules()) -> Alerting:
    """Whether this score raises an alert, and whether the account stays armed."""
    if armed and risk >= rules.threshold:
        return Alerting(True, False)
    return Alerting(False, armed or risk < rules.rearm_below)


def history_of(
    buckets: Mapping[date, float],
    first_seen: date,
    imported: tuple[float, date] | None = None,
    window_days: int = 90,
) -> History:
    """A customer's daily shipments: its live buckets, plus an imported 90-day total
    ``(shipments, as_of)`` spread evenly over the 90 days before ``as_of`` (the same
    reading the ranking gives it). The record is whole from the first day either covers."""
    daily = dict(buckets)
    known_from = first_seen
    if imported is not None:
        shipments, as_of = imported
        start = as_of - timedelta(days=window_days)
        for n in range(window_days):
            day = start + timedelta(days=n)
            daily[day] = daily.get(day, 0.0) + shipments / window_days
        known_from = min(known_from, start)
    return History(daily, known_from)
