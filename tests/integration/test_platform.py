"""The kit end to end: a write and its event stored atomically, relayed, handled once."""

from __future__ import annotations

import asyncio
import functools
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from pymongo.asynchronous.client_session import AsyncClientSession

from fairwind.events import Event, EventCatalog
from fairwind.infra.processes import free_port
from fairwind.metrics import kit_metrics, start_metrics_exporter
from fairwind.mongo.client import in_transaction
from fairwind.platform import Platform
from fairwind.runtime.lifecycle import Worker
from fairwind.settings import ServiceSettings
from fairwind.v1 import orders_pb2
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
async def platform(settings: ServiceSettings, unique_name: str) -> AsyncIterator[Platform]:
    catalog = EventCatalog().register(f"{unique_name}.orders.v1", orders_pb2.OrderCreated)
    platform = await Platform.open(settings, catalog=catalog, registry=CollectorRegistry())
    await platform.ensure_topics(partitions=3, dlq_partitions=1)
    yield platform
    await platform.mongo.drop_database(settings.database_name)
    await platform.close()


async def test_an_accepted_order_reaches_a_consumer_once(
    platform: Platform, unique_name: str
) -> None:
    handled: list[Event[Any]] = []

    async def on_created(event: Event[orders_pb2.OrderCreated]) -> None:
        handled.append(event)

    async def accept(session: AsyncClientSession, waybill: str) -> None:
        await platform.db["orders"].insert_one({"_id": waybill}, session=session)
        message = orders_pb2.OrderCreated()
        message.order.waybill = waybill
        await platform.outbox.add([platform.codec.encode(message, waybill)], session)

    for waybill in ("SF100", "SF101"):
        await in_transaction(platform.mongo, functools.partial(accept, waybill=waybill))
    platform.outbox.notify()

    relay = platform.relay()
    consumer = platform.consumer(f"{unique_name}-g", {orders_pb2.OrderCreated: on_created})
    workers = [
        Worker("relay", relay.run, relay.stop),
        Worker("consumer", consumer.run, consumer.stop),
    ]
    tasks = [asyncio.create_task(w.run()) for w in workers]
    try:
        await wait_for(lambda: len(handled) == 2)
    finally:
        for worker in workers:
            worker.stop()
        await asyncio.gather(*tasks)

    assert sorted(e.message.order.waybill for e in handled) == ["SF100", "SF101"]
    assert {e.envelope.source for e in handled} == {"kit-tests"}
    assert await platform.outbox.backlog() == 0
    assert await platform.db["orders"].count_documents({}) == 2


async def test_the_outbox_indexes_are_created(platform: Platform) -> None:
    outbox_indexes = await platform.outbox.records.index_information()
    assert outbox_indexes["event_id"]["unique"] is True


def test_workers_get_a_standalone_metrics_endpoint() -> None:
    registry = CollectorRegistry()
    kit_metrics(registry).outbox_backlog.set(7)
    port = free_port()
    server, thread = start_metrics_exporter(port, registry=registry)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            body = response.read().decode()
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert "fairwind_outbox_backlog 7.0" in body
