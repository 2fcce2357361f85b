"""What notify does with the events it consumes: one batched handler for every type.

An order is kept (its people, addresses and preferences) and a cancellation marked (what
was still waiting to be sent about the parcel, a survey or a held SMS, is withdrawn); then
each event that is a moment (``domain/moments.py``) becomes its messages
(``domain/planning.py``), stored in one transaction with a ``NotificationSuppressed`` for
each one decided against. A message already stored under its key (the same moment told
again by a second event) is suppressed as a duplicate. An event read before its order
waits for it (``store/early.py``) and is planned when the order comes, after it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from fairwind.clock import PlatformClock
from fairwind.events import Event, EventCodec
from fairwind.mongo.uow import Units
from fairwind.runtime.lifecycle import Worker, periodic
from fairwind.v1 import common_pb2, notifications_pb2, orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.notify.domain.links import link_token
from services.notify.domain.moments import Happened, follow_ups, moment_of, preferences_of
from services.notify.domain.partners import Endpoint, PartnerEvent, partner_event
from services.notify.domain.planning import Parcel, Person, Planned, plan
from services.notify.domain.rules import Action, Audience, Channel, Moment, Preferences, Rules
from services.notify.domain.surveys import survey_id, token
from services.notify.metrics import NotifyMetrics
from services.notify.settings import NotifySettings
from services.notify.store import NotifyStore, NotifyUnit, endpoint_of, parcel_doc
from services.notify.webhooks.planning import deliveries

Document = dict[str, Any]
REASONS = {
    "opted_out": notifications_pb2.SUPPRESSION_REASON_OPTED_OUT,
    "duplicate": notifications_pb2.SUPPRESSION_REASON_DUPLICATE,
    "no_contact": notifications_pb2.SUPPRESSION_REASON_NO_CONTACT,
    "cancelled": notifications_pb2.SUPPRESSION_REASON_CANCELLED,
    "frequency_cap": notifications_pb2.SUPPRESSION_REASON_FREQUENCY_CAP,
}
KINDS = {
    Audience.SENDER: notifications_pb2.RECIPIENT_KIND_SHIPPER,
    Audience.RECIPIENT: notifications_pb2.RECIPIENT_KIND_CONSIGNEE,
    Audience.STAFF: notifications_pb2.RECIPIENT_KIND_STAFF,
    Audience.CUSTOMER: notifications_pb2.RECIPIENT_KIND_SHIPPER,
}
CHANNELS = {Channel.EMAIL: common_pb2.CHANNEL_EMAIL, Channel.SMS: common_pb2.CHANNEL_SMS}


@dataclass
class NotifyService:
    settings: NotifySettings
    store: NotifyStore
    uow: Units[NotifyUnit]
    codec: EventCodec
    metrics: NotifyMetrics
    rules: Rules = field(default_factory=Rules)
    clock: PlatformClock = field(default_factory=PlatformClock)
    # Signs the links in messages: surveys, opt-outs (settings.message_link_secret; a
    # process's own if none is set).
    link_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))


@dataclass(frozen=True, slots=True)
class Trigger:
    """An event as the messages it causes remember it."""

    message: Any
    ce_id: str
    ce_type: str


async def on_events(
    svc: NotifyService, events: Sequence[Event[Any]], waiting: Sequence[Document] = ()
) -> None:
    """``waiting``: early events whose parcels are stored by now, planned with the batch
    (``replay_waiting``)."""
    now = svc.clock.now()
    orders = {
        e.message.order.waybill: _parcel_of(e.message.order)
        for e in events
        if isinstance(e.message, orders_pb2.OrderCreated)
    }
    early = await svc.store.early.of(list(orders))  # waited for these orders
    early += [doc for doc in waiting if doc["_id"] not in {d["_id"] for d in early}]
    triggers = [Trigger(e.message, e.id, e.type) for e in events] + [
        _replayed(svc, d) for d in early
    ]
    cancelled = {
        t.message.waybill for t in triggers if isinstance(t.message, orders_pb2.OrderCancelled)
    }
    told_of = [_told(t, now) for t in triggers]
    relevant = [(t, h, pe) for t, (h, pe) in zip(triggers, told_of, strict=True) if h or pe]
    waybills = {_waybill(h, pe) for _, h, pe in relevant}
    parcels = await svc.store.parcels.many(waybills - set(orders)) | orders
    told = await svc.store.messages.told({h.waybill for _, h, _ in relevant if h})
    endpoints = await _endpoints(svc, parcels.values(), now)
    docs: dict[str, Document] = {}
    webhooks: list[Document] = []
    parked: list[Document] = []
    for trigger, happened, event in relevant:
        parcel = parcels.get(_waybill(happened, event))
        if parcel is None:
            parked.append(_parked(trigger, _waybill(happened, event), now))
            continue
        if event is not None and parcel.partner_id:
            partner = endpoints.get(parcel.partner_id, [])
            webhooks += deliveries(event, parcel, partner, (trigger.ce_id, trigger.ce_type), now)
        if happened is None:
            continue
        if happened.waybill in cancelled:
            parcel = replace(parcel, cancelled=True)
        for moment in (happened, *follow_ups(happened)):
            counts = {a: told.get((moment.waybill, a.value), 0) for a in Audience}
            for planned in plan(svc.rules, moment, parcel, now, counts):
                if planned.key not in docs:
                    docs[planned.key] = _message(planned, moment, trigger, now)
                    docs[planned.key]["context"] = _context(
                        svc, trigger.message, parcel, moment, planned.audience
                    )
                    if planned.decision.action is not Action.SUPPRESS:
                        told[(moment.waybill, planned.audience.value)] = (
                            counts[planned.audience] + 1
                        )

    async def store(uow: NotifyUnit) -> tuple[list[Document], int]:
        await uow.parcels.add([parcel_doc(parcel, now) for parcel in orders.values()])
        await uow.parcels.cancel(cancelled, now)
        withdrawn = await uow.messages.withdraw_cancelled(cancelled)
        await uow.early.park(parked)
        await uow.early.forget([doc["_id"] for doc in early])
        new_webhooks = await uow.deliveries.insert(webhooks)  # a redelivered event's are kept
        stored = await uow.messages.known(list(docs))
        await uow.messages.insert([doc for key, doc in docs.items() if key not in stored])
        decided = [
            doc | {"action": "suppress", "status": "suppressed", "reason": "duplicate"}
            if key in stored
            else doc
            for key, doc in docs.items()
        ] + [doc | {"action": "suppress", "reason": "cancelled"} for doc in withdrawn]
        uow.emit(
            *(suppressed_event(svc, doc, now) for doc in decided if doc["action"] == "suppress")
        )
        return decided, new_webhooks

    _count(svc, *await svc.uow.run(store), parked=len(parked))


def _count(svc: NotifyService, decided: list[Document], webhooks: int, parked: int) -> None:
    for doc in decided:
        svc.metrics.decisions.labels(doc["channel"], doc["action"], doc["reason"]).inc()
    if parked:
        svc.metrics.decisions.labels("none", "park", "before_its_order").inc(parked)
    if webhooks:
        svc.metrics.decisions.labels("webhook", "send", "").inc(webhooks)


async def replay_waiting(svc: NotifyService, limit: int = 500) -> int:
    """Plan the early events whose order is stored by now; how many. Their order's batch
    plans them when it comes, but an early event parked while another process stored its
    order (two transactions on different collections, neither sees the other) would wait
    for its week otherwise: this sweep, run every ``early_sweep_s``, closes that gap."""
    docs = await svc.store.early.oldest(limit)
    known = await svc.store.parcels.known({doc["waybill"] for doc in docs})
    ready = [doc for doc in docs if doc["waybill"] in known]
    if ready:
        await on_events(svc, [], waiting=ready)
    return len(ready)


def early_sweeper(svc: NotifyService) -> Worker:
    async def work() -> None:
        await replay_waiting(svc)

    return periodic("early-sweeper", work, svc.settings.early_sweep_s)


def _told(trigger: Trigger, now: datetime) -> tuple[Happened | None, PartnerEvent | None]:
    """What an event is to people (a moment) and to partners (a webhook event)."""
    return moment_of(trigger.message), partner_event(trigger.message, now)


def _waybill(happened: Happened | None, event: PartnerEvent | None) -> str:
    if happened is not None:
        return happened.waybill
    assert event is not None
    return event.waybill


async def _endpoints(
    svc: NotifyService, parcels: Iterable[Parcel], now: datetime
) -> dict[str, list[Endpoint]]:
    """The endpoints of the batch's partners, one query for the batch."""
    partners = {parcel.partner_id for parcel in parcels if parcel.partner_id}
    found: dict[str, list[Endpoint]] = {}
    for doc in await svc.store.endpoints.of_partners(partners):
        found.setdefault(doc["partner_id"], []).append(endpoint_of(doc, now))
    return found


