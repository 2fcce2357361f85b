"""Prometheus metrics every service shares: HTTP, gRPC, events, outbox.

Metrics are created per registry on first use (``kit_metrics()``), not at import time, so
tests can use a private ``CollectorRegistry``. Service-specific metrics live in the service.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import start_http_server

BATCH_SIZE_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000)
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class KitMetrics:
    http_requests: Counter
    http_latency: Histogram
    grpc_handled: Counter
    grpc_latency: Histogram
    events_published: Counter
    events_consumed: Counter
    event_handling: Histogram
    batch_handling: Histogram
    batch_size: Histogram
    dead_lettered: Counter
    handler_retries: Counter
    outbox_backlog: Gauge
    outbox_relayed: Counter


@functools.cache
def kit_metrics(registry: CollectorRegistry = REGISTRY) -> KitMetrics:
    """The kit's metric families in ``registry`` (created once per registry)."""

    def counter(name: str, doc: str, labels: list[str]) -> Counter:
        return Counter(name, doc, labels, registry=registry)

    def histogram(name: str, doc: str, labels: list[str]) -> Histogram:
        return Histogram(name, doc, labels, buckets=LATENCY_BUCKETS, registry=registry)

    return KitMetrics(
        http_requests=counter(
            "fairwind_http_requests_total", "HTTP requests handled.", ["method", "route", "status"]
        ),
        http_latency=histogram(
            "fairwind_http_request_duration_seconds", "HTTP request latency.", ["method", "route"]
        ),
        grpc_handled=counter(
            "fairwind_grpc_server_handled_total", "gRPC calls completed.", ["method", "code"]
        ),
        grpc_latency=histogram(
            "fairwind_grpc_server_handling_seconds", "gRPC call latency.", ["method"]
        ),
        events_published=counter(
            "fairwind_events_published_total", "Events acknowledged by the broker.", ["topic"]
        ),
        events_consumed=counter(
            "fairwind_events_consumed_total",
            "Events taken from the broker by outcome (handled, duplicate, ignored, dead_lettered).",
            ["topic", "group", "outcome"],
        ),
        event_handling=histogram(
            "fairwind_event_handling_seconds", "Time to handle one event.", ["topic", "group"]
        ),
        batch_handling=histogram(
            "fairwind_event_batch_handling_seconds",
            "Time a batch handler took for one batch.",
            ["topic", "group"],
        ),
        batch_size=Histogram(
            "fairwind_event_batch_size",
            "Events given to a batch handler at once.",
            ["topic", "group"],
            buckets=BATCH_SIZE_BUCKETS,
            registry=registry,
        ),
        dead_lettered=counter(
            "fairwind_events_dead_lettered_total",
            "Events sent to a dead-letter topic, by reason.",
            ["topic", "group", "reason"],
        ),
        handler_retries=counter(
            "fairwind_event_handler_retries_total",
            "Handler attempts that failed and were retried.",
            ["topic", "group"],
        ),
        outbox_backlog=Gauge(
            "fairwind_outbox_backlog",
            "Outbox records stored but not yet published.",
            registry=registry,
        ),
        outbox_relayed=counter(
            "fairwind_outbox_relayed_total", "Outbox records published by the relay.", ["topic"]
        ),
    )


def start_metrics_exporter(
    port: int, host: str = "127.0.0.1", registry: CollectorRegistry = REGISTRY
) -> tuple[WSGIServer, threading.Thread]:
    """Serve ``/metrics`` from a background thread, for workers without an HTTP app."""
    return start_http_server(port, addr=host, registry=registry)
