"""Opting out from a message's link: nothing more about the parcel for that person, the
messages still waiting withdrawn and published as suppressed; a forged link does nothing."""

from __future__ import annotations

import random
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from fairwind.v1 import common_pb2, notifications_pb2
from services.notify import handlers
from services.notify.bootstrap import NotifyApp
from services.notify.channels.email import SmtpMailer
from services.notify.channels.sms import SmsProvider
from services.notify.domain.rules import Audience, Channel
from services.notify.rendering import Renderer
from services.notify.sending import Outbound, send_due
from tests.integration.notify.conftest import (
    NIGHT,
    Inbox,
    as_event,
    decisions,
    order,
    parts,
    status,
    suppressed,
)

pytestmark = pytest.mark.integration
W = "FW000000000500"


async def test_the_link_in_an_email_stops_every_later_message_about_the_parcel(
    notify: NotifyApp, inbox: tuple[Inbox, int], page: httpx.AsyncClient
) -> None:
    handler, port = inbox
    notify.service.clock.at = NIGHT  # type: ignore[attr-defined]
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    mailer = SmtpMailer("127.0.0.1", port, "Fairwind <notify@fairwind.dev>", timeout_s=5)
    no_sms = SmsProvider("http://127.0.0.1:9", "AC" + "0" * 32, "-", "+8610950000")
    await send_due(
        notify.service,
        Outbound(mailer, no_sms, Renderer.load(), rng=random.Random(2)),
        Channel.EMAIL,
    )
    [mail] = [m for m in handler.received if m["To"] == "li.lei@example.com"]
    found = re.search(r"https?://\S+/v1/unsubscribe/\S+", parts(mail)["text/plain"])
    assert found is not None
    link = urlsplit(found.group(0))
    query = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert query["a"] == "recipient"
    shown = await page.get(f"{link.path}?{link.query}")
    assert shown.status_code == 200
    assert W in shown.text
    done = await page.post(link.path, data=query)
    assert done.status_code == 200
    found_now = await decisions(notify, W)
    assert found_now["booked:recipient:sms:"] == ("suppressed", "opted_out")  # it was deferred
    withdrawn = [
        k
        for k, r in await suppressed(notify)
        if r == notifications_pb2.SUPPRESSION_REASON_OPTED_OUT
    ]
    assert withdrawn == ["booked:recipient:sms:"]
    moving = status(W, common_pb2.SHIPMENT_STATUS_OUT_FOR_DELIVERY)
    await handlers.on_events(notify.service, [as_event(notify, moving, W)])
    later = {
        k: v
        for k, v in (await decisions(notify, W)).items()
        if k.startswith("out_for_delivery:recipient")
    }
    assert later
    assert set(later.values()) == {("suppressed", "opted_out")}


async def test_a_forged_or_someone_elses_link_changes_nothing(
    notify: NotifyApp, page: httpx.AsyncClient
) -> None:
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    real = handlers.unsubscribe_link(notify.service, W, Audience.RECIPIENT)
    token = parse_qs(urlsplit(real).query)["t"][0]
    for data in (
        {"a": "recipient", "t": "A" * len(token)},
        {"a": "sender", "t": token},  # the recipient's link does not unsubscribe the sender
        {"a": "courier", "t": token},
    ):
        assert (await page.post(f"/v1/unsubscribe/{W}", data=data)).status_code == 404
    assert (await page.get(f"/v1/unsubscribe/{W}?a=recipient&t=x")).status_code == 404
    found = await decisions(notify, W)
    assert all(reason != "opted_out" for _, reason in found.values())
