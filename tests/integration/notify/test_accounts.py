"""crm's account events become e-mails: the churn alert and a key account's late parcel to
its account manager, a better tier's services to the customer; once each, through the
real broker and a real SMTP server."""

from __future__ import annotations

import asyncio
import random

import pytest

from fairwind.v1 import common_pb2, crm_pb2, notifications_pb2, sla_pb2
from services.notify.accounts import on_account_events
from services.notify.bootstrap import NotifyApp
from services.notify.channels.email import SmtpMailer
from services.notify.channels.sms import SmsProvider
from services.notify.consumer import event_consumer
from services.notify.domain.rules import Channel
from services.notify.rendering import Renderer
from services.notify.sending import Outbound, send_due
from tests.integration.notify.conftest import NOON, Inbox, as_event, parts, records

pytestmark = pytest.mark.integration
MANAGER = "li.manager@fairwind.example"


def churn_raised(email: str = MANAGER) -> crm_pb2.ChurnRiskRaised:
    message = crm_pb2.ChurnRiskRaised(
        customer_id="acme",
        churn_risk=0.71,
        previous_churn_risk=0.22,
        drivers=["SLA_BREACHES", "VOLUME_DROP"],
        reasons=["14 SLA breaches over the last 30 days.", "Volume down 31% over 7 days."],
        tier=common_pb2.CUSTOMER_TIER_Q1,
        key_account=True,
        account_manager_id="m1",
        account_manager_name="李经理",
        account_manager_email=email,
        customer_name="王芳",
        company="Acme 电商",
    )
    message.raised_at.FromDatetime(NOON)
    return message


def tier_changed(before: int, after: int) -> crm_pb2.SegmentChanged:
    message = crm_pb2.SegmentChanged(
        customer_id="bravo",
        from_tier=before,  # type: ignore[arg-type]
        to_tier=after,  # type: ignore[arg-type]
        customer_name="Zhang Wei",
        company="Bravo Ltd",
        emails=["ops@bravo.example", "boss@bravo.example"],
        account_manager_name="李经理",
        account_manager_email=MANAGER,
    )
    message.changed_at.FromDatetime(NOON)
    return message


def outbound(port: int) -> Outbound:
    mailer = SmtpMailer("127.0.0.1", port, "Fairwind <notify@fairwind.dev>", timeout_s=5)
    no_sms = SmsProvider("http://127.0.0.1:9", "AC" + "0" * 32, "-", "+8610950000")
    return Outbound(mailer, no_sms, Renderer.load(), rng=random.Random(3))


async def test_a_churn_alert_on_the_broker_reaches_the_account_manager_once(
    notify: NotifyApp, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    raised = churn_raised()
    encoded = notify.platform.codec.encode(raised, "acme")
    await notify.platform.publisher.send([encoded, encoded])  # told twice: one message
    consumer = event_consumer(notify.platform, notify.service)
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(600):
            if await notify.service.store.messages.collection.count_documents({}):
                break
            await asyncio.sleep(0.05)
    finally:
        consumer.stop()
        await task
    await on_account_events(notify.service, [as_event(notify, raised, "acme")])  # again
    assert await send_due(notify.service, outbound(port), Channel.EMAIL) == 1
    [mail] = handler.received
    assert mail["To"] == MANAGER
    assert "Acme 电商" in mail["Subject"]
    assert "71%" in mail["Subject"]
    text = parts(mail)["text/plain"]
    assert "14 SLA breaches" in text
    assert "Volume down 31%" in text
    assert "/v1/unsubscribe/" not in text  # a staff alert has no opt-out
    [sent] = await records(notify, "NotificationSent")
    assert sent.recipient_kind == notifications_pb2.RECIPIENT_KIND_STAFF
    assert sent.recipient_id == "acme"
    assert sent.template == "churn_risk"


async def test_a_late_key_account_parcel_names_the_parcel_and_the_count(
    notify: NotifyApp, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    late = crm_pb2.KeyAccountBreached(
        customer_id="acme",
        waybill="FW000000000777",
        sla=sla_pb2.SLA_KIND_PICKUP,
        account_manager_email=MANAGER,
        company="Acme 电商",
        breaches_7d=4,
    )
    late.breached_at.FromDatetime(NOON)
    await on_account_events(notify.service, [as_event(notify, late, "acme")])
    await send_due(notify.service, outbound(port), Channel.EMAIL)
    [mail] = handler.received
    text = parts(mail)["text/plain"]
    assert "FW000000000777" in mail["Subject"]
    assert "近 7 天共有 4 单" in text
    assert "/v1/track/FW000000000777" in text  # the manager can look the parcel up


async def test_a_move_up_tells_every_address_of_the_customer_and_a_move_down_nobody(
    notify: NotifyApp, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    events = [
        tier_changed(common_pb2.CUSTOMER_TIER_Q2, common_pb2.CUSTOMER_TIER_Q1),
        tier_changed(common_pb2.CUSTOMER_TIER_Q1, common_pb2.CUSTOMER_TIER_Q3),
        tier_changed(common_pb2.CUSTOMER_TIER_UNSPECIFIED, common_pb2.CUSTOMER_TIER_Q1),
    ]
    await on_account_events(notify.service, [as_event(notify, e, "bravo") for e in events])
    assert await send_due(notify.service, outbound(port), Channel.EMAIL) == 2
    assert sorted(m["To"] for m in handler.received) == ["boss@bravo.example", "ops@bravo.example"]
    text = parts(handler.received[0])["text/plain"]
    assert "Q1" in handler.received[0]["Subject"]
    assert "专属客户经理" in text
    assert "李经理" in text


async def test_an_alert_without_a_manager_is_recorded_as_suppressed(notify: NotifyApp) -> None:
    await on_account_events(notify.service, [as_event(notify, churn_raised(email=""), "acme")])
    [doc] = await notify.service.store.messages.collection.find().to_list()
    assert (doc["status"], doc["reason"]) == ("suppressed", "no_contact")
    [record] = await records(notify, "NotificationSuppressed")
    assert record.reason == notifications_pb2.SUPPRESSION_REASON_NO_CONTACT
    assert record.recipient_kind == notifications_pb2.RECIPIENT_KIND_STAFF
