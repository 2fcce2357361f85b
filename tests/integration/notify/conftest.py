"""A notify service on the real broker and mongod, on topics of its own."""

from __future__ import annotations

import email
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.message import Message
from email.policy import default
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from prometheus_client import CollectorRegistry

from fairwind.events import Event, EventCatalog
from fairwind.infra.processes import free_port
from fairwind.infra.pytest_plugin import InfraEndpoints, serving
from fairwind.v1 import (
    common_pb2,
    crm_pb2,
    notifications_pb2,
    orders_pb2,
    routes_pb2,
    sla_pb2,
    tracking_pb2,
)
from services.notify.bootstrap import NotifyApp, bootstrap
from services.notify.settings import NotifySettings

NOON = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai: no quiet hours
NIGHT = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai


def isolated_catalog(name: str) -> EventCatalog:
    return (
        EventCatalog()
        .register(f"{name}.orders.v1", orders_pb2.OrderCreated, orders_pb2.OrderCancelled)
        .register(f"{name}.routes.v1", routes_pb2.RouteReplanned)
        .register(f"{name}.tracking.v1", tracking_pb2.ShipmentStatusChanged)
        .register(f"{name}.sla.v1", sla_pb2.SlaAtRisk)
        .register(
            f"{name}.crm.v1",
            crm_pb2.SurveyAnswered,
            crm_pb2.SegmentChanged,
            crm_pb2.ChurnRiskRaised,
            crm_pb2.KeyAccountBreached,
        )
        .register(
            f"{name}.notifications.v1",
            notifications_pb2.NotificationSent,
            notifications_pb2.NotificationFailed,
            notifications_pb2.NotificationSuppressed,
            notifications_pb2.WebhookEndpointDisabled,
        )
    )


class Clock:
    """The business clock the handlers read, set by the test."""

    speed = 1.0

    def __init__(self) -> None:
        self.at = NOON

    def now(self) -> datetime:
        return self.at


@pytest.fixture
async def notify(infra: InfraEndpoints, unique_name: str) -> AsyncIterator[NotifyApp]:
    settings = infra.service_settings(NotifySettings, unique_name)
    app = await bootstrap(
        settings, catalog=isolated_catalog(unique_name), registry=CollectorRegistry()
    )
    app.service.clock = Clock()  # type: ignore[assignment]
    async with serving(app):
        yield app


def as_event(app: NotifyApp, message: Any, key: str) -> Event[Any]:
    encoded = app.platform.codec.encode(message, key)
    return app.platform.codec.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)


def order(waybill: str, *, email: str = "li.lei@example.com", phone: str = "+8613912345678") -> Any:
    return orders_pb2.OrderCreated(
        order=orders_pb2.Order(
            waybill=waybill,
            partner_id="acme",
            shipper=common_pb2.Contact(name="Acme", email="ship@acme.example", phone=""),
            consignee=common_pb2.Contact(name="李雷", email=email, phone=phone),
        )
    )


def status(waybill: str, code: Any) -> tracking_pb2.ShipmentStatusChanged:
    message = tracking_pb2.ShipmentStatusChanged(waybill=waybill, to_status=code)
    message.occurred_at.FromDatetime(NOON)
    return message


async def decisions(app: NotifyApp, waybill: str) -> dict[str, tuple[str, str]]:
    """Each message key's (status, reason)."""
    docs = await app.service.store.messages.of_parcel(waybill)
    return {doc["_id"].split(":", 1)[1]: (doc["status"], doc["reason"]) for doc in docs}


async def suppressed(app: NotifyApp) -> list[tuple[str, int]]:
    docs = await app.platform.outbox.records.find().sort("_id").to_list()
    found: list[tuple[str, int]] = []
    for doc in docs:
        if doc["event_type"].endswith("NotificationSuppressed"):
            message = notifications_pb2.NotificationSuppressed.FromString(doc["value"])
            found.append((message.notification_id.split(":", 1)[1], message.reason))
    return found


async def records(app: NotifyApp, kind: str) -> list[Any]:
    """The notification records of ``kind`` in the outbox, in order."""
    cls = getattr(notifications_pb2, kind)
    docs = await app.platform.outbox.records.find().sort("_id").to_list()
    return [cls.FromString(d["value"]) for d in docs if d["event_type"].endswith(kind)]


@asynccontextmanager
async def http_server(app: web.Application) -> AsyncIterator[str]:
    """``app`` listening on a free local port, in this event loop; its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


class Inbox:
    """An SMTP server's handler: keeps what it is given, or refuses some recipients."""

    def __init__(self, refuse: str = "") -> None:
        self.received: list[Message] = []
        self.refuse = refuse

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(refuse="nobody@example.com"), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def parts(message: Message) -> dict[str, str]:
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return found


@pytest.fixture
async def page(notify: NotifyApp) -> AsyncIterator[httpx.AsyncClient]:
    """A client of notify's REST app (the pages its messages link to, the partner API)."""
    transport = httpx.ASGITransport(app=notify.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
        yield client
