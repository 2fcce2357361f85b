"""The orders service's own metrics (the kit's HTTP, event and outbox metrics come too)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, Counter


@dataclass(frozen=True)
class OrderMetrics:
    accepted: Counter
    rejected: Counter
    replays: Counter
    cancelled: Counter
    promise_pending: Counter
    unroutable: Counter


@functools.cache
def order_metrics(registry: CollectorRegistry = REGISTRY) -> OrderMetrics:
    return OrderMetrics(
        accepted=Counter(
            "fairwind_orders_accepted_total",
            "Orders accepted.",
            ["service_level", "source"],
            registry=registry,
        ),
        rejected=Counter(
            "fairwind_orders_rejected_total",
            "Orders refused, by reason.",
            ["reason"],
            registry=registry,
        ),
        replays=Counter(
            "fairwind_orders_idempotent_replays_total",
            "Requests answered from a stored Idempotency-Key response.",
            registry=registry,
        ),
        cancelled=Counter(
            "fairwind_orders_cancelled_total", "Orders cancelled.", registry=registry
        ),
        promise_pending=Counter(
            "fairwind_orders_promise_pending_total",
            "Orders accepted while routing was unavailable.",
            registry=registry,
        ),
        unroutable=Counter(
            "fairwind_orders_unroutable_total",
            "Accepted orders routing could not carry (cancelled by Fairwind), by reason.",
            ["reason"],
            registry=registry,
        ),
    )
