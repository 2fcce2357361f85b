"""Satisfaction figures from survey answers (pure: no I/O, no clock; ``today`` is passed in).

A survey is a delivery survey (notify's post-delivery survey, keyed by waybill) or a visit
survey (an account manager's, survey id ``visit:...``). Each answer has a score 1..5 and
may have ``recommend`` 0..10, the NPS question.

- CSAT: the share of scores 4 and 5 among the answers, in %.
- Mean score: the mean of the scores, 1..5.
- NPS: promoters (recommend 9..10) minus detractors (0..6), as % of the answers that have a
  ``recommend``, in points (-100..100); passives (7..8) count only in the denominator.

Grouping joins each delivery survey to its waybill's SLA outcome: the outcome's tier (else
the customer's current tier), its destination outlet, and met or breached (a waybill
without an outcome, or whose outcome has no clock decided yet, is "unknown"). Visit
surveys count under their customer's current tier but not under outlet or SLA. The effect
of a breach is met minus breached, per figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from services.crm.domain.classification import TIERS, WINDOW_DAYS, window_start

DELIVERY, VISIT = "delivery", "visit"
SOURCES = (DELIVERY, VISIT)
VISIT_PREFIX = "visit:"
MET, BREACHED, UNKNOWN = "met", "breached", "unknown"
SLA_SPLITS = (MET, BREACHED, UNKNOWN)
UNRANKED = "unranked"
SATISFIED_FROM = 4  # CSAT counts scores 4 and 5
PROMOTER_FROM, DETRACTOR_UPTO = 9, 6


def source_of(survey_id: str) -> str:
    return VISIT if survey_id.startswith(VISIT_PREFIX) else DELIVERY


def sla_of(outcome: Mapping[str, Any] | None) -> str:
    """met / breached / unknown for a waybill's outcome document (or None)."""
    if not outcome:
        return UNKNOWN
    if outcome.get("breached"):
        return BREACHED
    return MET if outcome.get("clocks") else UNKNOWN


@dataclass(frozen=True, slots=True)
class Answer:
    """One survey answer as the reports see it, ``count`` times (grouped rows)."""

    source: str
    score: int
    recommend: int | None
    tier: str | None
    outlet: str | None = None
    sla: str = UNKNOWN
    count: int = 1


def joined(
    source: str,
    score: int,
    recommend: int | None,
    customer_tier: str | None,
    outcome: Mapping[str, Any] | None,
    count: int = 1,
) -> Answer:
    """An answer with what its outcome says: tier (the outcome's, else the customer's
    current one), outlet and SLA. Visit surveys take the customer's tier and nothing else."""
    if source == VISIT:
        return Answer(VISIT, score, recommend, customer_tier, None, UNKNOWN, count)
    outcome = outcome or {}
    tier = outcome.get("tier") or customer_tier
    return Answer(
        DELIVERY, score, recommend, tier, outcome.get("outlet_code"), sla_of(outcome), count
    )


@dataclass(frozen=True, slots=True)
class Figures:
    """Exact figures of a group; None where the group has no answers to compute it from."""

    answers: int
    mean_score: float | None
    csat_pct: float | None
    nps: float | None
    nps_answers: int
    promoters: int
    passives: int
    detractors: int


@dataclass(slots=True)
class Tally:
    answers: int = 0
    score_sum: int = 0
    satisfied: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    def add(self, answer: Answer) -> None:
        n = answer.count
        self.answers += n
        self.score_sum += answer.score * n
        self.satisfied += n if answer.score >= SATISFIED_FROM else 0
        if answer.recommend is None:
            return
        if answer.recommend >= PROMOTER_FROM:
            self.promoters += n
        elif answer.recommend <= DETRACTOR_UPTO:
            self.detractors += n
        else:
            self.passives += n

    def figures(self) -> Figures:
        rated = self.promoters + self.passives + self.detractors
        return Figures(
            answers=self.answers,
            mean_score=self.score_sum / self.answers if self.answers else None,
            csat_pct=100 * self.satisfied / self.answers if self.answers else None,
            nps=100 * (self.promoters - self.detractors) / rated if rated else None,
            nps_answers=rated,
            promoters=self.promoters,
            passives=self.passives,
            detractors=self.detractors,
        )


