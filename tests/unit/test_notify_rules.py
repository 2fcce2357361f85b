"""Notify's rules: who is told, quiet hours in the person's zone, opt-outs, cancellation,
the frequency cap, dedupe keys; and the retry schedule of failed deliveries."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest

from fairwind.v1 import common_pb2
from services.notify.domain.moments import preferences_of
from services.notify.domain.retries import RetryPolicy, Verdict, retry_after_s, verdict
from services.notify.domain.rules import (
    Action,
    Audience,
    Channel,
    Decision,
    Moment,
    Preferences,
    QuietHours,
    Rules,
    dedupe_key,
)

RULES = Rules()
SHANGHAI = Preferences()
LONDON = Preferences(zone="Europe/London", language="en")
NOON_CST = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
LATE_CST = datetime(2026, 12, 3, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai, 14:30 in London


def decide(
    moment: Moment,
    audience: Audience,
    channel: Channel,
    *,
    now: datetime = NOON_CST,
    prefs: Preferences = SHANGHAI,
    cancelled: bool = False,
    already_told: int = 0,
) -> Decision:
    return RULES.decide(
        moment, audience, channel, prefs, now, cancelled=cancelled, already_told=already_told
    )


def test_out_for_delivery_is_told_to_the_recipient_by_sms_not_to_the_sender() -> None:
    assert decide(Moment.OUT_FOR_DELIVERY, Audience.RECIPIENT, Channel.SMS).action is Action.SEND
    told = decide(Moment.OUT_FOR_DELIVERY, Audience.SENDER, Channel.EMAIL)
    assert (told.action, told.reason) == (Action.SUPPRESS, "not_told")


def test_an_sms_in_quiet_hours_waits_for_their_end_in_the_persons_zone() -> None:
    deferred = decide(Moment.OUT_FOR_DELIVERY, Audience.RECIPIENT, Channel.SMS, now=LATE_CST)
    assert (deferred.action, deferred.reason) == (Action.DEFER, "quiet_hours")
    assert deferred.at == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # 08:00 next day in Shanghai
    early = decide(
        Moment.OUT_FOR_DELIVERY,
        Audience.RECIPIENT,
        Channel.SMS,
        now=datetime(2026, 12, 3, 23, 0, tzinfo=UTC),  # 07:00 in Shanghai: ends at 08:00
    )
    assert early.at == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    london = decide(
        Moment.OUT_FOR_DELIVERY, Audience.RECIPIENT, Channel.SMS, now=LATE_CST, prefs=LONDON
    )
    assert london.action is Action.SEND
    mail = decide(Moment.DELIVERED, Audience.RECIPIENT, Channel.EMAIL, now=LATE_CST)
    assert mail.action is Action.SEND  # e-mail goes at any hour


def test_opt_outs_and_unsubscribing_are_respected() -> None:
    no_sms = Preferences(opted_out=frozenset({Channel.SMS}))
    assert decide(Moment.DELIVERED, Audience.RECIPIENT, Channel.SMS, prefs=no_sms).reason == (
        "opted_out"
    )
    assert decide(Moment.DELIVERED, Audience.RECIPIENT, Channel.EMAIL, prefs=no_sms).action is (
        Action.SEND
    )
    gone = Preferences(unsubscribed=True)
    assert decide(Moment.CANCELLED, Audience.SENDER, Channel.EMAIL, prefs=gone).reason == (
        "opted_out"
    )


def test_after_a_cancellation_only_the_cancellation_is_told() -> None:
    later = decide(Moment.PICKED_UP, Audience.SENDER, Channel.EMAIL, cancelled=True)
    assert (later.action, later.reason) == (Action.SUPPRESS, "cancelled")
    told = decide(Moment.CANCELLED, Audience.SENDER, Channel.EMAIL, cancelled=True)
    assert told.action is Action.SEND


def test_the_frequency_cap_spares_what_asks_the_person_to_act() -> None:
    capped = decide(Moment.PROMISE_CHANGED, Audience.SENDER, Channel.EMAIL, already_told=8)
    assert (capped.action, capped.reason) == (Action.SUPPRESS, "frequency_cap")
    below = decide(Moment.PROMISE_CHANGED, Audience.SENDER, Channel.EMAIL, already_told=7)
    assert below.action is Action.SEND
    for moment in (Moment.DELIVERED, Moment.DELIVERY_FAILED):
        assert decide(moment, Audience.SENDER, Channel.EMAIL, already_told=99).action is (
            Action.SEND
        )


def test_the_same_moment_twice_is_one_message_a_new_promise_another() -> None:
    first = dedupe_key("FW1", Moment.DELIVERED, Audience.RECIPIENT, Channel.SMS)
    assert first == dedupe_key("FW1", Moment.DELIVERED, Audience.RECIPIENT, Channel.SMS)
    assert first != dedupe_key("FW1", Moment.DELIVERED, Audience.RECIPIENT, Channel.EMAIL)
    one = dedupe_key("FW1", Moment.PROMISE_CHANGED, Audience.SENDER, Channel.EMAIL, "v2")
    assert one != dedupe_key("FW1", Moment.PROMISE_CHANGED, Audience.SENDER, Channel.EMAIL, "v3")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, Verdict.DELIVERED),
        (204, Verdict.DELIVERED),
        (None, Verdict.RETRY),  # timeout or connection error
        (500, Verdict.RETRY),
        (503, Verdict.RETRY),
        (408, Verdict.RETRY),
        (429, Verdict.RETRY),
        (400, Verdict.REFUSED),
        (401, Verdict.REFUSED),
        (410, Verdict.REFUSED),
        (301, Verdict.REFUSED),  # redirects are not followed
    ],
)
def test_which_answers_are_tried_again(status: int | None, expected: Verdict) -> None:
    assert verdict(status) is expected


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert retry_after_s("120", now) == 120
    assert retry_after_s("Thu, 03 Dec 2026 12:05:00 GMT", now) == 300
    assert retry_after_s("Thu, 03 Dec 2026 11:00:00 GMT", now) == 0
    assert retry_after_s("soon", now) is None
    assert retry_after_s(None, now) is None


def test_backoff_doubles_with_jitter_up_to_the_cap_and_honours_retry_after() -> None:
    policy = RetryPolicy(first_s=5, cap_s=3600, jitter=0.2)
    rng = random.Random(1)
    waits = [policy.wait_s(n, rng) for n in range(1, 14)]
    for n, wait in enumerate(waits, start=1):
        base = min(3600, 5 * 2 ** (n - 1))
        assert base * 0.8 <= wait <= base * 1.2
    assert policy.wait_s(1, rng, retry_after=900) == 900
    assert len({round(policy.wait_s(3, random.Random(seed)), 3) for seed in range(20)}) > 10


def test_a_message_gets_about_a_day_and_a_failing_endpoint_is_disabled() -> None:
    policy = RetryPolicy()
    rng = random.Random(2)
    first = datetime(2026, 12, 3, tzinfo=UTC)
    now, attempts = first, 1
    while (when := policy.next_attempt(first, attempts, now, rng)) is not None:
        now, attempts = when, attempts + 1
    assert timedelta(hours=23) <= now - first <= timedelta(hours=24)
    assert 25 <= attempts <= 40
    assert not policy.disables(None, now)
    assert not policy.disables(first, first + timedelta(hours=23))
    assert policy.disables(first, first + timedelta(hours=24))


def test_a_muted_moment_is_not_told_and_others_are() -> None:
    prefs = Preferences(muted=frozenset({Moment.PICKED_UP}))
    assert decide(Moment.PICKED_UP, Audience.SENDER, Channel.EMAIL, prefs=prefs).reason == (
        "opted_out"
    )
    assert decide(Moment.DELIVERED, Audience.SENDER, Channel.EMAIL, prefs=prefs).action is (
        Action.SEND
    )


def test_a_persons_own_quiet_hours_replace_the_platforms() -> None:
    night_owl = Preferences(quiet=QuietHours(time(1, 0), time(6, 0)))
    at_2230 = decide(
        Moment.OUT_FOR_DELIVERY, Audience.RECIPIENT, Channel.SMS, now=LATE_CST, prefs=night_owl
    )
    assert at_2230.action is Action.SEND
    at_0300 = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)  # 03:00 in Shanghai
    held = decide(
        Moment.OUT_FOR_DELIVERY, Audience.RECIPIENT, Channel.SMS, now=at_0300, prefs=night_owl
    )
    assert held.at == datetime(2026, 12, 3, 22, 0, tzinfo=UTC)  # 06:00 in Shanghai
    never_quiet = Preferences(quiet=QuietHours(time(0, 0), time(0, 0)))
    anytime = decide(
        Moment.OUT_FOR_DELIVERY, Audience.RECIPIENT, Channel.SMS, now=at_0300, prefs=never_quiet
    )
    assert anytime.action is Action.SEND


def test_an_orders_preferences_in_the_rules_terms() -> None:
    given = common_pb2.NotificationPreferences(
        channels=[common_pb2.CHANNEL_SMS],
        language="en-GB",
        opt_out_statuses=[common_pb2.SHIPMENT_STATUS_PICKED_UP],
        quiet_hours_start_minute=22 * 60,
        quiet_hours_end_minute=7 * 60 + 30,
        time_zone="Europe/London",
    )
    prefs = preferences_of(given)
    assert prefs.opted_out == frozenset({Channel.EMAIL})  # only SMS was chosen
    assert prefs.muted == frozenset({Moment.PICKED_UP})
    assert prefs.quiet == QuietHours(time(22, 0), time(7, 30))
    assert (prefs.zone, prefs.language) == ("Europe/London", "en-GB")
    assert preferences_of(common_pb2.NotificationPreferences()) == Preferences()


def test_a_recipient_who_opted_out_of_surveys_gets_none() -> None:
    prefs = preferences_of(common_pb2.NotificationPreferences(opt_out_surveys=True))
    assert prefs.muted == frozenset({Moment.SURVEY})
    survey = decide(Moment.SURVEY, Audience.RECIPIENT, Channel.EMAIL, prefs=prefs)
    assert survey.action is Action.SUPPRESS
    delivered = decide(Moment.DELIVERED, Audience.RECIPIENT, Channel.EMAIL, prefs=prefs)
    assert delivered.action is Action.SEND  # only the survey is muted
