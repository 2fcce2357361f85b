"""Who is told what, on which channel, and when: the decision for one moment of a parcel's
life and one person (no I/O; the handlers fetch what it needs and store what it says).

- **Moments** are what happened to the parcel. Each tells the sender, the recipient or both
  on their channels (``TOLD``): the booking (with the tracking link), the pickup, out for
  delivery with the ETA, delivered, a failed delivery or an exception, a promise changed by
  a re-plan, and an SLA at risk (an apology before the breach, not after it).
- **Preferences**: a person can opt out of a channel, of some moments, or of everything.
- **Quiet hours** (SMS only, in the person's own time zone; the platform's unless the
  person set their own): a message due in them is deferred to their end, not dropped.
  E-mail goes at any hour.
- **After a cancellation** only the cancellation itself is told.
- **Frequency cap**: at most ``cap`` messages per parcel and person; the moments that ask
  the person to act or close the story (delivered, a failed delivery) are always told.
- **Dedupe**: one message per parcel, moment, person and channel (``dedupe_key``); a moment
  that can happen again (a new promise) names its occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Moment(StrEnum):
    BOOKED = "booked"
    PICKED_UP = "picked_up"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    EXCEPTION = "exception"
    PROMISE_CHANGED = "promise_changed"
    SLA_AT_RISK = "sla_at_risk"
    CANCELLED = "cancelled"
    SURVEY = "survey"  # after delivery: how did we do? (one link, one answer)
    # About an account, not a parcel (from crm): to its account manager, or to the customer.
    CHURN_RISK = "churn_risk"
    KEY_ACCOUNT_BREACH = "key_account_breach"
    TIER_CHANGED = "tier_changed"
    WEBHOOK_DISABLED = "webhook_disabled"  # to the partner: an endpoint failed for a day


class Audience(StrEnum):
    SENDER = "sender"
    RECIPIENT = "recipient"
    STAFF = "staff"  # an account manager
    CUSTOMER = "customer"  # the booking customer's contact (crm's archive)
    PARTNER = "partner"  # a partner's technical contact (its endpoint's alert e-mail)


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Action(StrEnum):
    SEND = "send"
    DEFER = "defer"
    SUPPRESS = "suppress"


E, S = Channel.EMAIL, Channel.SMS
TOLD: dict[Moment, dict[Audience, tuple[Channel, ...]]] = {
    Moment.BOOKED: {Audience.SENDER: (E,), Audience.RECIPIENT: (E, S)},
    Moment.PICKED_UP: {Audience.SENDER: (E,)},
    Moment.OUT_FOR_DELIVERY: {Audience.RECIPIENT: (S, E)},
    Moment.DELIVERED: {Audience.SENDER: (E,), Audience.RECIPIENT: (E, S)},
    Moment.DELIVERY_FAILED: {Audience.SENDER: (E,), Audience.RECIPIENT: (S, E)},
    Moment.EXCEPTION: {Audience.SENDER: (E,), Audience.RECIPIENT: (E,)},
    Moment.PROMISE_CHANGED: {Audience.SENDER: (E,), Audience.RECIPIENT: (E, S)},
    Moment.SLA_AT_RISK: {Audience.SENDER: (E,), Audience.RECIPIENT: (S,)},
    Moment.CANCELLED: {Audience.SENDER: (E,), Audience.RECIPIENT: (E,)},
    Moment.SURVEY: {Audience.RECIPIENT: (E,)},
    Moment.CHURN_RISK: {Audience.STAFF: (E,)},
    Moment.KEY_ACCOUNT_BREACH: {Audience.STAFF: (E,)},
    Moment.TIER_CHANGED: {Audience.CUSTOMER: (E,)},
    Moment.WEBHOOK_DISABLED: {Audience.PARTNER: (E,)},
}
ACCOUNT_MOMENTS = frozenset(
    {Moment.CHURN_RISK, Moment.KEY_ACCOUNT_BREACH, Moment.TIER_CHANGED, Moment.WEBHOOK_DISABLED}
)
ALWAYS_TOLD = frozenset({Moment.DELIVERED, Moment.DELIVERY_FAILED, Moment.CANCELLED})


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(8, 0)

    def end_if_quiet(self, now: datetime, zone: str) -> datetime | None:
        """When the quiet hours around ``now`` end (in UTC as ``now`` is), or None."""
        local = now.astimezone(ZoneInfo(zone))
        clock = local.time()
        if self.start <= self.end:  # e.g. 01:00-06:00 within one day
            quiet = self.start <= clock < self.end
        else:  # across midnight, the usual case
            quiet = clock >= self.start or clock < self.end
        if not quiet:
            return None
        day = local.date() if clock < self.end else local.date() + timedelta(days=1)
        ends = datetime.combine(day, self.end, tzinfo=local.tzinfo)
        return ends.astimezone(now.tzinfo)


@dataclass(frozen=True)
class Preferences:
    zone: str = "Asia/Shanghai"
    language: str = "zh"
    opted_out: frozenset[Channel] = frozenset()
    muted: frozenset[Moment] = frozenset()  # moments the person does not want to hear of
    unsubscribed: bool = False  # from everything
    quiet: QuietHours | None = None  # None: the platform's; start == end: none at all


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str = ""  # why a message is deferred or suppressed (NotificationSuppressed)
    at: datetime | None = None  # when a deferred message goes


@dataclass(frozen=True)
class Rules:
    quiet: QuietHours = field(default_factory=QuietHours)
    cap: int = 8
    survey_after: timedelta = timedelta(hours=2)  # asked once the parcel has been opened

    def decide(
        self,
        moment: Moment,
        audience: Audience,
        channel: Channel,
        prefs: Preferences,
        now: datetime,
        *,
        cancelled: bool = False,
        already_told: int = 0,
    ) -> Decision:
        """What to do with one message; ``already_told``: messages this person has had
        about the parcel."""
        if channel not in TOLD.get(moment, {}).get(audience, ()):
            return Decision(Action.SUPPRESS, "not_told")
        if prefs.unsubscribed or channel in prefs.opted_out or moment in prefs.muted:
            return Decision(Action.SUPPRESS, "opted_out")
        if cancelled and moment is not Moment.CANCELLED:
            return Decision(Action.SUPPRESS, "cancelled")
        if already_told >= self.cap and moment not in ALWAYS_TOLD:
            return Decision(Action.SUPPRESS, "frequency_cap")
        if moment is Moment.SURVEY:
            return Decision(Action.DEFER, "after_delivery", now + self.survey_after)
        quiet = prefs.quiet or self.quiet
        if channel is Channel.SMS and quiet.start != quiet.end:
            ends = quiet.end_if_quiet(now, prefs.zone)
            if ends is not None:
                return Decision(Action.DEFER, "quiet_hours", ends)
        return Decision(Action.SEND)


def dedupe_key(
    waybill: str, moment: Moment, audience: Audience, channel: Channel, occurrence: str = ""
) -> str:
    """One message per parcel, moment, person and channel (and occurrence, for a moment
    that can happen again: each new promise)."""
    return ":".join((waybill, moment, audience, channel, occurrence))