def _parked(trigger: Trigger, waybill: str, now: datetime) -> Document:
    return {
        "_id": trigger.ce_id,
        "waybill": waybill,
        "value": trigger.message.SerializeToString(),
        "ce_type": trigger.ce_type,
        "parked_at": now,
    }


def _replayed(svc: NotifyService, doc: Document) -> Trigger:
    """A parked event back as it was read: the catalog decodes it by its ce_type."""
    message = svc.codec.catalog.decode(doc["ce_type"], doc["value"])
    return Trigger(message, doc["_id"], doc["ce_type"])


def _parcel_of(order: orders_pb2.Order) -> Parcel:
    recipient_prefs = preferences_of(order.notification_preferences)
    people = {
        Audience.SENDER: _person(order.shipper, Preferences()),
        Audience.RECIPIENT: _person(order.consignee, recipient_prefs),
    }
    return Parcel(
        order.waybill,
        people,
        partner_id=order.partner_id,
        partner_order_id=order.partner_order_id,
        customer_id=order.customer_id,
    )


def _person(contact: common_pb2.Contact, prefs: Preferences) -> Person:
    return Person(contact.name, contact.email, contact.phone, prefs)


def _message(planned: Planned, happened: Happened, trigger: Trigger, now: datetime) -> Document:
    decision = planned.decision
    status = {Action.SEND: "queued", Action.DEFER: "deferred", Action.SUPPRESS: "suppressed"}
    return {
        "_id": planned.key,
        "waybill": happened.waybill,
        "moment": happened.moment.value,
        "occurrence": happened.occurrence,
        "audience": planned.audience.value,
        "channel": planned.channel.value,
        "address": planned.address,
        "action": decision.action.value,
        "status": status[decision.action],
        "reason": decision.reason,
        "due_at": (decision.at or now) if decision.action is not Action.SUPPRESS else None,
        "attempts": 0,
        "trigger": {"ce_id": trigger.ce_id, "ce_type": trigger.ce_type},
        "created_at": now,
    }


