"""The tracking service's own metrics."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

from fairwind.metrics import LATENCY_BUCKETS


@dataclass(frozen=True)
class TrackingMetrics:
    scans: Counter
    rejected: Counter
    transitions: Counter
    deviations: Counter
    lookup: Histogram
    early: Counter
    guesses: Counter


@functools.cache
def tracking_metrics(registry: CollectorRegistry = REGISTRY) -> TrackingMetrics:
    return TrackingMetrics(
        scans=Counter(
            "fairwind_scans_total",
            "Scans by event and outcome (recorded, duplicate).",
            ["event", "outcome"],
            registry=registry,
        ),
        rejected=Counter(
            "fairwind_scans_rejected_total",
            "Scans refused, by reason.",
            ["reason"],
            registry=registry,
        ),
        transitions=Counter(
            "fairwind_status_transitions_total",
            "Shipment status changes caused by scans.",
            registry=registry,
        ),
        deviations=Counter(
            "fairwind_route_deviations_total",
            "Deviations from the planned route, by kind.",
            ["kind"],
            registry=registry,
        ),
        lookup=Histogram(
            "fairwind_tracking_lookup_seconds",
            "Tracking lookup latency.",
            ["view"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        early=Counter(
            "fairwind_tracking_early_events_total",
            "Routes, dispatches and cancellations parked because their order came later.",
            registry=registry,
        ),
        guesses=Counter(
            "fairwind_tracking_phone_guesses_total",
            "phone_last4 proofs on the public lookup: right, wrong, refused (over the limit).",
            ["outcome"],
            registry=registry,
        ),
    )
