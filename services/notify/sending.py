"""Sending what is due: a sender per channel (e-mail, SMS) claims due messages from the
queue (``messages``), renders each in its person's language with times in their zone,
hands it to the channel (the SMTP server, the SMS provider) and records the outcome with
its event in one unit of work. One channel's outage never holds up the other's messages.

- Sent: ``NotificationSent`` with the other side's id (Message-ID, SMS sid) and the round
  trip.
- Not sent, but may be later (4xx from SMTP, 5xx/429 from the provider, a timeout, no
  connection): due again on the retry schedule (``domain/retries.py``; a ``Retry-After``
  honoured), ``NotificationFailed`` with ``will_retry`` and the time.
- Not sent for good (a refusal, a template that cannot be filled, a day of retries used
  up): failed, ``NotificationFailed`` without retry.

The schedule lives in MongoDB (``due_at``, ``attempts``, ``first_attempt_at``): a sender
that restarts mid-retry loses nothing, and one that dies mid-send leaves a lease that
runs out (``Messages.claim``). A sender starts a send only if it ends before its lease
does, and records an outcome only for messages it still holds: a message may go twice
(a sender that died after sending), but is recorded, and its event published, once."""

from __future__ import annotations

import functools
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fairwind.domain.privacy import mask_email, mask_phone
from fairwind.runtime.lifecycle import Worker, periodic
from fairwind.v1 import notifications_pb2
from services.notify.channels import Undelivered
from services.notify.channels.email import SmtpMailer
from services.notify.channels.sms import SmsProvider
from services.notify.domain.planning import Parcel, Person
from services.notify.domain.retries import RetryPolicy
from services.notify.domain.rules import Audience, Channel, Moment, Preferences
from services.notify.domain.surveys import survey_id
from services.notify.handlers import CHANNELS, KINDS, TIMES, NotifyService, event_key
from services.notify.rendering import Renderer, TemplateError
from services.notify.store import NotifyUnit

Document = dict[str, Any]


@dataclass
class Outbound:
    mailer: SmtpMailer
    sms: SmsProvider
    renderer: Renderer
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    rng: random.Random = field(default_factory=random.Random)

    @property
    def send_timeout_s(self) -> float:
        """The longest one hand-over may take (the slower channel's timeout)."""
        return max(self.mailer.timeout_s, self.sms.timeout_s)

    async def close(self) -> None:
        await self.mailer.close()
        await self.sms.close()

    async def deliver(self, doc: Document, person: Person) -> tuple[str, str]:
        """Hand one message to its channel: the id the other side gave it, and the
        language it went out in. Raises ``Undelivered`` or ``TemplateError``."""
        moment, language = Moment(doc["moment"]), person.prefs.language
        context = localized(doc["context"], person.prefs.zone)
        if doc["channel"] == Channel.SMS:
            text = self.renderer.sms(moment, language, context)
            return await self.sms.send(doc["address"], text, doc["_id"]), language
        email = self.renderer.email(moment, language, context)
        return await self.mailer.send(doc["address"], email, doc["_id"]), email.language


def senders(svc: NotifyService, out: Outbound) -> list[Worker]:
    """One sender per channel, each on its own round."""

    def worker(channel: Channel) -> Worker:
        async def work() -> None:
            await send_due(svc, out, channel)
            await gauge_waiting(svc, channel)

        return periodic(f"notify-{channel.value}", work, svc.settings.send_interval_s)

    return [worker(Channel.EMAIL), worker(Channel.SMS)]


async def gauge_waiting(svc: NotifyService, channel: Channel) -> None:
    """The queue's depth for ``channel``, after each round."""
    found = await svc.store.messages.waiting()
    for status in ("queued", "deferred", "sending"):
        count = found.get((channel.value, status), 0)
        svc.metrics.messages_waiting.labels(channel.value, status).set(count)


CHUNK = 50  # messages claimed, sent and recorded together


async def send_due(svc: NotifyService, out: Outbound, channel: Channel = Channel.EMAIL) -> int:
    """Send up to ``send_batch`` due messages on ``channel``; how many were tried. They are
    claimed ``CHUNK`` at a time, sent one after the other, and each chunk's outcomes are
    recorded in one unit of work: a sender that dies mid-chunk sends those again once
    their lease ends (at least once), never loses one."""
    tried = 0
    while tried < svc.settings.send_batch:
        now = svc.clock.now()
        # The lease is wall time (how long a send may take), the queue's times business
        # time: on a simulation's compressed clock it covers as many business seconds.
        lease = now + timedelta(seconds=svc.settings.send_lease_s * svc.clock.speed)
        room = min(CHUNK, svc.settings.send_batch - tried)
        claimed = await svc.store.messages.claim(channel.value, now, lease, room)
        if not claimed:
            break
        claim = claimed[0]["claim"]
        outcomes = await _send_while_leased(svc, out, claimed, lease)
        untried = [doc["_id"] for doc in claimed[len(outcomes) :]]

        record = functools.partial(_record, claim=claim, done=outcomes, untried=untried)
        mine = await svc.uow.run(record)
        for key, _, _, labels in outcomes:
            if key in mine:
                svc.metrics.decisions.labels(*labels).inc()
        tried += len(outcomes)
        if untried:
            break  # the rest goes with the next round's lease
    return tried


