"""From one moment of a parcel to the messages it calls for: each person the moment is for,
on each of their channels, with the rules' decision (no I/O).

A channel without an address (no e-mail, no phone) is suppressed as ``no_contact``;
channels a moment is not told on make no message at all, so nothing is recorded for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from services.notify.domain.moments import Happened
from services.notify.domain.rules import (
    TOLD,
    Action,
    Audience,
    Channel,
    Decision,
    Preferences,
    Rules,
    dedupe_key,
)


@dataclass(frozen=True)
class Person:
    name: str = ""
    email: str = ""
    phone: str = ""
    prefs: Preferences = field(default_factory=Preferences)

    def address(self, channel: Channel) -> str:
        return self.email if channel is Channel.EMAIL else self.phone


@dataclass(frozen=True)
class Parcel:
    """What notify keeps of an order: its people, and whether it was cancelled."""

    waybill: str
    people: Mapping[Audience, Person]
    cancelled: bool = False
    partner_id: str = ""
    partner_order_id: str = ""  # the partner's own reference, in their webhooks
    customer_id: str = ""  # the booking customer (crm's), on survey answers


@dataclass(frozen=True)
class Planned:
    key: str  # the dedupe key: one message per parcel, moment, person, channel
    audience: Audience
    channel: Channel
    address: str
    decision: Decision


def plan(
    rules: Rules,
    happened: Happened,
    parcel: Parcel,
    now: datetime,
    told: Mapping[Audience, int],
) -> list[Planned]:
    """``told``: how many messages each person has had about the parcel so far."""
    planned: list[Planned] = []
    for audience, channels in TOLD[happened.moment].items():
        person = parcel.people.get(audience, Person())
        for channel in channels:
            key = dedupe_key(
                parcel.waybill, happened.moment, audience, channel, happened.occurrence
            )
            address = person.address(channel)
            if not address:
                decision = Decision(Action.SUPPRESS, "no_contact")
            else:
                decision = rules.decide(
                    happened.moment,
                    audience,
                    channel,
                    person.prefs,
                    now,
                    cancelled=parcel.cancelled,
                    already_told=told.get(audience, 0),
                )
            planned.append(Planned(key, audience, channel, address, decision))
    return planned
