"""Notify's event handler on in-memory repositories and the kit's fake unit of work: a
booking keeps the parcel and plans its messages, a status, a re-plan or an SLA warning
becomes its moment (an SMS held in quiet hours, the survey after a delivery), a person's
choices and a cancellation suppress (and are published), the same moment twice is one
message, and the cap counts a batch's own messages. Events before their order and
webhooks: test_notify_handlers_early_and_webhooks.py."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from fairwind.v1 import common_pb2, notifications_pb2, routes_pb2, sla_pb2
from services.notify.domain.links import link_token
from services.notify.domain.rules import Rules
from services.notify.domain.surveys import survey_id, token
from tests.unit.notify_fakes import LINK_KEY, NIGHT, NOON, Fakes, cancelled, order, status

W, W2 = "FW000000000076", "FW000000000084"
S, R = common_pb2, notifications_pb2
AT_NOON = "2026-12-03T04:00:00Z"  # the occurrence of a status changed at NOON
BOOKED = ("booked:sender:email:", "booked:recipient:email:", "booked:recipient:sms:")


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


async def test_a_booking_is_kept_and_queues_the_senders_mail_and_the_recipients_mail_and_sms(
    fakes: Fakes,
) -> None:
    (booked,) = await fakes.handle(order(W))

    assert fakes.decisions(W) == dict.fromkeys(BOOKED, ("queued", ""))
    sms = fakes.message(W, "booked:recipient:sms:")
    assert (sms["address"], sms["action"], sms["due_at"]) == ("+8613912345678", "send", NOON)
    assert sms["trigger"] == {"ce_id": booked.id, "ce_type": booked.type}
    settings = fakes.svc.settings
    context = fakes.message(W, "booked:sender:email:")["context"]
    signature = link_token(LINK_KEY, "unsubscribe", f"{W}:sender")
    assert context == {
        "waybill": W,
        "shipper_name": "Acme",
        "tracking_url": settings.public_tracking_url + W,
        "unsubscribe_url": f"{settings.unsubscribe_url_base}{W}?a=sender&t={signature}",
        "reason": "",
        "at": "2026-12-03T04:00:00+00:00",
        "promise": "2026-12-04T10:00:00+00:00",
        "eta": "",
        "previous_promise": "",
        "deadline": "",
    }
    parcel = fakes.parcels.docs[W]
    assert (parcel["partner_id"], parcel["partner_order_id"], parcel["cancelled_at"]) == (
        "acme",
        "PO-076",
        None,
    )
    assert parcel["people"]["recipient"]["email"] == "li.lei@example.com"
    assert fakes.units.events == []  # nothing suppressed, nothing published
    assert (fakes.decided("email", "send", ""), fakes.decided("sms", "send", "")) == (2, 1)


async def test_a_channel_without_an_address_is_suppressed_and_published_with_the_reason(
    fakes: Fakes,
) -> None:
    (booked,) = await fakes.handle(order(W, email=""))

    assert fakes.decisions(W)["booked:recipient:email:"] == ("suppressed", "no_contact")
    assert fakes.message(W, "booked:recipient:email:")["due_at"] is None
    expected = R.NotificationSuppressed(
        notification_id=f"{W}:booked:recipient:email:",
        waybill=W,
        recipient_kind=R.RECIPIENT_KIND_CONSIGNEE,
        channel=S.CHANNEL_EMAIL,
        template="booked",
        trigger_ce_id=booked.id,
        trigger_ce_type=booked.type,
        reason=R.SUPPRESSION_REASON_NO_CONTACT,
    )
    expected.suppressed_at.FromDatetime(NOON)
    assert fakes.suppressed() == [expected]
    assert fakes.units.events[0].key == W.encode()  # with the parcel's other records


async def test_at_night_an_sms_waits_for_the_end_of_quiet_hours_and_mail_goes_at_once(
    fakes: Fakes,
) -> None:
    await fakes.handle(order(W))
    fakes.now = NIGHT
    await fakes.handle(status(W, S.SHIPMENT_STATUS_OUT_FOR_DELIVERY, NIGHT))

    at = "2026-12-03T15:00:00Z"  # each time out for delivery is a moment of its own
    found = fakes.decisions(W)
    assert found[f"out_for_delivery:recipient:sms:{at}"] == ("deferred", "quiet_hours")
    assert found[f"out_for_delivery:recipient:email:{at}"] == ("queued", "")
    deferred = fakes.message(W, f"out_for_delivery:recipient:sms:{at}")
    assert deferred["due_at"] == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert fakes.units.events == []


async def test_the_recipients_booked_preferences_are_kept_and_apply_to_later_events(
    fakes: Fakes,
) -> None:
    prefs = S.NotificationPreferences(
        channels=[S.CHANNEL_SMS],
        time_zone="Europe/London",
        opt_out_statuses=[S.SHIPMENT_STATUS_OUT_FOR_DELIVERY],
    )
    await fakes.handle(order(W, prefs=prefs))
    fakes.now = NIGHT  # 15:00 in London: no quiet hours for this recipient
    await fakes.handle(
        status(W, S.SHIPMENT_STATUS_OUT_FOR_DELIVERY, NIGHT),
        status(W, S.SHIPMENT_STATUS_DELIVERED, NIGHT),
    )

    at = "2026-12-03T15:00:00Z"
    found = fakes.decisions(W)
    assert found["booked:recipient:email:"] == ("suppressed", "opted_out")
    assert found[f"out_for_delivery:recipient:sms:{at}"] == ("suppressed", "opted_out")
    assert found["delivered:recipient:sms:"] == ("queued", "")  # not deferred in London
    assert found["delivered:recipient:email:"] == ("suppressed", "opted_out")
    assert found["delivered:sender:email:"] == ("queued", "")  # the sender chose nothing
    assert set(fakes.reasons().values()) == {R.SUPPRESSION_REASON_OPTED_OUT}
    assert len(fakes.reasons()) == 5  # booked and delivered mail, both for out, the survey


async def test_an_unsubscribed_person_is_told_nothing_more_and_the_other_still_is(
    fakes: Fakes,
) -> None:
    await fakes.handle(order(W))
    fakes.parcels.docs[W]["people"]["recipient"]["unsubscribed"] = True
    await fakes.handle(status(W, S.SHIPMENT_STATUS_EXCEPTION))

    found = fakes.decisions(W)
    assert found[f"exception:recipient:email:{AT_NOON}"] == ("suppressed", "opted_out")
    assert found[f"exception:sender:email:{AT_NOON}"] == ("queued", "")
    assert fakes.reasons() == {
        f"exception:recipient:email:{AT_NOON}": R.SUPPRESSION_REASON_OPTED_OUT
    }


async def test_a_status_change_is_its_moment_with_the_events_times_and_reason(
    fakes: Fakes,
) -> None:
    await fakes.handle(order(W))
    failed = status(
        W, S.SHIPMENT_STATUS_DELIVERY_FAILED, reason=S.EXCEPTION_REASON_CONSIGNEE_NOT_HOME
    )
    failed.promise.deliver_by.FromDatetime(datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    await fakes.handle(failed, status(W, S.SHIPMENT_STATUS_IN_TRANSIT))

    moment = {k: v for k, v in fakes.decisions(W).items() if not k.startswith("booked:")}
    assert moment == {  # in transit is told to nobody
        f"delivery_failed:sender:email:{AT_NOON}": ("queued", ""),
        f"delivery_failed:recipient:sms:{AT_NOON}": ("queued", ""),
        f"delivery_failed:recipient:email:{AT_NOON}": ("queued", ""),
    }
    context = fakes.message(W, f"delivery_failed:recipient:sms:{AT_NOON}")["context"]
    assert context["reason"] == "EXCEPTION_REASON_CONSIGNEE_NOT_HOME"
    assert (context["at"], context["eta"], context["promise"]) == (
        "2026-12-03T04:00:00+00:00",
        "2026-12-05T10:00:00+00:00",
        "2026-12-05T10:00:00+00:00",
    )
    assert fakes.early.docs == {}  # the parcel was known: nothing waits


async def test_out_for_delivery_tells_trackings_live_eta_not_the_promise(fakes: Fakes) -> None:
    await fakes.handle(order(W))
    out = status(W, S.SHIPMENT_STATUS_OUT_FOR_DELIVERY)
    out.promise.deliver_by.FromDatetime(datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    out.eta.FromDatetime(datetime(2026, 12, 3, 7, 30, tzinfo=UTC))
    await fakes.handle(out)
    context = fakes.message(W, f"out_for_delivery:recipient:sms:{AT_NOON}")["context"]
    assert (context["eta"], context["promise"]) == (
        "2026-12-03T07:30:00+00:00",
        "2026-12-05T10:00:00+00:00",
    )


async def test_a_delivery_is_followed_by_its_survey_later_with_a_signed_link(
    fakes: Fakes,
) -> None:
    await fakes.handle(order(W))
    await fakes.handle(status(W, S.SHIPMENT_STATUS_DELIVERED))

    assert fakes.decisions(W)["survey:recipient:email:"] == ("deferred", "after_delivery")
    survey = fakes.message(W, "survey:recipient:email:")
    assert survey["due_at"] == NOON + fakes.svc.rules.survey_after
    sid = survey_id(W)
    link = f"{fakes.svc.settings.survey_url_base}{sid}?t={token(LINK_KEY, sid)}"
    assert survey["context"]["survey_url"] == link
    assert "survey_url" not in fakes.message(W, "delivered:recipient:email:")["context"]


async def test_the_same_moment_twice_is_one_message_and_again_later_a_published_duplicate(
    fakes: Fakes,
) -> None:
    await fakes.handle(order(W), order(W2))
    (first,) = await fakes.handle(status(W, S.SHIPMENT_STATUS_DELIVERED))
    stored = copy.deepcopy(fakes.messages.docs)
    (second,) = await fakes.handle(status(W, S.SHIPMENT_STATUS_DELIVERED))  # a second scan

    assert fakes.messages.docs == stored  # as the first event left them
    again = [k for k in fakes.decisions(W) if k.startswith(("delivered:", "survey:"))]
    assert len(again) == 4  # sender mail, recipient mail and sms, the survey
    assert fakes.reasons() == dict.fromkeys(again, R.SUPPRESSION_REASON_DUPLICATE)
    assert {m.trigger_ce_id for m in fakes.suppressed()} == {second.id}
    assert fakes.message(W, "delivered:recipient:sms:")["trigger"]["ce_id"] == first.id
    assert fakes.decided("email", "suppress", "duplicate") == 3

    one, _ = await fakes.handle(*[status(W2, S.SHIPMENT_STATUS_PICKED_UP)] * 2)
    assert fakes.decisions(W2)["picked_up:sender:email:"] == ("queued", "")
    assert fakes.message(W2, "picked_up:sender:email:")["trigger"]["ce_id"] == one.id


async def test_a_cancellation_withdraws_what_waits_and_after_it_only_it_is_told(
    fakes: Fakes,
) -> None:
    await fakes.handle(order(W))
    fakes.now = NIGHT
    await fakes.handle(status(W, S.SHIPMENT_STATUS_OUT_FOR_DELIVERY, NIGHT))
    for doc in fakes.messages.docs.values():  # the sender took what was due
        if doc["status"] == "queued":
            doc["status"] = "sent"
    await fakes.handle(cancelled(W))
    await fakes.handle(status(W, S.SHIPMENT_STATUS_EXCEPTION, NIGHT))

    assert fakes.parcels.docs[W]["cancelled_at"] == NIGHT
    at = "2026-12-03T15:00:00Z"
    held = f"out_for_delivery:recipient:sms:{at}"
    found = fakes.decisions(W)
    assert found[held] == ("suppressed", "cancelled")  # held by quiet hours: never sent
    assert found[f"out_for_delivery:recipient:email:{at}"] == ("sent", "")
    assert found["cancelled:sender:email:"] == found["cancelled:recipient:email:"] == ("queued", "")
    late = [f"exception:sender:email:{at}", f"exception:recipient:email:{at}"]
    assert [found[key] for key in late] == [("suppressed", "cancelled")] * 2
    assert fakes.reasons() == dict.fromkeys([held, *late], R.SUPPRESSION_REASON_CANCELLED)
    assert fakes.decided("sms", "suppress", "cancelled") == 1


async def test_the_cap_counts_the_batchs_own_messages_and_spares_the_moments_always_told() -> None:
    fakes = Fakes(Rules(cap=2))
    await fakes.handle(order(W))
    later = NOON + timedelta(hours=1)
    await fakes.handle(
        status(W, S.SHIPMENT_STATUS_PICKED_UP), status(W, S.SHIPMENT_STATUS_EXCEPTION, later)
    )
    await fakes.handle(status(W, S.SHIPMENT_STATUS_DELIVERED))

    at = "2026-12-03T05:00:00Z"
    found = fakes.decisions(W)
    assert found["picked_up:sender:email:"] == ("queued", "")  # the sender's second
    assert found[f"exception:sender:email:{at}"] == ("suppressed", "frequency_cap")
    assert found[f"exception:recipient:email:{at}"] == ("queued", "")  # the recipient's second
    assert found["delivered:sender:email:"] == found["delivered:recipient:sms:"] == ("queued", "")
    assert found["survey:recipient:email:"] == ("suppressed", "frequency_cap")
    assert set(fakes.reasons().values()) == {R.SUPPRESSION_REASON_FREQUENCY_CAP}


def replanned(waybill: str, before_h: int, after_h: int) -> routes_pb2.RouteReplanned:
    route = routes_pb2.Route(waybill=waybill, version=2)
    route.promise.deliver_by.FromDatetime(datetime(2026, 12, 4, after_h, tzinfo=UTC))
    message = routes_pb2.RouteReplanned(route=route, previous_version=1)
    message.previous_promise.deliver_by.FromDatetime(datetime(2026, 12, 4, before_h, tzinfo=UTC))
    return message


async def test_a_moved_promise_and_an_sla_at_risk_are_told_and_a_kept_promise_is_not(
    fakes: Fakes,
) -> None:
    await fakes.handle(order(W))
    risk = sla_pb2.SlaAtRisk(waybill=W, sla=sla_pb2.SLA_KIND_PROMISE)
    risk.deadline.FromDatetime(datetime(2026, 12, 4, 14, tzinfo=UTC))
    await fakes.handle(replanned(W, 10, 14), risk, replanned(W2, 10, 10))

    found = {k: v for k, v in fakes.decisions(W).items() if not k.startswith("booked:")}
    assert found == {
        "promise_changed:sender:email:v2": ("queued", ""),
        "promise_changed:recipient:email:v2": ("queued", ""),
        "promise_changed:recipient:sms:v2": ("queued", ""),
        "sla_at_risk:sender:email:SLA_KIND_PROMISE": ("queued", ""),
        "sla_at_risk:recipient:sms:SLA_KIND_PROMISE": ("queued", ""),
    }
    moved = fakes.message(W, "promise_changed:recipient:sms:v2")["context"]
    assert (moved["promise"], moved["previous_promise"]) == (
        "2026-12-04T14:00:00+00:00",
        "2026-12-04T10:00:00+00:00",
    )
    at_risk = fakes.message(W, "sla_at_risk:recipient:sms:SLA_KIND_PROMISE")["context"]
    assert at_risk["deadline"] == "2026-12-04T14:00:00+00:00"
    assert (fakes.decisions(W2), fakes.early.docs) == ({}, {})  # kept: nothing, not even parked


async def test_a_recipient_who_opted_out_of_surveys_is_sent_none(fakes: Fakes) -> None:
    await fakes.handle(order(W, prefs=S.NotificationPreferences(opt_out_surveys=True)))
    await fakes.handle(status(W, S.SHIPMENT_STATUS_DELIVERED))

    found = fakes.decisions(W)
    assert found["survey:recipient:email:"] == ("suppressed", "opted_out")
    assert found["delivered:recipient:email:"] == ("queued", "")  # only the survey is muted
