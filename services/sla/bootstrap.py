"""Wiring: settings → the Faust app, its topics and tables, the agent, timers and pages.

Tests call ``bootstrap(settings, clock=..., produce=...)`` with the memory store and their
own clock and producer (``agent.test_context()``); ``__main__`` runs the result in a Faust
worker. Tables use their changelogs to recover after a restart; on the
embedded broker the settings profile applies its workarounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import faust
from prometheus_client import REGISTRY, CollectorRegistry

from fairwind.events import EventCatalog, EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.events.kafka import dlq_topic
from fairwind.v1 import sla_pb2
from services.sla.api import SlaPages
from services.sla.clock import EventClock
from services.sla.consumer import HANDLED, Produce, SlaAgent
from services.sla.counts import ChangelogReader, CountsView, changelog_topic
from services.sla.domain import Budgets
from services.sla.metrics import SlaMetrics, sla_metrics
from services.sla.processing import Processor
from services.sla.settings import SlaSettings

RAW: dict[str, Any] = {
    "key_type": bytes,
    "value_type": bytes,
    "key_serializer": "raw",
    "value_serializer": "raw",
}


@dataclass
class SlaApp:
    settings: SlaSettings
    app: faust.App
    catalog: EventCatalog
    codec: EventCodec
    clock: EventClock
    processor: Processor
    metrics: SlaMetrics
    registry: CollectorRegistry
    input_names: list[str]
    ticks_name: str
    output_topic: str
    inputs: Any = field(init=False)
    ticks: Any = field(init=False)
    shipments: Any = field(init=False)
    local_counts: Any = field(init=False)
    clock_marks: Any = field(init=False)
    counts: CountsView = field(default_factory=CountsView)
    counts_reader: ChangelogReader = field(init=False)
    agent: SlaAgent = field(init=False)

    def topics_wanted(self) -> dict[str, int]:
        """Created before the worker starts: a broker that creates topics on first use would
        give the tick topic its default partition count."""
        partitions = self.settings.kafka_partitions
        wanted = dict.fromkeys(self.input_names, partitions)
        wanted |= {dlq_topic(name): 3 for name in self.input_names}
        wanted[self.output_topic] = partitions
        wanted[self.ticks_name] = partitions
        return wanted | dict.fromkeys(self.changelogs(), partitions)

    def changelogs(self) -> list[str]:
        """The tables' changelog topics, made compacted before the worker starts: on Apache
        Kafka a group formed before Faust created them sees them without partitions, and
        every table write then fails (PartitionsMismatch) until the metadata refreshes."""
        tables = (self.shipments, self.local_counts, self.clock_marks)
        return [changelog_topic(self.app.conf.id, table.name) for table in tables]


def input_topics(catalog: EventCatalog) -> list[str]:
    """The topics of the events the worker handles."""
    return sorted({catalog.kind_of(kind).topic for kind in HANDLED})


def bootstrap(
    settings: SlaSettings,
    *,
    catalog: EventCatalog | None = None,
    clock: EventClock | None = None,
    registry: CollectorRegistry = REGISTRY,
    app_id: str | None = None,
    produce: Produce | None = None,
) -> SlaApp:
    catalog = catalog or platform_catalog()
    clock = clock or EventClock(
        settings.clock,
        # The platform's business clock: the wall clock, or a simulation's compressed day.
        wall=settings.platform_clock().now,
        lateness=timedelta(seconds=settings.event_lateness_s),
    )
    app = _faust_app(settings, app_id or f"fairwind-{settings.service_name}")
    sla = SlaApp(
        settings=settings,
        app=app,
        catalog=catalog,
        codec=EventCodec(catalog, settings.service_name),
        clock=clock,
        processor=Processor(
            Budgets(settings.pickup_min, settings.outlet_delivery_min, settings.at_risk_fraction),
            clock,
            timedelta(seconds=settings.max_clock_skew_s),
            timedelta(seconds=settings.pending_wait_s),
        ),
        metrics=sla_metrics(registry),
        registry=registry,
        input_names=input_topics(catalog),
        ticks_name=f"{app.conf.id}-ticks",
        output_topic=catalog.kind_of(sla_pb2.SlaMet).topic,
    )
    _tables_and_topics(sla)
    sla.agent = SlaAgent(sla, produce)
    revoked: Any = app.on_partitions_revoked  # mode's handler type confuses mypy
    revoked.connect(sla.agent.on_revoked)
    app.agent(sla.inputs, name="sla-clocks")(sla.agent.process)
    app.timer(settings.tick_interval_s)(sla.agent.send_ticks)
    app.timer(settings.snapshot_interval_s)(sla.agent.publish_snapshot)
    app.task(sla.counts_reader.run)
    SlaPages(sla).mount()
    return sla


def _faust_app(settings: SlaSettings, app_id: str) -> faust.App:
    return faust.App(
        app_id,
        datadir=str(settings.state_dir / app_id),
        **settings.faust_options(),
        store=settings.store,
        web_port=settings.http_port,
        web_host=settings.http_host,
        web_bind=settings.http_host,  # Faust binds 0.0.0.0 unless told
        topic_partitions=settings.kafka_partitions,
        autodiscover=False,
        web_enabled=True,
        table_cleanup_interval=60,
    )


def _tables_and_topics(sla: SlaApp) -> None:
    app, partitions = sla.app, sla.settings.kafka_partitions
    sla.inputs = app.topic(*sla.input_names, sla.ticks_name, **RAW)
    sla.ticks = app.topic(sla.ticks_name, partitions=partitions, internal=True, **RAW)
    sla.shipments = app.Table("sla-shipments", default=None, partitions=partitions)
    # Counters: incremented in a partitioned table by the partition's owner; every worker
    # reads all of them back from its changelog into ``counts`` (see counts.py).
    sla.local_counts = app.Table("sla-counts-local", default=int, partitions=partitions)
    # Event mode: each partition's clock as its last tick left it, so a restarted worker
    # resumes there instead of stepping back to the older events it re-reads.
    sla.clock_marks = app.Table("sla-clock", default=None, partitions=partitions)
    sla.counts_reader = ChangelogReader(
        sla.settings, changelog_topic(app.conf.id, sla.local_counts.name), sla.counts
    )
