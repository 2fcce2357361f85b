"""SLA workers on the real broker: compliance from real events, restart recovery from the
changelog, two workers splitting the partitions with the totals intact.

The input topics are shared by the whole run and a new worker group reads them from the
beginning, so each test uses outlet codes of its own and looks only at those rows."""

from __future__ import annotations

import asyncio
import itertools
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
from fairwind.events.partitioning import partition_for
from fairwind.infra.processes import free_port
from fairwind.infra.pytest_plugin import InfraEndpoints
from fairwind.settings import ServiceSettings
from fairwind.v1 import common_pb2, orders_pb2, tracking_pb2

pytestmark = pytest.mark.integration
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=12)
# Minutes after T0 at which each batch of events starts: after the previous batch's clock
# order, because a new worker reads every earlier test's events too, and its event clock must
# not already be past the new batch's deadlines.
BATCH_STARTS = itertools.count(0, 300)
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
                "FAIRWIND_KAFKA_PARTITIONS": "3",
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

    async def compliance(self, by: str = "outlet") -> dict[str, Any] | None:
        """The page's answer, or None while the worker does not answer."""
        url = f"http://127.0.0.1:{self.port}/v1/compliance?sla=pickup&by={by}&window=24h"

        def fetch() -> dict[str, Any]:
            with urllib.request.urlopen(url, timeout=5) as answer:
                result: dict[str, Any] = json.loads(answer.read())
                return result

        try:
            return await asyncio.to_thread(fetch)
        except OSError:
            return None


def outlets(*cities: str) -> list[str]:
    """Outlet codes no other test uses."""
    tag = uuid.uuid4().hex[:5].upper()
    return [f"{city}{tag}" for city in cities]


async def eventually(worker: Worker, expected: dict[str, Any], timeout_s: float = 90) -> None:
    """The worker reports ``expected`` for the outlets in it (met, breached)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    seen: dict[str, Any] = {}
    while asyncio.get_running_loop().time() < deadline:
        answer = await worker.compliance()
        rows = answer["rows"] if answer else {}
        seen = {k: (v["met"], v["breached"]) for k, v in rows.items() if k in expected}
        if answer is not None and seen == expected:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"compliance never reached {expected}: {seen}")


async def as_of(worker: Worker) -> datetime:
    answer = await worker.compliance()
    assert answer is not None
    return datetime.fromisoformat(answer["as_of"])


async def answering(worker: Worker, timeout_s: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while await worker.compliance() is None:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the worker never answered")
        await asyncio.sleep(0.5)


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


async def ordered(publisher: EventPublisher, waybill: str, outlet: str, when: datetime) -> None:
    order = orders_pb2.Order(
        waybill=waybill, origin_outlet_code=outlet, origin_city_code=outlet[:3]
    )
    order.created_at.FromDatetime(when)
    await publisher.publish(orders_pb2.OrderCreated(order=order), waybill)


async def picked_up(publisher: EventPublisher, waybill: str, when: datetime) -> None:
    change = tracking_pb2.ShipmentStatusChanged(
        waybill=waybill, to_status=common_pb2.SHIPMENT_STATUS_PICKED_UP
    )
    change.occurred_at.FromDatetime(when)
    await publisher.publish(change, waybill)


async def orders_and_pickups(
    publisher: EventPublisher, prefix: str, outlet: str, picked: int, late: int
) -> float:
    """``picked`` orders picked up in 30 minutes, ``late`` never picked up. Returns the
    batch's start (minutes after T0)."""
    start = next(BATCH_STARTS)
    for n in range(picked + late):
        waybill = f"{prefix}{n:04d}"
        await ordered(publisher, waybill, outlet, at(start))
        if n < picked:
            await picked_up(publisher, waybill, at(start + 30))
    return start


async def move_clock(publisher: EventPublisher, prefix: str, start: float) -> None:
    """An order much later moves the event clock on: the unpicked orders breach by timer.

    Sent once the pickups are counted: the topics are read independently, so the clock
    could otherwise pass the deadlines before the pickups are read."""
    clock = orders_pb2.Order(waybill=f"{prefix}CLOCK", origin_outlet_code="CLOCK001")
    clock.created_at.FromDatetime(at(start + 200))
    await publisher.publish(orders_pb2.OrderCreated(order=clock), clock.waybill)


