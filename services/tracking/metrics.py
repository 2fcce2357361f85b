"""The tracking service's own metrics."""

from __future__ import annotations

import collections
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from fairwind.metrics import LATENCY_BUCKETS

if TYPE_CHECKING:
    from services.tracking.recording import ScanCommand


@dataclass(frozen=True)
class TrackingMetrics:
    scans: Counter
    rejected: Counter
    transitions: Counter
    deviations: Counter
    lookup: Histogram
    early: Counter
    unmatched: Counter
    parked: Gauge
    guesses: Counter

    def count(self, command: ScanCommand) -> None:
        """A scan written or parked."""
        self.scans.labels(command.doc["event"], command.outcome).inc()
        if command.status_changed:
            self.transitions.inc()
        if command.deviation:
            self.deviations.labels(command.deviation).inc()

    def count_all(self, commands: Iterable[ScanCommand]) -> None:
        """Scans written or parked together (a batch): each label set incremented once."""
        scans: collections.Counter[tuple[str, str]] = collections.Counter()
        deviations: collections.Counter[str] = collections.Counter()
        transitions = 0
        for command in commands:
            scans[command.doc["event"], command.outcome] += 1
            transitions += command.status_changed
            if command.deviation:
                deviations[command.deviation] += 1
        for (event, outcome), n in scans.items():
            self.scans.labels(event, outcome).inc(n)
        if transitions:
            self.transitions.inc(transitions)
        for kind, n in deviations.items():
            self.deviations.labels(kind).inc(n)


@functools.cache
def tracking_metrics(registry: CollectorRegistry = REGISTRY) -> TrackingMetrics:
    return TrackingMetrics(
        scans=Counter(
            "fairwind_scans_total",
            "Scans by event and outcome (recorded, duplicate, parked; a parked scan counts "
            "again as recorded when its order comes).",
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
            "Scans, routes, dispatches and cancellations parked because their order came later.",
            registry=registry,
        ),
        unmatched=Counter(
            "fairwind_tracking_unmatched_total",
            "Parked scans and events that were not applied (kept in early_unmatched), by kind "
            "and reason: no_order (none came in time), cancelled.",
            ["kind", "reason"],
            registry=registry,
        ),
        parked=Gauge(
            "fairwind_tracking_parked",
            "Scans and events waiting for their order now.",
            registry=registry,
        ),
        guesses=Counter(
            "fairwind_tracking_phone_guesses_total",
            "phone_last4 proofs on the public lookup: right, wrong, refused (over the limit).",
            ["outcome"],
            registry=registry,
        ),
    )
