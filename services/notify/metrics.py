"""Notify's own metrics (the kit's cover HTTP, gRPC, events and the outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter


@dataclass(frozen=True)
class NotifyMetrics:
    decisions: Counter


def notify_metrics(registry: CollectorRegistry) -> NotifyMetrics:
    return NotifyMetrics(
        decisions=Counter(
            "fairwind_notify_decisions_total",
            "Messages decided on, by channel, action (send, defer, suppress) and reason.",
            ["channel", "action", "reason"],
            registry=registry,
        ),
    )