async def test_compliance_from_real_events_survives_a_restart(
    infra: InfraEndpoints, publisher: EventPublisher
) -> None:
    name = f"sla-it-{uuid.uuid4().hex[:6]}"
    szx, bjs, can = outlets("SZX", "BJS", "CAN")
    worker = await Worker(infra, name).start()
    try:
        start = await orders_and_pickups(publisher, "FWA", szx, picked=3, late=1)
        await eventually(worker, {szx: (3, 0)})
        await move_clock(publisher, "FWA", start)
        await eventually(worker, {szx: (3, 1)})

        before = await as_of(worker)
        await worker.stop()  # restart: state and counters come back from the changelogs
        worker = await Worker(infra, name).start()
        await eventually(worker, {szx: (3, 1)})
        # Events older than the clock (as re-read after a restart) do not move it back; the
        # pickup is still within its hour of the clock, so no timer beats it.
        await ordered(publisher, "FWAOLD", can, at(start + 190))
        await picked_up(publisher, "FWAOLD", at(start + 195))
        await eventually(worker, {szx: (3, 1), can: (1, 0)})
        assert await as_of(worker) >= before

        start = await orders_and_pickups(publisher, "FWB", bjs, picked=4, late=2)
        await eventually(worker, {szx: (3, 1), bjs: (4, 0)})
        await move_clock(publisher, "FWB", start)
        await eventually(worker, {szx: (3, 1), bjs: (4, 2)})
        # Orders without a tier count as Q3: its row shows the objective and the budget left.
        tiers = await worker.compliance(by="customer_tier")
        assert tiers is not None
        q3 = tiers["rows"]["Q3"]
        assert q3["objective"] == 0.95
        share = q3["breached"] / (q3["met"] + q3["breached"])
        assert q3["error_budget_left"] == round(1 - share / 0.05, 4)
    finally:
        await worker.stop()


def same_partition(prefix: str, partitions: int = 3) -> tuple[str, str]:
    """Two waybills on one partition of every topic (murmur2 of the key, as the publisher
    partitions): the first one's events are read before the second one's."""
    names = (f"{prefix}{n:04d}" for n in itertools.count())
    first = next(names)
    wanted = partition_for(first.encode(), partitions)
    second = next(n for n in names if partition_for(n.encode(), partitions) == wanted)
    return first, second


async def test_a_shipment_open_at_a_restart_is_closed_after_it(
    infra: InfraEndpoints, publisher: EventPublisher
) -> None:
    """The shipments table comes back from its changelog (the compact records): a pickup
    read after the restart closes the clock its order opened before it, counted once."""
    name = f"sla-it-{uuid.uuid4().hex[:6]}"
    (szx,) = outlets("SZX")
    waiting, marker = same_partition(f"FWR{uuid.uuid4().hex[:4].upper()}")
    start = next(BATCH_STARTS)
    worker = await Worker(infra, name).start()
    try:
        await ordered(publisher, waiting, szx, at(start))  # read before the marker's order
        await ordered(publisher, marker, szx, at(start))
        await picked_up(publisher, marker, at(start + 20))
        await eventually(worker, {szx: (1, 0)})
        await worker.stop()  # ``waiting``'s pickup clock is open in the table
        worker = await Worker(infra, name).start()
        await answering(worker)
        await picked_up(publisher, waiting, at(start + 40))
        await eventually(worker, {szx: (2, 0)})
        await move_clock(publisher, f"FWR{szx}", start)  # no timer breaches it afterwards
        await asyncio.sleep(2)
        await eventually(worker, {szx: (2, 0)})
    finally:
        await worker.stop()


async def test_two_workers_report_the_same_totals(
    infra: InfraEndpoints, publisher: EventPublisher
) -> None:
    name = f"sla-it-{uuid.uuid4().hex[:6]}"
    (bjs,) = outlets("BJS")
    first = await Worker(infra, name).start()
    second = await Worker(infra, name).start()
    try:
        await answering(first)
        await answering(second)
        await asyncio.sleep(10)  # the rebalance settles before traffic
        start = await orders_and_pickups(publisher, "FWC", bjs, picked=4, late=2)
        await eventually(first, {bjs: (4, 0)}, timeout_s=45)
        await eventually(second, {bjs: (4, 0)}, timeout_s=45)
        # The clock order lands on one partition, so one worker; the other learns the time
        # from its ticks, and breaches its own late orders.
        await move_clock(publisher, "FWC", start)
        expected = {bjs: (4, 2)}
        await eventually(first, expected, timeout_s=45)
        await eventually(second, expected, timeout_s=45)
    finally:
        await first.stop()
        await second.stop()
