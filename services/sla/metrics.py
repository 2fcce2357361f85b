"""The SLA processors' metrics."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

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


class BatchCounter:
    """A counter's increments over one batch of events, added when the batch is done: once
    per label set, not once per event (each ``inc`` takes a lock), and not at all for a
    batch that fails and is read again."""

    def __init__(self, metric: Counter) -> None:
        self.metric = metric
        self._children: dict[tuple[str, ...], Any] = {}
        self._pending: dict[tuple[str, ...], int] = {}

    def add(self, *labels: str) -> None:
        self._pending[labels] = self._pending.get(labels, 0) + 1

    def commit(self) -> None:
        for labels, count in self._pending.items():
            child = self._children.get(labels)
            if child is None:
                child = self._children[labels] = self.metric.labels(*labels)
            child.inc(count)
        self._pending.clear()

    def discard(self) -> None:
        self._pending.clear()
