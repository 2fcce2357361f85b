"""Notify's own metrics (the kit's cover HTTP, gRPC, events and the outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class NotifyMetrics:
    decisions: Counter
    webhook_attempts: Counter
    webhook_latency: Histogram
    webhook_waiting: Gauge
    messages_waiting: Gauge


def notify_metrics(registry: CollectorRegistry) -> NotifyMetrics:
    return NotifyMetrics(
        decisions=Counter(
            "fairwind_notify_decisions_total",
            "Messages decided on, by channel, action (send, defer, suppress) and reason.",
            ["channel", "action", "reason"],
            registry=registry,
        ),
        webhook_attempts=Counter(
            "fairwind_notify_webhook_attempts_total",
            "Webhook attempts by endpoint and outcome (delivered, retry, failed).",
            ["endpoint", "outcome"],
            registry=registry,
        ),
        webhook_latency=Histogram(
            "fairwind_notify_webhook_latency_seconds",
            "Round trip of a webhook attempt that got an answer, by endpoint.",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        webhook_waiting=Gauge(
            "fairwind_notify_webhooks_waiting",
            "Webhook deliveries queued or being sent, by endpoint.",
            ["endpoint"],
            registry=registry,
        ),
        messages_waiting=Gauge(
            "fairwind_notify_messages_waiting",
            "E-mails and texts queued, deferred or being sent, by channel and status.",
            ["channel", "status"],
            registry=registry,
        ),
    )
