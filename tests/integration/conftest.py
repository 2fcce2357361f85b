"""Fixtures for tests against the real broker and mongod."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord, TopicPartition
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.events.kafka import ensure_topics, make_producer, make_reader
from fairwind.infra.pytest_plugin import InfraEndpoints
from fairwind.mongo.client import create_client
from fairwind.settings import ServiceSettings

Document = dict[str, Any]
PARTITIONS = 3


@pytest.fixture
def settings(infra: InfraEndpoints, unique_name: str) -> ServiceSettings:
    return ServiceSettings(
        service_name="kit-tests",
        kafka_bootstrap=infra.kafka_bootstrap,
        mongo_url=infra.mongo_url,
        broker_profile=infra.broker_profile,
        mongo_db=unique_name,
        # Shorter than the embedded profile's 6 s: group joins take half of it on this broker.
        kafka_session_timeout_ms=2000,
        kafka_heartbeat_interval_ms=500,
    )


@pytest.fixture
async def topic(settings: ServiceSettings, unique_name: str) -> str:
    name = f"{unique_name}.v1"
    await ensure_topics(settings, {name: PARTITIONS, f"{name}.dlq": 1})
    return name


@pytest.fixture
async def producer(settings: ServiceSettings) -> AsyncIterator[AIOKafkaProducer]:
    producer = make_producer(settings)
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture
async def mongo(settings: ServiceSettings) -> AsyncIterator[AsyncMongoClient[Document]]:
    client = create_client(settings)
    yield client
    await client.drop_database(settings.database_name)
    await client.close()


@pytest.fixture
def db(mongo: AsyncMongoClient[Document], settings: ServiceSettings) -> AsyncDatabase[Document]:
    return mongo[settings.database_name]


@pytest.fixture
def read_topic(
    settings: ServiceSettings, producer: AIOKafkaProducer
) -> Callable[[str], Coroutine[Any, Any, list[ConsumerRecord[bytes, bytes]]]]:
    """Everything on a topic, partition by partition in offset order."""

    async def read(name: str) -> list[ConsumerRecord[bytes, bytes]]:
        reader = make_reader(settings)
        await reader.start()
        try:
            partitions = [TopicPartition(name, p) for p in await producer.partitions_for(name)]
            reader.assign(partitions)
            for tp in partitions:
                reader.seek(tp, 0)
            records: list[ConsumerRecord[bytes, bytes]] = []
            empty = 0
            while empty < 2:
                batch = await reader.getmany(timeout_ms=400)
                empty = 0 if batch else empty + 1
                for part in batch.values():
                    records.extend(part)
            return sorted(records, key=lambda r: (r.partition, r.offset))
        finally:
            await reader.stop()

    return read


async def wait_for(predicate: Callable[[], bool], timeout_s: float = 20.0) -> None:
    """Poll until ``predicate()`` holds; fails the test (not a timing assertion) if never."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.02)
