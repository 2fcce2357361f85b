"""The local launcher: data survives a restart, even on other ports; Kafka's storage is
formatted once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from pymongo import MongoClient

from fairwind.events.kafka import ensure_topics, make_reader, read_to_end
from fairwind.infra.broker import BrokerProcess
from fairwind.infra.local import LocalInfra
from fairwind.infra.processes import free_port, port_open
from fairwind.settings import BrokerProfile, ServiceSettings

pytestmark = pytest.mark.integration

Client = MongoClient[dict[str, Any]]


def other_free_port(*taken: int) -> int:
    port = free_port()
    while port in taken:
        port = free_port()
    return port


async def produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    settings = ServiceSettings(kafka_bootstrap=bootstrap)
    await ensure_topics(settings, {topic: 1})
    producer = AIOKafkaProducer(**settings.producer_options())
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, key=b"k", partition=0)
    finally:
        await producer.stop()


async def read_back(bootstrap: str, topic: str) -> list[bytes]:
    settings = ServiceSettings(kafka_bootstrap=bootstrap)
    reader = make_reader(settings)
    await reader.start()
    try:
        start = {TopicPartition(topic, 0): 0}
        return [r.value async for r in read_to_end(reader, start, exact=True) if r.value]
    finally:
        await reader.stop()


def test_data_survives_a_restart_on_new_ports(tmp_path: Path) -> None:
    with LocalInfra(tmp_path) as first:
        writer: Client = MongoClient(first.mongo_url)
        with writer:
            writer.fairwind_orders.orders.insert_one({"_id": "SF1"})
        on_kafka = first.profile is BrokerProfile.KAFKA
        if on_kafka:
            asyncio.run(produce(first.kafka_bootstrap, "kept.v1", [b"SF1"]))
        old_ports = (first.kafka_port, first.mongo_port)
    assert not any(port_open("127.0.0.1", p) for p in old_ports)

    second = LocalInfra(
        tmp_path,
        kafka_port=other_free_port(*old_ports),
        mongo_port=other_free_port(*old_ports),
        broker=first.broker,
    )
    reader: Client = MongoClient(second.mongo_url, serverSelectionTimeoutMS=10_000)
    with second, reader as client:
        assert client.fairwind_orders.orders.find_one({"_id": "SF1"}) == {"_id": "SF1"}
        assert client.admin.command("hello")["isWritablePrimary"]
        if on_kafka:  # Tansu keeps records in memory only
            assert asyncio.run(read_back(second.kafka_bootstrap, "kept.v1")) == [b"SF1"]


def cluster_id(broker: BrokerProcess) -> str:
    meta = broker.data_dir / "kafka" / "logs" / "meta.properties"
    lines = dict(line.split("=", 1) for line in meta.read_text().splitlines() if "=" in line)
    return lines["cluster.id"]


async def test_kafka_storage_is_formatted_once_and_keeps_records(own_kafka: BrokerProcess) -> None:
    await produce(own_kafka.bootstrap, "formatted.v1", [b"one", b"two"])
    formatted = cluster_id(own_kafka)
    own_kafka.stop()
    own_kafka.port = other_free_port(own_kafka.port)
    await asyncio.to_thread(own_kafka.start)

    assert cluster_id(own_kafka) == formatted
    log = (own_kafka.data_dir / "kafka.log").read_text()
    assert log.count("Formatting metadata directory") == 1
    assert log.count("Kafka Server started") == 2
    await produce(own_kafka.bootstrap, "formatted.v1", [b"three"])
    assert await read_back(own_kafka.bootstrap, "formatted.v1") == [b"one", b"two", b"three"]
