"""The crm service's own metrics."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram


@dataclass(frozen=True)
class CrmMetrics:
    events: Counter
    customers: Gauge
    rerank: Histogram
    segment_changes: Counter
    churn_scored: Counter


@functools.cache
def crm_metrics(registry: CollectorRegistry = REGISTRY) -> CrmMetrics:
    return CrmMetrics(
        events=Counter(
            "fairwind_crm_events_total",
            "Order and tracking events handled, by event and outcome "
            "(applied, duplicate, unknown_order, stale_or_unknown).",
            ["event", "outcome"],
            registry=registry,
        ),
        customers=Gauge(
            "fairwind_crm_customers",
            "Customers per tier after the last re-rank.",
            ["tier"],
            registry=registry,
        ),
        rerank=Histogram(
            "fairwind_crm_rerank_seconds",
            "Time to re-rank every customer.",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
            registry=registry,
        ),
        segment_changes=Counter(
            "fairwind_crm_segment_changes_total",
            "Customers that moved between tiers (from_tier 'none' for a first tier).",
            ["from_tier", "to_tier"],
            registry=registry,
        ),
        churn_scored=Counter(
            "fairwind_crm_churn_scored_total",
            "Key accounts scored for churn risk, by outcome (scored, raised: an alert).",
            ["outcome"],
            registry=registry,
        ),
    )
