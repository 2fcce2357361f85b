"""The SLA processors' metrics."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge


@dataclass(frozen=True)
class SlaMetrics:
    events: Counter
    outcomes: Counter
    rejected: Counter
    compliance: Gauge
    at_risk: Gauge
    lag: Gauge


@functools.cache
def sla_metrics(registry: CollectorRegistry = REGISTRY) -> SlaMetrics:
    return SlaMetrics(
        events=Counter(
            "fairwind_sla_events_processed_total",
            "Events the SLA processors used.",
            ["type"],
            registry=registry,
        ),
        outcomes=Counter(
            "fairwind_sla_outcomes_total",
            "At risk, breached and met, by SLA.",
            ["sla", "outcome"],
            registry=registry,
        ),
        rejected=Counter(
            "fairwind_sla_events_rejected_total",
            "Events dead-lettered, by reason.",
            ["reason"],
            registry=registry,
        ),
        compliance=Gauge(
            "fairwind_sla_compliance_ratio",
            "Compliance in the current hour.",
            ["sla", "outlet"],
            registry=registry,
        ),
        at_risk=Gauge(
            "fairwind_sla_at_risk", "Open clocks past 80 % of their budget.", registry=registry
        ),
        lag=Gauge(
            "fairwind_sla_processing_lag_seconds",
            "Now minus the envelope time of the last event processed.",
            registry=registry,
        ),
    )
