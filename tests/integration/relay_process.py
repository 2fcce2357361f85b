"""A relay in its own process, so a test can SIGKILL it mid-way.

Usage: python -m tests.integration.relay_process TOPIC   (settings from FAIRWIND_* env)
"""

from __future__ import annotations

import asyncio
import sys

from fairwind.events import EventCatalog, EventCodec, EventPublisher
from fairwind.events.kafka import make_producer, make_reader
from fairwind.mongo.client import create_client
from fairwind.mongo.outbox import Outbox
from fairwind.mongo.relay import OutboxRelay
from fairwind.settings import ServiceSettings
from fairwind.v1 import orders_pb2


async def main(topic: str) -> None:
    settings = ServiceSettings()
    client = create_client(settings)
    producer = make_producer(settings)
    await producer.start()
    codec = EventCodec(EventCatalog().register(topic, orders_pb2.OrderCreated), "relay-test")
    relay = OutboxRelay(
        Outbox(client[settings.database_name]),
        EventPublisher(producer, codec),
        lambda: make_reader(settings),
        owner="relay-process",
        batch_size=50,
        exact_end_offsets=not settings.embedded,
    )
    print("relay started", flush=True)
    await relay.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
