"""Fixtures for tests against the real broker and mongod."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord, TopicPartition
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.events.kafka import ensure_topics, make_producer, make_reader, read_to_end
from fairwind.infra.broker import BrokerProcess, select_broker
from fairwind.infra.kafka import ApacheKafka
from fairwind.infra.pytest_plugin import InfraEndpoints
from fairwind.mongo.client import create_client
from fairwind.settings import ServiceSettings

Document = dict[str, Any]
PARTITIONS = 3


@pytest.fixture
def settings(infra: InfraEndpoints, unique_name: str) -> ServiceSettings:
    return infra.service_settings(ServiceSettings, unique_name, service_name="kit-tests")


@pytest.fixture
def own_kafka(tmp_path: Path) -> Iterator[BrokerProcess]:
    """An Apache Kafka broker of the test's own, to stop, kill or pause; skipped where Kafka
    cannot run (no JDK) or Tansu was asked for."""
    broker = select_broker()
    if not isinstance(broker, ApacheKafka):
        pytest.skip(f"needs Apache Kafka; the local broker here is {broker.description}")
    process = BrokerProcess(broker, tmp_path / "broker").start()
    yield process
    process.stop()


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
            partitions = await producer.partitions_for(name)
            start = {TopicPartition(name, p): 0 for p in partitions}
            exact = not settings.embedded
            records = [record async for record in read_to_end(reader, start, exact=exact)]
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
