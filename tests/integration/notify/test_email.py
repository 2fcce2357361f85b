"""E-mail on a real SMTP server (aiosmtpd): what arrives, what a refusal and a dead server
do to the message and its records."""

from __future__ import annotations

import email
import random
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from email.policy import default
from pathlib import Path

import pytest

from devstack.children import mail_command
from fairwind.infra.processes import free_port, port_open, terminate
from services.notify import handlers
from services.notify.bootstrap import NotifyApp
from services.notify.channels.email import SmtpMailer
from services.notify.channels.sms import SmsProvider
from services.notify.domain.rules import Moment
from services.notify.rendering import Renderer
from services.notify.sending import Outbound, send_due
from services.notify.store import NotifyUnit
from tests.integration.notify.conftest import Inbox, as_event, decisions, order, parts, records

pytestmark = pytest.mark.integration
W = "FW000000000076"


def outbound(port: int) -> Outbound:
    mailer = SmtpMailer("127.0.0.1", port, "Fairwind <notify@fairwind.dev>", timeout_s=5)
    no_sms = SmsProvider("http://127.0.0.1:9", "AC" + "0" * 32, "-", "+8610950000")
    return Outbound(mailer, no_sms, Renderer.load(), rng=random.Random(3))


async def test_a_booking_arrives_as_mime_mail_in_the_persons_language(
    notify: NotifyApp, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    booked = order(W)
    booked.order.notification_preferences.language = "en"
    await handlers.on_events(notify.service, [as_event(notify, booked, W)])
    assert await send_due(notify.service, outbound(port)) == 2  # sender and recipient e-mails
    by_to = {m["To"]: m for m in handler.received}
    english, chinese = by_to["li.lei@example.com"], by_to["ship@acme.example"]
    assert english["Subject"] == f"Parcel {W} booked"
    assert english["Content-Language"] == "en"
    assert chinese["Subject"] == f"包裹 {W} 已下单"
    body = parts(english)
    assert set(body) == {"text/plain", "text/html"}
    link = notify.service.settings.public_tracking_url + W
    assert link in body["text/plain"]
    assert f'href="{link}"' in body["text/html"]
    found = await decisions(notify, W)
    assert found["booked:recipient:email:"][0] == "sent"
    sent = await records(notify, "NotificationSent")
    assert sorted(s.recipient for s in sent) == ["l***@example.com", "s***@acme.example"]
    assert {s.provider_message_id for s in sent} == {m["Message-ID"] for m in handler.received}
    assert await send_due(notify.service, outbound(port)) == 0  # nothing is sent twice


async def test_a_refused_mailbox_fails_the_message_for_good(
    notify: NotifyApp, inbox: tuple[Inbox, int]
) -> None:
    _, port = inbox
    await handlers.on_events(
        notify.service, [as_event(notify, order(W, email="nobody@example.com"), W)]
    )
    await send_due(notify.service, outbound(port))
    assert (await decisions(notify, W))["booked:recipient:email:"][0] == "failed"
    (failed,) = await records(notify, "NotificationFailed")
    assert (failed.will_retry, failed.recipient) == (False, "n***@example.com")
    assert "550" in failed.error


async def test_a_dead_server_only_delays_the_message(
    notify: NotifyApp, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    closed = free_port()  # nothing listens there
    assert await send_due(notify.service, outbound(closed)) == 2
    docs = {d["_id"]: d for d in await notify.service.store.messages.of_parcel(W)}
    mail = docs[f"{W}:booked:recipient:email:"]
    assert (mail["status"], mail["attempts"]) == ("queued", 1)
    clock = notify.service.clock
    assert mail["due_at"] > clock.now()
    assert all(f.will_retry for f in await records(notify, "NotificationFailed"))
    assert await send_due(notify.service, outbound(port)) == 0  # not due yet
    clock.at += timedelta(minutes=5)  # type: ignore[attr-defined]
    assert await send_due(notify.service, outbound(port)) == 2
    assert len(handler.received) == 2
    sent = await records(notify, "NotificationSent")
    assert {s.attempt for s in sent} == {2}


async def test_a_sender_starts_no_send_its_lease_would_not_cover(
    notify: NotifyApp, inbox: tuple[Inbox, int]
) -> None:
    """With a lease shorter than a hand-over may take, each round sends the first message
    it claimed and gives the others back, their attempt not counted."""
    handler, port = inbox
    settings = notify.service.settings
    notify.service.settings = settings.model_copy(update={"send_lease_s": 2.0})
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    assert await send_due(notify.service, outbound(port)) == 1
    assert len(handler.received) == 1
    docs = await notify.service.store.messages.of_parcel(W)
    waiting = [d for d in docs if d["channel"] == "email" and d["status"] == "queued"]
    assert [(d["attempts"], "claim" in d) for d in waiting] == [(0, False)]
    assert await send_due(notify.service, outbound(port)) == 1
    assert len(handler.received) == 2
    assert len(await records(notify, "NotificationSent")) == 2


async def test_a_sender_whose_lease_ran_out_records_nothing_another_took(
    notify: NotifyApp, inbox: tuple[Inbox, int]
) -> None:
    """A sender stalled past its lease: another claims the messages, sends and records
    them; the first one's outcomes are not recorded, and no event is published twice."""
    handler, port = inbox
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    clock = notify.service.clock
    now = clock.now()
    stalled = await notify.service.store.messages.claim(
        "email", now, now + timedelta(seconds=60), 10
    )
    assert len(stalled) == 2
    clock.at = now + timedelta(seconds=61)  # type: ignore[attr-defined]
    assert await send_due(notify.service, outbound(port)) == 2  # the lease ran out: taken

    late = [(doc["_id"], {"status": "sent", "provider_message_id": "late"}) for doc in stalled]

    async def settle_late(uow: NotifyUnit) -> set[str]:
        return await uow.messages.settle(stalled[0]["claim"], late)

    assert await notify.service.uow.run(settle_late) == set()
    docs = await notify.service.store.messages.of_parcel(W)
    assert {d["provider_message_id"] for d in docs if d["channel"] == "email"} == {
        m["Message-ID"] for m in handler.received
    }
    assert len(await records(notify, "NotificationSent")) == 2


@pytest.fixture
def mail_sink(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """``make run``'s SMTP server (devstack), as a process of its own."""
    port, maildir = free_port(), tmp_path / "mail"
    sink = subprocess.Popen(
        mail_command(port, maildir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(400):  # until it listens (the test fails if never)
            if port_open("127.0.0.1", port):
                break
            time.sleep(0.05)
        yield port, maildir
    finally:
        terminate(sink.pid)


async def test_the_make_run_mail_sink_keeps_what_notify_sends(
    mail_sink: tuple[int, Path],
) -> None:
    port, maildir = mail_sink
    context = {"waybill": W, "tracking_url": "http://t/" + W, "unsubscribe_url": "http://u"}
    context |= {"at": "2026-12-03 15:02", "shipper_name": "Acme"}
    delivered = Renderer.load().email(Moment.DELIVERED, "zh", context)
    mailer = SmtpMailer("127.0.0.1", port, "Fairwind <notify@fairwind.dev>", timeout_s=5)
    await mailer.send("li.lei@example.com", delivered, f"{W}:delivered:recipient:email:")
    (kept,) = list((maildir / "new").iterdir())
    message = email.message_from_bytes(kept.read_bytes(), policy=default)
    assert (message["To"], message["Subject"]) == ("li.lei@example.com", delivered.subject)
