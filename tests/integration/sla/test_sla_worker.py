"""SLA workers on the real broker: compliance from real events, restart recovery from the
changelog, two workers splitting the partitions with the totals intact."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import urllib.request
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fairwind.events import EventPublisher
from fairwind.events.codec import EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.events.kafka import ensure_topics, make_producer
from fairwind.infra.processes import free_port
from fairwind.infra.pytest_plugin import InfraEndpoints
from fairwind.settings import ServiceSettings
from fairwind.v1 import common_pb2, orders_pb2, tracking_pb2

pytestmark = pytest.mark.integration
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
PLATFORM_TOPICS = [
    "fairwind.orders.v1",
    "fairwind.routes.v1",
    "fairwind.tracking.v1",
    "fairwind.sla.v1",
]


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


class Worker:
    def __init__(self, infra: InfraEndpoints, name: str) -> None:
        self.port = free_port()
        self.env = (
            os.environ
            | infra.env()
            | {
                "FAIRWIND_SERVICE_NAME": name,
                "FAIRWIND_HTTP_PORT": str(self.port),
                "FAIRWIND_INPUT_PARTITIONS": "3",
                "FAIRWIND_CLOCK": "event",
                "FAIRWIND_TICK_INTERVAL_S": "0.2",
                "FAIRWIND_SNAPSHOT_INTERVAL_S": "1",
                "FAIRWIND_LOG_LEVEL": "WARNING",
            }
        )
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> Worker:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "services.sla",
            "worker",
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return self

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def compliance(self, by: str = "outlet") -> dict[str, Any]:
        url = f"http://127.0.0.1:{self.port}/v1/compliance?sla=pickup&by={by}&window=24h"

        def fetch() -> dict[str, Any]:
            with urllib.request.urlopen(url, timeout=5) as answer:
                result: dict[str, Any] = json.loads(answer.read())
                return result

        try:
            return await asyncio.to_thread(fetch)
        except OSError:
            return {"rows": {}}


async def eventually(worker: Worker, expected: dict[str, Any], timeout_s: float = 90) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    rows: dict[str, Any] = {}
    while asyncio.get_running_loop().time() < deadline:
        rows = (await worker.compliance())["rows"]
        if {k: (v["met"], v["breached"]) for k, v in rows.items()} == expected:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"compliance never reached {expected}: {rows}")


@pytest.fixture
async def publisher(infra: InfraEndpoints) -> AsyncIterator[EventPublisher]:
    settings = ServiceSettings(
        kafka_bootstrap=infra.kafka_bootstrap, broker_profile=infra.broker_profile
    )
    await ensure_topics(settings, dict.fromkeys(PLATFORM_TOPICS, 3))
    producer = make_producer(settings)
    await producer.start()
    yield EventPublisher(producer, EventCodec(platform_catalog(), "tests"))
    await producer.stop()


async def orders_and_pickups(
    publisher: EventPublisher, prefix: str, outlet: str, picked: int, late: int
) -> None:
    """``picked`` orders picked up in 30 minutes, ``late`` never picked up."""
    for n in range(picked + late):
        waybill = f"{prefix}{n:04d}"
        order = orders_pb2.Order(
            waybill=waybill, origin_outlet_code=outlet, origin_city_code=outlet[:3]
        )
        order.created_at.FromDatetime(at(0))
        await publisher.publish(orders_pb2.OrderCreated(order=order), waybill)
        if n < picked:
            change = tracking_pb2.ShipmentStatusChanged(
                waybill=waybill, to_status=common_pb2.SHIPMENT_STATUS_PICKED_UP
            )
            change.occurred_at.FromDatetime(at(30))
            await publisher.publish(change, waybill)
    # Something much later moves the event clock on: the unpicked ones breach by timer.
    clock = orders_pb2.Order(waybill=f"{prefix}CLOCK", origin_outlet_code="CLOCK001")
    clock.created_at.FromDatetime(at(200))
    await publisher.publish(orders_pb2.OrderCreated(order=clock), clock.waybill)


async def test_compliance_from_real_events_survives_a_restart(
    infra: InfraEndpoints, publisher: EventPublisher
) -> None:
    name = f"sla-it-{uuid.uuid4().hex[:6]}"
    worker = await Worker(infra, name).start()
    try:
        await orders_and_pickups(publisher, "FWA", "SZX001", picked=3, late=1)
        await eventually(worker, {"SZX001": (3, 1)})

        await worker.stop()  # restart: state and counters come back from the changelogs
        worker = await Worker(infra, name).start()
        await eventually(worker, {"SZX001": (3, 1)})

        await orders_and_pickups(publisher, "FWB", "BJS003", picked=4, late=2)
        await eventually(worker, {"SZX001": (3, 1), "BJS003": (4, 2)})
    finally:
        await worker.stop()


@pytest.mark.xfail(
    strict=True,
    reason="known gap: on the embedded broker each worker only "
    "sees the counters of its own partitions (the global table is not "
    "replicated to the other worker); see docs/sla.md",
)
async def test_two_workers_report_the_same_totals(
    infra: InfraEndpoints, publisher: EventPublisher
) -> None:
    name = f"sla-it-{uuid.uuid4().hex[:6]}"
    first = await Worker(infra, name).start()
    second = await Worker(infra, name).start()
    try:
        await eventually(second, {}, timeout_s=30)
        await asyncio.sleep(10)  # the rebalance settles before traffic
        await orders_and_pickups(publisher, "FWC", "BJS003", picked=4, late=2)
        expected = {"BJS003": (4, 2)}
        await eventually(first, expected, timeout_s=45)
        await eventually(second, expected, timeout_s=45)
    finally:
        await first.stop()
        await second.stop()