def suppressed_event(svc: NotifyService, doc: Document, now: datetime) -> Any:
    message = notifications_pb2.NotificationSuppressed(
        notification_id=doc["_id"],
        waybill=doc["waybill"],
        recipient_kind=KINDS[Audience(doc["audience"])],
        channel=CHANNELS[Channel(doc["channel"])],
        template=doc["moment"],
        trigger_ce_id=doc["trigger"]["ce_id"],
        trigger_ce_type=doc["trigger"]["ce_type"],
        reason=REASONS.get(doc["reason"], notifications_pb2.SUPPRESSION_REASON_UNSPECIFIED),
    )
    message.suppressed_at.FromDatetime(now)
    return svc.codec.encode(message, event_key(doc))


def event_key(doc: Document) -> str:
    """A message's records go by its parcel, or by its customer for account messages."""
    return str(doc["waybill"] or doc.get("customer_id", ""))


def _context(
    svc: NotifyService, message: Any, parcel: Parcel, happened: Happened, audience: Audience
) -> dict[str, str]:
    """What the templates fill in, kept with the message (times in ISO 8601 UTC; the sender
    shows them in the person's zone). What an event does not say stays empty."""
    sender = parcel.people.get(Audience.SENDER)
    context = dict.fromkeys(TIMES, "") | {
        "waybill": parcel.waybill,
        "shipper_name": sender.name if sender else "",
        "tracking_url": svc.settings.public_tracking_url + parcel.waybill,
        "unsubscribe_url": unsubscribe_link(svc, parcel.waybill, audience),
        "reason": "",
    }
    if happened.moment is Moment.SURVEY:
        survey = survey_id(parcel.waybill)
        link = f"{svc.settings.survey_url_base}{survey}?t={token(svc.link_key, survey)}"
        context["survey_url"] = link
    for name, stamp in _stamps(message).items():
        if stamp.ByteSize():
            context[name] = stamp.ToDatetime(tzinfo=UTC).isoformat()
    reason = getattr(message, "reason", None)
    if isinstance(message, tracking_pb2.ShipmentStatusChanged) and reason:
        context["reason"] = common_pb2.ExceptionReason.Name(reason)
    return context


def unsubscribe_link(svc: NotifyService, waybill: str, audience: Audience) -> str:
    """The opt-out page for one person and parcel, signed so only they can use it."""
    signature = link_token(svc.link_key, "unsubscribe", f"{waybill}:{audience.value}")
    return f"{svc.settings.unsubscribe_url_base}{waybill}?a={audience.value}&t={signature}"


TIMES = ("at", "eta", "promise", "previous_promise", "deadline")


def _stamps(message: Any) -> dict[str, Any]:
    if isinstance(message, orders_pb2.OrderCreated):
        return {"at": message.order.created_at, "promise": message.order.promise.deliver_by}
    if isinstance(message, orders_pb2.OrderCancelled):
        return {"at": message.cancelled_at}
    if isinstance(message, tracking_pb2.ShipmentStatusChanged):
        deliver_by = message.promise.deliver_by
        # the live ETA tracking computed after the change; the promise where it has none
        eta = message.eta if message.eta.ByteSize() else deliver_by
        return {"at": message.occurred_at, "promise": deliver_by, "eta": eta}
    if isinstance(message, routes_pb2.RouteReplanned):
        return {
            "promise": message.route.promise.deliver_by,
            "previous_promise": message.previous_promise.deliver_by,
        }
    if isinstance(message, sla_pb2.SlaAtRisk):
        return {"deadline": message.deadline}
    return {}
