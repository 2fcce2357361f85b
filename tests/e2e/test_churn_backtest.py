"""The churn back-test: a simulated month (``sim/churn.py``) of fifteen partners played
into crm through the real broker, one business day at a time; one key account has a week
of late parcels and then ships less every day. Its account manager must be alerted
(ChurnRiskRaised, then an e-mail from notify) before its volume halves, and the steady
partners must raise nothing.

crm and notify run in this process on the real broker and mongod (not as processes, as
the other e2e tests run them) so that the test can move the business clock a day at a
time; everything else is as in production: events on topics, the consumers, the outbox
relay, the SMTP server.
"""

from __future__ import annotations

import asyncio
import email
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from prometheus_client import CollectorRegistry

from fairwind.events.contracts import platform_catalog
from fairwind.infra.processes import free_port
from fairwind.infra.pytest_plugin import InfraEndpoints, serving
from fairwind.v1 import (
    common_pb2,
    orders_pb2,
    sla_pb2,
)
from services.crm.archive import import_customers, parse
from services.crm.bootstrap import CrmApp
from services.crm.bootstrap import bootstrap as crm_bootstrap
from services.crm.churn import score_accounts
from services.crm.consumer import event_consumer as crm_consumer
from services.crm.ranking import rerank
from services.crm.settings import CrmSettings
from services.notify.bootstrap import NotifyApp
from services.notify.bootstrap import bootstrap as notify_bootstrap
from services.notify.channels.email import SmtpMailer
from services.notify.channels.sms import SmsProvider
from services.notify.consumer import event_consumer as notify_consumer
from services.notify.domain.rules import Channel
from services.notify.rendering import Renderer
from services.notify.sending import Outbound, send_due
from services.notify.settings import NotifySettings
from sim.churn import FALLER, Month, Shipment

pytestmark = pytest.mark.e2e
START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday
MANAGERS = [
    {"id": "m-li", "name": "李经理", "email": "li@fairwind.example", "phone": "+8613800000001"},
    {"id": "m-wu", "name": "吴经理", "email": "wu@fairwind.example", "phone": "+8613800000002"},
]


class Clock:
    """The business clock of both services, moved by the test."""

    speed = 1.0

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def wall_seconds(self, business_seconds: float) -> float:
        return business_seconds


@dataclass
class Day:
    day: int
    planned: float  # the faller's planned volume, share of usual
    shipped_7d: float  # the faller's last 7 days, share of usual
    risk: float
    steady_max: float
    raised: list[str]


def events(shipment: Shipment, at: datetime) -> list[tuple[Any, str]]:
    order = orders_pb2.Order(
        waybill=shipment.waybill,
        partner_id=shipment.customer_id,
        customer_id=shipment.customer_id,
        service_level=common_pb2.SERVICE_LEVEL_NEXT_DAY,
        price=common_pb2.Money(currency_code="CNY", units=20),
        shipper=common_pb2.Contact(name="发货员", company=shipment.customer_id),
    )
    order.created_at.FromDatetime(at)
    found: list[tuple[Any, str]] = [(orders_pb2.OrderCreated(order=order), shipment.waybill)]
    if shipment.late:
        late = sla_pb2.SlaBreached(
            waybill=shipment.waybill,
            sla=sla_pb2.SLA_KIND_PROMISE,
            customer_id=shipment.customer_id,
            outlet_code="SZX-01",
        )
        late.breached_at.FromDatetime(at + timedelta(hours=20))
        found.append((late, shipment.waybill))
    return found


@asynccontextmanager
async def running(*runners: Any) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(r.run()) for r in runners]
    try:
        yield
    finally:
        for runner in runners:
            runner.stop()
        await asyncio.gather(*tasks)


