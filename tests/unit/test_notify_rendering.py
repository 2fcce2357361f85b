"""Notify's messages: every moment renders in both languages, HTML is escaped, a missing
placeholder or copy is an error at start-up, not a blank in a customer's inbox; and which
events are moments."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.notify.domain.moments import Happened, moment_of
from services.notify.domain.rules import ACCOUNT_MOMENTS, Moment
from services.notify.rendering import TEMPLATES, Renderer, TemplateError

RENDERER = Renderer.load()
CONTEXT: dict[str, Any] = {
    "waybill": "FW000000000076",
    "tracking_url": "https://track.fairwind.dev/v1/track/FW000000000076?t=abc",
    "unsubscribe_url": "https://notify.fairwind.dev/u/xyz",
    "shipper_name": "Acme <script>alert(1)</script> & Co",
    "promise": "2026-12-04 18:00",
    "previous_promise": "2026-12-04 12:00",
    "eta": "16:30",
    "at": "2026-12-03 15:02",
    "deadline": "2026-12-03 16:00",
    "reason": "EXCEPTION_REASON_CONSIGNEE_NOT_HOME",
}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("moment", [m for m in Moment if m not in ACCOUNT_MOMENTS])
def test_every_moment_renders_in_both_languages(moment: Moment, language: str) -> None:
    email = RENDERER.email(moment, language, CONTEXT)
    assert CONTEXT["waybill"] in email.subject
    assert CONTEXT["tracking_url"] in email.text
    assert f'href="{CONTEXT["tracking_url"]}"' in email.html
    assert f'<html lang="{language}">' in email.html
    assert "{{" not in email.text + email.html
    sms = RENDERER.sms(moment, language, CONTEXT)
    assert CONTEXT["waybill"] in sms
    assert sms.startswith("【Fairwind】" if language == "zh" else "[Fairwind] ")


ACCOUNT: dict[str, Any] = {
    "customer_id": "acme",
    "customer_name": "王芳",
    "company": "Acme <b>电商</b>",
    "waybill": "",
    "tracking_url": "",
    "unsubscribe_url": "",
    "tier": "Q1",
    "to_tier": "Q1",
    "risk": "62%",
    "previous_risk": "20%",
    "reasons": "Volume down 30% over the last 7 days.",
    "sla": "pickup",
    "at": "2026-12-03 15:02",
    "breaches_7d": "4",
    "manager_name": "李经理",
    "manager_email": "li@fairwind.example",
    "endpoint_id": "ep_0123",
    "host": "hooks.acme.example",
    "last_error": "HTTP 503",
}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("moment", sorted(ACCOUNT_MOMENTS))
def test_account_messages_render_without_parcel_links(moment: Moment, language: str) -> None:
    email = RENDERER.email(moment, language, ACCOUNT)
    assert "Acme <b>电商</b>" in email.subject
    assert "Acme &lt;b&gt;电商&lt;/b&gt;" in email.html
    assert "href" not in email.html  # no tracking link, no opt-out for a staff alert
    assert "{{" not in email.text + email.html
    assert RENDERER.sms(moment, language, ACCOUNT)


def test_the_churn_alert_says_why_and_the_tier_message_what_it_brings() -> None:
    churn = RENDERER.email(Moment.CHURN_RISK, "en", ACCOUNT)
    assert "62%" in churn.subject
    assert "Volume down 30%" in churn.text
    tier = RENDERER.email(Moment.TIER_CHANGED, "en", ACCOUNT)
    assert "a named account manager" in tier.text
    assert "李经理 (li@fairwind.example)" in tier.text
    second = RENDERER.email(
        Moment.TIER_CHANGED, "zh", ACCOUNT | {"to_tier": "Q2", "manager_name": ""}
    )
    assert "优先揽收" in second.text
    assert "客户经理是" not in second.text


def test_html_is_escaped_and_plain_text_is_not() -> None:
    email = RENDERER.email(Moment.BOOKED, "en", CONTEXT)
    assert "<script>" not in email.html
    assert "Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in email.html
    assert "Acme <script>alert(1)</script> & Co" in email.text
    assert "&lt;" not in email.subject


def test_languages_are_matched_by_their_base_and_unknown_ones_get_chinese() -> None:
    assert RENDERER.email(Moment.DELIVERED, "en-GB", CONTEXT).language == "en"
    assert RENDERER.email(Moment.DELIVERED, "zh-CN", CONTEXT).subject.startswith("包裹")
    assert RENDERER.email(Moment.DELIVERED, "fr", CONTEXT).language == "zh"


def test_a_failures_reason_is_told_in_the_persons_words_not_as_a_code() -> None:
    english = RENDERER.email(Moment.DELIVERY_FAILED, "en", CONTEXT)
    assert "nobody was at home" in english.text
    assert "EXCEPTION_REASON" not in english.text + english.html
    assert "收件人不在" in RENDERER.sms(Moment.DELIVERY_FAILED, "zh", CONTEXT)
    unknown = CONTEXT | {"reason": "EXCEPTION_REASON_SOMETHING_NEW"}  # a newer platform's
    assert "a problem on our side" in RENDERER.sms(Moment.EXCEPTION, "en", unknown)


def test_copy_that_names_no_reason_for_a_code_is_refused_at_start_up(tmp_path: Path) -> None:
    for language in ("zh", "en"):
        text = (TEMPLATES / f"{language}.toml").read_text(encoding="utf-8")
        if language == "en":
            text = text.replace('WEATHER_FLOOD = "flooding"\n', "")
        (tmp_path / f"{language}.toml").write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError, match="en copy names no reason WEATHER_FLOOD"):
        Renderer.load(tmp_path)


def test_a_placeholder_nobody_fills_is_an_error() -> None:
    context = {k: v for k, v in CONTEXT.items() if k != "eta"}
    with pytest.raises(TemplateError, match="eta"):
        RENDERER.sms(Moment.OUT_FOR_DELIVERY, "en", context)


def test_copy_that_lacks_a_moment_is_refused_at_start_up(tmp_path: Path) -> None:
    for language in ("zh", "en"):
        text = (TEMPLATES / f"{language}.toml").read_text(encoding="utf-8")
        if language == "en":
            text = text.replace("[cancelled]", "[cancelled_typo]")
        (tmp_path / f"{language}.toml").write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError, match="en copy of cancelled lacks"):
        Renderer.load(tmp_path)


def status(code: common_pb2.ShipmentStatus, minute: int = 0) -> tracking_pb2.ShipmentStatusChanged:
    message = tracking_pb2.ShipmentStatusChanged(waybill="FW1", to_status=code)
    message.occurred_at.FromDatetime(datetime(2026, 12, 3, 10, minute, tzinfo=UTC))
    return message


def test_which_events_are_moments() -> None:
    order = orders_pb2.OrderCreated(order=orders_pb2.Order(waybill="FW1"))
    assert moment_of(order) == Happened("FW1", Moment.BOOKED)
    assert moment_of(orders_pb2.OrderCancelled(waybill="FW1")) == Happened("FW1", Moment.CANCELLED)
    assert moment_of(status(common_pb2.SHIPMENT_STATUS_DELIVERED)) == Happened(
        "FW1", Moment.DELIVERED
    )
    assert moment_of(status(common_pb2.SHIPMENT_STATUS_IN_TRANSIT)) is None
    first = moment_of(status(common_pb2.SHIPMENT_STATUS_DELIVERY_FAILED, 0))
    second = moment_of(status(common_pb2.SHIPMENT_STATUS_DELIVERY_FAILED, 30))
    assert first is not None
    assert second is not None
    assert first.occurrence != second.occurrence  # each failed attempt is told
    risk = moment_of(sla_pb2.SlaAtRisk(waybill="FW1", sla=sla_pb2.SLA_KIND_PICKUP))
    assert risk == Happened("FW1", Moment.SLA_AT_RISK, "SLA_KIND_PICKUP")
    assert moment_of(sla_pb2.SlaMet(waybill="FW1")) is None


def test_a_replan_is_a_moment_only_when_the_promise_moved() -> None:
    replan = routes_pb2.RouteReplanned(route=routes_pb2.Route(waybill="FW1", version=2))
    replan.route.promise.deliver_by.FromDatetime(datetime(2026, 12, 4, 18, tzinfo=UTC))
    replan.previous_promise.deliver_by.FromDatetime(datetime(2026, 12, 4, 12, tzinfo=UTC))
    assert moment_of(replan) == Happened("FW1", Moment.PROMISE_CHANGED, "v2")
    replan.previous_promise.deliver_by.FromDatetime(datetime(2026, 12, 4, 18, tzinfo=UTC))
    assert moment_of(replan) is None