def figures(answers: Iterable[Answer]) -> Figures:
    tally = Tally()
    for answer in answers:
        tally.add(answer)
    return tally.figures()


@dataclass(frozen=True, slots=True)
class Effect:
    """Met minus breached, per figure (None when either side has nothing to compare)."""

    mean_score: float | None
    csat_pct: float | None
    nps: float | None


def _minus(met: float | None, breached: float | None) -> float | None:
    return None if met is None or breached is None else met - breached


def breach_effect(met: Figures, breached: Figures) -> Effect:
    return Effect(
        _minus(met.mean_score, breached.mean_score),
        _minus(met.csat_pct, breached.csat_pct),
        _minus(met.nps, breached.nps),
    )


@dataclass(frozen=True)
class SatisfactionReport:
    overall: Figures
    by_source: dict[str, Figures]
    by_tier: dict[str, Figures]  # Q1..Q5 always, "unranked" when there are such answers
    by_outlet: dict[str, Figures]  # delivery surveys, by outlet code; "unknown" last
    by_sla: dict[str, Figures]  # delivery surveys: met, breached, unknown
    breach_effect: Effect


@dataclass
class _Groups:
    overall: Tally = field(default_factory=Tally)
    source: dict[str, Tally] = field(default_factory=dict)
    tier: dict[str, Tally] = field(default_factory=dict)
    outlet: dict[str, Tally] = field(default_factory=dict)
    sla: dict[str, Tally] = field(default_factory=dict)


def report(answers: Iterable[Answer]) -> SatisfactionReport:
    groups = _Groups()
    for answer in answers:
        groups.overall.add(answer)
        groups.source.setdefault(answer.source, Tally()).add(answer)
        groups.tier.setdefault(answer.tier or UNRANKED, Tally()).add(answer)
        if answer.source == DELIVERY:
            groups.outlet.setdefault(answer.outlet or UNKNOWN, Tally()).add(answer)
            groups.sla.setdefault(answer.sla, Tally()).add(answer)
    tiers = [*TIERS, *([UNRANKED] if UNRANKED in groups.tier else [])]
    outlets = sorted(groups.outlet, key=lambda code: (code == UNKNOWN, code))
    by_sla = {split: groups.sla.get(split, Tally()).figures() for split in SLA_SPLITS}
    return SatisfactionReport(
        overall=groups.overall.figures(),
        by_source={s: groups.source.get(s, Tally()).figures() for s in SOURCES},
        by_tier={t: groups.tier.get(t, Tally()).figures() for t in tiers},
        by_outlet={o: groups.outlet[o].figures() for o in outlets},
        by_sla=by_sla,
        breach_effect=breach_effect(by_sla[MET], by_sla[BREACHED]),
    )


def report_since(today: date, days: int) -> datetime:
    """Start of a report window of ``days`` business days ending with ``today`` (UTC)."""
    return datetime.combine(today - timedelta(days=days - 1), time(), tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Standing:
    """A customer's satisfaction over the trailing 90 days, as kept on the customer."""

    score_90d: float | None
    answers_90d: int
    changes_at: datetime | None  # when the oldest answer in the window leaves it


def standing(mean: float | None, answers: int, oldest: datetime | None) -> Standing:
    """From the window's mean, count and oldest answer time. An answer of day D is in the
    90-day window until day D + 89, so the figure next changes at midnight of D + 90."""
    if not answers or mean is None or oldest is None:
        return Standing(None, 0, None)
    leaves = oldest.astimezone(UTC).date() + timedelta(days=WINDOW_DAYS)
    return Standing(round(mean, 2), answers, datetime.combine(leaves, time(), tzinfo=UTC))


def satisfaction_since(today: date) -> datetime:
    """The first instant of the 90-day window the customer's figure is over (UTC days)."""
    return datetime.combine(window_start(today), time(), tzinfo=UTC)