async def until(check: Callable[[], Awaitable[bool]], timeout_s: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "not reached"
        await asyncio.sleep(0.05)


class Mailbox:
    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"


async def play(crm: CrmApp, month: Month, clock: Clock) -> list[Day]:
    """Every day's events onto the broker; after each day, the re-rank and the scoring."""
    partners = month.partners()
    usual = {p.customer_id: p.rate for p in partners}
    shipped: dict[int, int] = {}
    timeline: list[Day] = []
    total = 0
    orders = crm.service.store.orders.collection
    for day in range(month.days):
        start = START + timedelta(days=day)
        todays = list(month.shipments(day, start.weekday()))
        shipped[day] = sum(1 for s in todays if s.customer_id == FALLER)
        items = [e for n, s in enumerate(todays) for e in events(s, start + timedelta(seconds=n))]
        await crm.platform.publisher.send([crm.platform.codec.encode(m, k) for m, k in items])
        total += len(todays)

        async def consumed(expected: int = total) -> bool:
            return await orders.count_documents({}) >= expected

        await until(consumed)
        clock.at = start + timedelta(days=1, minutes=30)
        await asyncio.sleep(0.3)  # the day's late parcels follow their orders on their topic
        await rerank(crm.service)
        scored = {s.customer_id: s for s in await score_accounts(crm.service)}
        last_week = sum(shipped.get(d, 0) for d in range(day - 6, day + 1))
        timeline.append(
            Day(
                day,
                month.volume(partners[1], day),
                last_week / (7 * usual[FALLER]) if day >= 6 else 1.0,
                scored[FALLER].score.risk if FALLER in scored else 0.0,
                max((s.score.risk for c, s in scored.items() if c != FALLER), default=0.0),
                [c for c, s in scored.items() if s.raised],
            )
        )
    return timeline


async def test_the_falling_key_account_is_flagged_before_its_volume_halves(
    infra: InfraEndpoints, unique_name: str
) -> None:
    month = Month()
    clock = Clock(START)
    topics = platform_catalog(unique_name)
    handler, port = Mailbox(), free_port()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    async with AsyncExitStack() as stack:
        crm: CrmApp = await stack.enter_async_context(
            serving(
                await crm_bootstrap(
                    infra.service_settings(CrmSettings, f"{unique_name}_crm"),
                    catalog=topics,
                    registry=CollectorRegistry(),
                )
            )
        )
        notify: NotifyApp = await stack.enter_async_context(
            serving(
                await notify_bootstrap(
                    infra.service_settings(NotifySettings, f"{unique_name}_notify", smtp_port=port),
                    catalog=topics,
                    registry=CollectorRegistry(),
                )
            )
        )
        crm.service.clock = clock  # type: ignore[assignment]
        notify.service.clock = clock  # type: ignore[assignment]
        lines = [json.dumps(p.archive, ensure_ascii=False) for p in month.partners()]
        await import_customers(crm.service, parse(lines, "86", 100, 16 * 1024))
        transport = httpx.ASGITransport(app=crm.api)
        async with httpx.AsyncClient(transport=transport, base_url="http://crm") as rest:
            for manager in MANAGERS:
                assert (await rest.post("/v1/managers", json=manager)).status_code == 201
        await rerank(crm.service)  # the key accounts get their managers
        relay = crm.platform.relay(poll_interval_s=0.05)
        async with running(crm_consumer(crm.platform, crm.service), relay):
            timeline = await play(crm, month, clock)
        async with running(notify_consumer(notify.platform, notify.service)):

            async def alerted() -> bool:
                found = await notify.service.store.messages.collection.count_documents(
                    {"moment": "churn_risk"}
                )
                return found > 0

            await until(alerted)
            await asyncio.sleep(0.5)  # anything else on the topic is read too
        mailer = SmtpMailer("127.0.0.1", port, "Fairwind <notify@fairwind.dev>", timeout_s=5)
        no_sms = SmsProvider("http://127.0.0.1:9", "AC" + "0" * 32, "-", "+8610950000")
        out = Outbound(mailer, no_sms, Renderer.load(), rng=random.Random(1))
        while await send_due(notify.service, out, Channel.EMAIL):
            pass
        await out.close()
        faller = await crm.service.store.customers.get(FALLER)
        assert faller is not None
    smtp.stop()

    print("\nday  planned  shipped_7d  risk   steady_max  raised")
    for d in timeline:
        print(
            f"{d.day:3d}  {d.planned:6.0%}  {d.shipped_7d:9.0%}  {d.risk:5.2f}  "
            f"{d.steady_max:9.2f}  {','.join(d.raised)}"
        )
    raised = [(d.day, c) for d in timeline for c in d.raised]
    assert [c for _, c in raised] == [FALLER]  # one alert, the faller's; no steady partner
    day = raised[0][0]
    alert = timeline[day]
    assert alert.planned > 0.5, "flagged only after its volume halved"
    assert alert.shipped_7d > 0.5
    assert max(d.steady_max for d in timeline) < 0.5
    churn_mails = [m for m in handler.received if m["Subject"].startswith("流失预警")]
    manager = next(m for m in MANAGERS if m["id"] == faller.get("account_manager_id"))
    assert [m["To"] for m in churn_mails] == [manager["email"]]
    assert "顺达贸易" in churn_mails[0]["Subject"]  # p02, the faller
