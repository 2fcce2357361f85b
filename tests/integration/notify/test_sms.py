"""SMS through the provider adapter to a local server speaking the provider's API
(``devstack/smsbox.py``): what arrives, and what its refusals and outages do to the
message and its records."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from devstack.smsbox import SmsBox
from fairwind.v1 import common_pb2
from services.notify import handlers
from services.notify.bootstrap import NotifyApp
from services.notify.channels.email import SmtpMailer
from services.notify.channels.sms import SmsProvider
from services.notify.domain.rules import Channel
from services.notify.rendering import Renderer
from services.notify.sending import Outbound, gauge_waiting, send_due
from tests.integration.notify.conftest import (
    NIGHT,
    as_event,
    decisions,
    http_server,
    order,
    records,
    status,
)

pytestmark = pytest.mark.integration
W = "FW000000000084"
PHONE = "+8613912345678"


@pytest.fixture
async def box() -> AsyncIterator[tuple[SmsBox, str]]:
    found = SmsBox()
    async with http_server(found.app()) as url:
        yield found, url


def outbound(url: str, token: str = "local-token") -> Outbound:
    no_mail = SmtpMailer("127.0.0.1", 9, "Fairwind <notify@fairwind.dev>", timeout_s=1)
    sms = SmsProvider(url, SmsBox.account_sid, token, "+8610950000", timeout_s=5)
    return Outbound(no_mail, sms, Renderer.load(), rng=random.Random(5))


async def booked(notify: NotifyApp, phone: str = PHONE, language: str = "zh") -> None:
    message = order(W, phone=phone)
    message.order.notification_preferences.language = language
    await handlers.on_events(notify.service, [as_event(notify, message, W)])


async def test_a_booking_arrives_as_a_text_in_the_persons_language(
    notify: NotifyApp, box: tuple[SmsBox, str]
) -> None:
    server, url = box
    await booked(notify, phone="+86 139-1234 5678", language="en")  # as people write it
    out = outbound(url)
    try:
        assert await send_due(notify.service, out, Channel.SMS) == 1
    finally:
        await out.close()
    [text] = server.received
    assert text["to"] == PHONE  # as the provider takes it: E.164
    assert text["from"] == "+8610950000"
    assert text["body"].startswith(f"[Fairwind] Parcel {W} booked")
    assert f"/v1/track/{W}" in text["body"]
    assert (await decisions(notify, W))["booked:recipient:sms:"] == ("sent", "")
    [sent] = await records(notify, "NotificationSent")
    assert sent.provider_message_id == text["sid"]
    assert sent.channel == common_pb2.CHANNEL_SMS
    assert sent.recipient.endswith("5678")
    assert PHONE not in sent.recipient
    assert await send_due(notify.service, out, Channel.SMS) == 0  # nothing is texted twice


async def test_a_number_the_provider_refuses_fails_the_message_for_good(
    notify: NotifyApp, box: tuple[SmsBox, str]
) -> None:
    server, url = box
    await booked(notify, phone="13912345678")  # not E.164: the provider's error 21211
    out = outbound(url)
    try:
        await send_due(notify.service, out, Channel.SMS)
    finally:
        await out.close()
    assert server.received == []
    assert (await decisions(notify, W))["booked:recipient:sms:"] == ("failed", "")
    [failed] = await records(notify, "NotificationFailed")
    assert "21211" in failed.error
    assert not failed.will_retry


async def test_throttling_waits_as_long_as_the_provider_asks_then_the_text_goes(
    notify: NotifyApp, box: tuple[SmsBox, str]
) -> None:
    server, url = box
    server.fail_next(1, 429, 20429, retry_after="600")
    await booked(notify)
    out = outbound(url)
    clock = notify.service.clock
    start = clock.now()
    try:
        await send_due(notify.service, out, Channel.SMS)
        [doc] = [
            d for d in await notify.service.store.messages.of_parcel(W) if d["channel"] == "sms"
        ]
        assert doc["status"] == "queued"
        assert doc["due_at"] >= start + timedelta(seconds=600)
        assert await send_due(notify.service, out, Channel.SMS) == 0  # not due yet
        clock.at = doc["due_at"]  # type: ignore[attr-defined]
        assert await send_due(notify.service, out, Channel.SMS) == 1
    finally:
        await out.close()
    assert len(server.received) == 1
    assert server.attempts == 2
    [failed] = await records(notify, "NotificationFailed")
    assert failed.will_retry
    assert "20429" in failed.error


async def test_a_dead_provider_or_a_revoked_key_only_delays_the_text(
    notify: NotifyApp, box: tuple[SmsBox, str]
) -> None:
    server, url = box
    await booked(notify)
    dead, revoked = outbound("http://127.0.0.1:9"), outbound(url, token="revoked")
    clock = notify.service.clock
    try:
        for out in (dead, revoked):
            assert await send_due(notify.service, out, Channel.SMS) == 1
            [doc] = await _sms(notify)
            assert doc["status"] == "queued", doc
            clock.at = doc["due_at"]  # type: ignore[attr-defined]
        healthy = outbound(url)
        assert await send_due(notify.service, healthy, Channel.SMS) == 1
        await healthy.close()
    finally:
        await dead.close()
        await revoked.close()
    [doc] = await _sms(notify)
    assert doc["status"] == "sent"
    assert doc["attempts"] == 3
    assert len(server.received) == 1
    failed = await records(notify, "NotificationFailed")
    assert [f.will_retry for f in failed] == [True, True]
    assert "20003" in failed[1].error  # the provider's authentication error


async def test_a_text_deferred_by_quiet_hours_goes_when_they_end(
    notify: NotifyApp, box: tuple[SmsBox, str]
) -> None:
    server, url = box
    clock = notify.service.clock
    clock.at = NIGHT  # type: ignore[attr-defined]
    await booked(notify)
    moved = status(W, common_pb2.SHIPMENT_STATUS_OUT_FOR_DELIVERY)
    moved.occurred_at.FromDatetime(NIGHT)
    await handlers.on_events(notify.service, [as_event(notify, moved, W)])
    out = outbound(url)
    try:
        await send_due(notify.service, out, Channel.SMS)
        assert server.received == []  # 23:00 in Shanghai
        deferred = [d for d in await _sms(notify) if d["status"] == "deferred"]
        assert len(deferred) == 2  # the booking and out for delivery
        await gauge_waiting(notify.service, Channel.SMS)
        gauge = notify.service.metrics.messages_waiting
        shown = {
            (sample.labels["channel"], sample.labels["status"]): sample.value
            for metric in gauge.collect()
            for sample in metric.samples
        }
        assert shown[("sms", "deferred")] == 2  # the queue's depth, as /metrics shows it
        clock.at = max(d["due_at"] for d in deferred)  # type: ignore[attr-defined]
        assert await send_due(notify.service, out, Channel.SMS) == 2
    finally:
        await out.close()
    assert len(server.received) == 2


async def _sms(notify: NotifyApp) -> list[dict[str, Any]]:
    return [d for d in await notify.service.store.messages.of_parcel(W) if d["channel"] == "sms"]
