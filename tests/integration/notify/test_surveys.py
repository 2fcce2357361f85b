"""Surveys after delivery: an e-mail with a signed link some time after the delivery, the
page it opens, one answer kept and published as SurveyAnswered."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from fairwind.v1 import common_pb2, crm_pb2
from services.notify import handlers
from services.notify.bootstrap import NotifyApp
from services.notify.channels.email import SmtpMailer
from services.notify.channels.sms import SmsProvider
from services.notify.domain.rules import Channel
from services.notify.rendering import Renderer
from services.notify.sending import Outbound, send_due
from tests.integration.notify.conftest import Inbox, as_event, decisions, order, parts, status
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
W = "FW000000000400"


async def delivered_and_surveyed(notify: NotifyApp, port: int, handler: Inbox) -> str:
    """Book and deliver W, let the survey's wait pass, send; the survey link e-mailed."""
    booked = order(W)
    booked.order.customer_id = "cust-42"
    booked.order.notification_preferences.language = "en"
    done = status(W, common_pb2.SHIPMENT_STATUS_DELIVERED)
    await handlers.on_events(
        notify.service, [as_event(notify, booked, W), as_event(notify, done, W)]
    )
    mailer = SmtpMailer("127.0.0.1", port, "Fairwind <notify@fairwind.dev>", timeout_s=5)
    no_sms = SmsProvider("http://127.0.0.1:9", "AC" + "0" * 32, "-", "+8610950000")
    out = Outbound(mailer, no_sms, Renderer.load(), rng=random.Random(1))
    await send_due(notify.service, out, Channel.EMAIL)
    assert all("How did we do" not in m["Subject"] for m in handler.received)  # not yet
    assert (await decisions(notify, W))["survey:recipient:email:"] == ("deferred", "after_delivery")
    notify.service.clock.at += timedelta(hours=2)  # type: ignore[attr-defined]
    await send_due(notify.service, out, Channel.EMAIL)
    [invite] = [m for m in handler.received if m["Subject"].startswith("How did we do")]
    text = parts(invite)["text/plain"]
    found = re.search(r"https?://\S+/v1/surveys/\S+", text)
    assert found is not None
    assert found.group(0) in parts(invite)["text/html"].replace("&amp;", "&")
    return found.group(0)


async def test_a_delivery_brings_a_survey_that_is_answered_once(
    notify: NotifyApp, inbox: tuple[Inbox, int], page: httpx.AsyncClient
) -> None:
    handler, port = inbox
    link = await delivered_and_surveyed(notify, port, handler)
    parts_of = urlsplit(link)
    path, token = parts_of.path, parse_qs(parts_of.query)["t"][0]
    shown = await page.get(f"{path}?t={token}")
    assert shown.status_code == 200
    assert f"delivery of {W}" in shown.text
    assert 'name="score"' in shown.text
    form = {"t": token, "score": "4", "recommend": "9", "comment": "on time <3"}
    kept = await page.post(path, data=form)
    assert kept.status_code == 201
    assert "Thank you" in kept.text
    again = await page.post(path, data=form | {"score": "1"})
    assert again.status_code == 409
    assert_problem(
        await page.post(path, json={"token": token, "score": 2}), 409, "already_answered"
    )
    docs = await notify.platform.outbox.records.find().to_list()
    answers = [
        crm_pb2.SurveyAnswered.FromString(d["value"])
        for d in docs
        if d["event_type"].endswith("SurveyAnswered")
    ]
    assert len(answers) == 1
    [told] = answers
    assert (told.waybill, told.customer_id, told.score, told.recommend) == (W, "cust-42", 4, 9)
    assert told.comment == "on time <3"
    answered_page = await page.get(f"{path}?t={token}")
    assert "already been answered" in answered_page.text


async def test_a_forged_link_or_a_bad_answer_changes_nothing(
    notify: NotifyApp, inbox: tuple[Inbox, int], page: httpx.AsyncClient
) -> None:
    handler, port = inbox
    link = await delivered_and_surveyed(notify, port, handler)
    path, token = urlsplit(link).path, parse_qs(urlsplit(link).query)["t"][0]
    forged = "A" * len(token)
    assert (await page.get(f"{path}?t={forged}")).status_code == 404
    assert (await page.get(f"/v1/surveys/sv_FW000000000999?t={token}")).status_code == 404
    assert_problem(await page.post(path, json={"token": forged, "score": 5}), 404, "not_found")
    assert_problem(await page.post(path, json={"token": token, "score": 9}), 422, "invalid_answer")
    assert_problem(await page.post(path, content=b"[1]"), 400, "invalid_body")
    assert await notify.service.store.surveys.get(f"sv_{W}") is None