async def _record(uow: NotifyUnit, claim: str, done: list[Outcome], untried: list[str]) -> set[str]:
    """The outcomes of the messages still held, with their events; the untried released."""
    mine = await uow.messages.settle(claim, [(key, fields) for key, fields, _, _ in done])
    uow.emit(*(event for key, _, event, _ in done if key in mine))
    await uow.messages.release(claim, untried)
    return mine


async def _send_while_leased(
    svc: NotifyService, out: Outbound, claimed: list[Document], lease: datetime
) -> list[Outcome]:
    """Send the claimed messages in order, as long as one more send would end before the
    lease does (a send may take a channel's timeout): a sender never sends a message that
    another one may have taken since. The outcomes of those sent."""
    parcels = await svc.store.parcels.many({doc["waybill"] for doc in claimed})
    longest = timedelta(seconds=out.send_timeout_s * svc.clock.speed)
    outcomes: list[Outcome] = []
    for doc in claimed:
        now = svc.clock.now()
        if outcomes and now + longest >= lease:  # the first goes on a fresh lease
            break
        outcomes.append(await _send(svc, out, doc, parcels.get(doc["waybill"]), now))
    return outcomes


Outcome = tuple[str, Document, Any, tuple[str, str, str]]  # key, fields, event, metric labels


async def _send(
    svc: NotifyService, out: Outbound, doc: Document, parcel: Parcel | None, now: datetime
) -> Outcome:
    person = _person(doc, parcel)
    started = time.perf_counter()
    try:
        provider_id, language = await out.deliver(doc, person)
    except TemplateError as exc:
        return _not_sent(svc, out, doc, now, f"template: {exc}", retry=False)
    except Undelivered as exc:
        return _not_sent(svc, out, doc, now, str(exc), retry=exc.retry, wait=exc.retry_after)
    latency = time.perf_counter() - started
    event = _sent_event(svc, doc, now, language, provider_id, latency)
    fields = {"status": "sent", "sent_at": now, "provider_message_id": provider_id}
    return doc["_id"], fields, event, (doc["channel"], "sent", "")


def _person(doc: Document, parcel: Parcel | None) -> Person:
    """Who a message goes to: kept with it (account messages), or one of its parcel's."""
    kept = doc.get("person")
    if kept:
        return Person(kept["name"], kept["email"], prefs=Preferences(language=kept["language"]))
    return parcel.people.get(Audience(doc["audience"]), Person()) if parcel else Person()


def _not_sent(
    svc: NotifyService,
    out: Outbound,
    doc: Document,
    now: datetime,
    error: str,
    *,
    retry: bool,
    wait: float | None = None,
) -> Outcome:
    first = doc.get("first_attempt_at") or now
    when = out.policy.next_attempt(first, doc["attempts"], now, out.rng, wait) if retry else None
    if when is None:
        fields = {"status": "failed", "failed_at": now, "last_error": error}
    else:
        fields = {"status": "queued", "due_at": when, "last_error": error}
    event = _failed_event(svc, doc, now, error, when)
    labels = (doc["channel"], "retry" if when else "failed", "")
    return doc["_id"], fields | {"first_attempt_at": first}, event, labels


def localized(context: dict[str, str], zone: str) -> dict[str, str]:
    """The context's times (ISO 8601) as the person reads them: in their zone, to the
    minute; a time the event did not give as a dash."""
    tz = ZoneInfo(zone)
    shown = dict(context)
    for name in TIMES:
        value = context.get(name, "")
        shown[name] = (
            datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
            if value
            else "—"
        )
    shown["reason"] = context.get("reason") or "—"
    return shown


def _sent_event(
    svc: NotifyService, doc: Document, now: datetime, language: str, message_id: str, latency: float
) -> Any:
    survey = survey_id(doc["waybill"]) if doc["moment"] == Moment.SURVEY else ""
    message = notifications_pb2.NotificationSent(
        **_about(doc), language=language, provider_message_id=message_id, survey_id=survey
    )
    message.sent_at.FromDatetime(now)
    message.latency.FromTimedelta(timedelta(seconds=latency))
    return svc.codec.encode(message, event_key(doc))


def _failed_event(
    svc: NotifyService, doc: Document, now: datetime, error: str, retry_at: datetime | None
) -> Any:
    message = notifications_pb2.NotificationFailed(
        **_about(doc), error=error[:500], will_retry=retry_at is not None
    )
    message.failed_at.FromDatetime(now)
    if retry_at is not None:
        message.next_attempt_at.FromDatetime(retry_at)
    return svc.codec.encode(message, event_key(doc))


def _about(doc: Document) -> dict[str, Any]:
    """The fields NotificationSent and NotificationFailed share: which message, to whom."""
    return {
        "notification_id": doc["_id"],
        "waybill": doc["waybill"],
        "recipient_kind": KINDS[Audience(doc["audience"])],
        "recipient": _masked(doc),
        "recipient_id": doc.get("customer_id", ""),
        "channel": CHANNELS[Channel(doc["channel"])],
        "template": doc["moment"],
        "trigger_ce_id": doc["trigger"]["ce_id"],
        "trigger_ce_type": doc["trigger"]["ce_type"],
        "attempt": doc["attempts"],
    }


def _masked(doc: Document) -> str:
    """The address as records may show it (``l***@example.com``, ``+86*******5678``)."""
    if doc["channel"] == Channel.SMS:
        return mask_phone(doc["address"])
    return mask_email(doc["address"])
