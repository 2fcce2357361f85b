"""What every service's ``bootstrap()`` starts from: clients and kit parts wired from settings.

    platform = await Platform.open(settings)
    ...  # the service adds its store, handlers, API
    await platform.close()

Tests pass their own settings (unique database, test timeouts) or build the parts by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer
from google.protobuf.message import Message
from prometheus_client import REGISTRY, CollectorRegistry
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.events.catalog import EventCatalog
from fairwind.events.codec import EventCodec
from fairwind.events.consumer import Batched, ConsumerRunner, Handler, RetryPolicy
from fairwind.events.contracts import platform_catalog
from fairwind.events.dedupe import MongoDedupeStore
from fairwind.events.kafka import (
    dlq_topic,
    ensure_topics,
    make_consumer,
    make_producer,
    make_reader,
)
from fairwind.events.publisher import EventPublisher
from fairwind.metrics import KitMetrics, kit_metrics
from fairwind.mongo.client import create_client
from fairwind.mongo.outbox import Outbox
from fairwind.mongo.relay import OutboxRelay
from fairwind.runtime.lifecycle import Worker
from fairwind.settings import ServiceSettings

Document = dict[str, Any]


@dataclass
class Platform:
    settings: ServiceSettings
    catalog: EventCatalog
    mongo: AsyncMongoClient[Document]
    db: AsyncDatabase[Document]
    producer: AIOKafkaProducer
    codec: EventCodec
    publisher: EventPublisher
    outbox: Outbox
    dedupe: MongoDedupeStore
    metrics: KitMetrics

    @classmethod
    async def open(
        cls,
        settings: ServiceSettings,
        *,
        catalog: EventCatalog | None = None,
        registry: CollectorRegistry = REGISTRY,
    ) -> Platform:
        catalog = catalog or platform_catalog()
        metrics = kit_metrics(registry)
        mongo = create_client(settings)
        db = mongo[settings.database_name]
        producer = make_producer(settings)
        await producer.start()
        codec = EventCodec(catalog, source=settings.service_name)
        platform = cls(
            settings=settings,
            catalog=catalog,
            mongo=mongo,
            db=db,
            producer=producer,
            codec=codec,
            publisher=EventPublisher(producer, codec, metrics),
            outbox=Outbox(db),
            dedupe=MongoDedupeStore(db["processed_events"]),
            metrics=metrics,
        )
        await platform.outbox.create_indexes()
        await platform.dedupe.create_indexes()
        return platform

    async def ensure_topics(self, partitions: int | None = None, dlq_partitions: int = 3) -> None:
        """Create every catalog topic (``kafka_partitions`` each unless told) and its DLQ if
        missing (deployments may pre-create them)."""
        partitions = partitions or self.settings.kafka_partitions
        wanted = dict.fromkeys(self.catalog.topics(), partitions)
        wanted |= {dlq_topic(topic): dlq_partitions for topic in self.catalog.topics()}
        await ensure_topics(self.settings, wanted)

    def relay(self, **options: Any) -> OutboxRelay:
        return OutboxRelay(
            self.outbox,
            self.publisher,
            lambda: make_reader(self.settings),
            metrics=self.metrics,
            exact_end_offsets=not self.settings.embedded,
            **options,
        )

    def consumer(
        self, group: str, handlers: Mapping[type[Message], Handler | Batched]
    ) -> ConsumerRunner:
        """A runner subscribed to the topics its handlers' events travel on."""
        topics = sorted({self.catalog.kind_of(message).topic for message in handlers})
        return ConsumerRunner(
            make_consumer(self.settings, group, *topics),
            group,
            self.codec,
            handlers,
            self.producer,
            self.dedupe,
            retry=RetryPolicy(
                max_attempts=self.settings.consumer_max_attempts,
                initial_backoff_s=self.settings.consumer_backoff_initial_s,
                max_backoff_s=self.settings.consumer_backoff_max_s,
            ),
            metrics=self.metrics,
            commit_interval_s=self.settings.kafka_commit_interval_ms / 1000,
        )

    def event_workers(self, consumer: ConsumerRunner) -> list[Worker]:
        """The outbox relay and an event consumer as lifecycle workers, for ``serve``."""
        relay = self.relay()
        return [
            Worker("outbox-relay", relay.run, relay.stop),
            Worker("event-consumer", consumer.run, consumer.stop),
        ]

    async def close(self) -> None:
        await self.producer.stop()
        await self.mongo.close()
