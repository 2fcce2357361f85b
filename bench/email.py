"""E-mails per second into a local SMTP server (aiosmtpd, its Maildir handler, in its own
process), through the real sender: claim from the queue, render in the person's language,
hand over on the kept connection, record the outcome with its event.

Bounded in the same run by the same MIME messages sent alone over one connection (what
the SMTP server and the client allow, no queue, no rendering, no records)."""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

import aiosmtplib
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from bench.helpers import Service
from bench.infra import bench_settings, machine
from bench.summary import Figure, record, scaled
from devstack.children import mail_command
from fairwind.v1 import common_pb2, orders_pb2
from services.notify import handlers
from services.notify.bootstrap import NotifyApp, bootstrap
from services.notify.channels.email import SmtpMailer
from services.notify.domain.rules import Channel, Moment
from services.notify.rendering import Renderer
from services.notify.sending import send_due
from services.notify.settings import NotifySettings

ORDERS = int(scaled(2_000, 150))  # two e-mails each: the sender's and the recipient's


def _order(n: int) -> orders_pb2.OrderCreated:
    waybill = f"FW{n:012d}"
    return orders_pb2.OrderCreated(
        order=orders_pb2.Order(
            waybill=waybill,
            partner_id="acme",
            shipper=common_pb2.Contact(name="Acme", email=f"ship{n}@acme.example"),
            consignee=common_pb2.Contact(name="李雷", email=f"li{n}@example.com"),
        )
    )


async def queue(app: NotifyApp) -> int:
    codec = app.platform.codec
    for start in range(0, ORDERS, 500):
        events = []
        for n in range(start, min(start + 500, ORDERS)):
            encoded = codec.encode(_order(n), f"FW{n:012d}")
            events.append(codec.decode(encoded.topic, encoded.key, encoded.value, encoded.headers))
        await handlers.on_events(app.service, events)
    return await app.service.store.messages.collection.count_documents(
        {"status": "queued", "channel": "email"}
    )


async def ceiling(port: int, count: int) -> float:
    """The same kind of message, rendered once, sent ``count`` times on one connection."""
    renderer = Renderer.load()
    mailer = SmtpMailer("127.0.0.1", port, "Fairwind <notify@fairwind.dev>")
    context = {
        "waybill": "FW1",
        "shipper_name": "Acme",
        "tracking_url": "http://t/FW1",
        "unsubscribe_url": "http://u/FW1",
        "reason": "—",
        "at": "—",
        "eta": "—",
        "promise": "—",
        "previous_promise": "—",
        "deadline": "—",
    }
    email = renderer.email(Moment.BOOKED, "zh", context)
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await client.connect()
    started = time.perf_counter()
    for n in range(count):
        await client.send_message(mailer.message(f"li{n}@example.com", email, f"n{n}"))
    elapsed = time.perf_counter() - started
    await client.quit()
    return count / elapsed


async def main() -> None:
    print(f"\n== e-mail: {ORDERS * 2:,} e-mails into aiosmtpd (Maildir); {machine()}")
    with bench_settings("bench-email") as base, tempfile.TemporaryDirectory() as tmp:
        settings = NotifySettings(
            kafka_bootstrap=base.kafka_bootstrap,
            mongo_url=base.mongo_url,
            broker_profile=base.broker_profile,
            message_link_secret=SecretStr("bench"),
            mongo_db=f"bench_email_{uuid.uuid4().hex[:6]}",
            send_batch=10_000,
        )
        server = Service([], {})
        server.argv = mail_command(server.port, Path(tmp) / "mail")[1:]
        server.start()
        app = await bootstrap(settings, registry=CollectorRegistry())
        app.outbound.mailer.port = server.port
        try:
            queued = await queue(app)
            started = time.perf_counter()
            sent = 0
            while sent < queued:
                tried = await send_due(app.service, app.outbound, Channel.EMAIL)
                if tried == 0:
                    break
                sent += tried
            rate = sent / (time.perf_counter() - started)
            top = await ceiling(server.port, min(queued, 2_000))
        finally:
            await app.close()
            server.stop()
    print(f"  sender (queue → render → SMTP → record):  {rate:8,.0f} e-mails/s ({sent:,} sent)")
    print(
        f"  ceiling (the same MIME, one connection):  {top:8,.0f} e-mails/s; ratio {rate / top:.2f}"
    )
    record(
        Figure(
            "email",
            "e-mails/s into aiosmtpd, through the sender",
            rate,
            "/s",
            "(no target)",
            "the same MIME alone",
            top,
        )
    )
