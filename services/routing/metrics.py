"""The routing service's own metrics."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, Counter


@dataclass(frozen=True)
class RoutingMetrics:
    planned: Counter
    replanned: Counter
    unroutable: Counter
    reassigned: Counter
    quotes: Counter


@functools.cache
def routing_metrics(registry: CollectorRegistry = REGISTRY) -> RoutingMetrics:
    return RoutingMetrics(
        planned=Counter(
            "fairwind_routes_planned_total",
            "Routes planned for new orders.",
            ["service_level"],
            registry=registry,
        ),
        replanned=Counter(
            "fairwind_routes_replanned_total",
            "Routes re-planned after a deviation.",
            registry=registry,
        ),
        unroutable=Counter(
            "fairwind_routes_unroutable_total",
            "Orders or re-plans that could not be routed or dispatched, by reason.",
            ["reason"],
            registry=registry,
        ),
        reassigned=Counter(
            "fairwind_pickups_reassigned_total",
            "Pickups moved to another courier after the acceptance timeout.",
            registry=registry,
        ),
        quotes=Counter(
            "fairwind_quotes_total", "Quotes answered, by outcome.", ["outcome"], registry=registry
        ),
    )
