"""Messages about an account, not a parcel, from crm's events: a key account's churn alert
and a late parcel to its account manager, and the customer's own welcome to a better tier
(the service feedback loop). They join the same queue as parcel messages, so the e-mail
sender sends, retries and records them alike; the person they go to is kept with the
message (there is no parcel to look them up by).

Staff alerts bypass the rules for people (quiet hours, caps, opt-outs are for customers);
a tier message is sent only for a move up, never for a first ranking or a downgrade.
One message per event and address: a redelivered event finds its key stored and is
suppressed as a duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fairwind.events import Event
from fairwind.v1 import crm_pb2, sla_pb2
from services.notify.domain.rules import Audience, Channel, Moment
from services.notify.handlers import NotifyService, suppressed_event
from services.notify.store import NotifyUnit

Document = dict[str, Any]
MAX_ADDRESSES = 3
TIERS = {1: "Q1", 2: "Q2", 3: "Q3", 4: "Q4", 5: "Q5"}
CLOCKS = {
    sla_pb2.SLA_KIND_PICKUP: "pickup",
    sla_pb2.SLA_KIND_OUTLET_DELIVERY: "outlet delivery",
    sla_pb2.SLA_KIND_PROMISE: "delivery promise",
}


async def on_account_events(svc: NotifyService, events: Sequence[Event[Any]]) -> None:
    now = svc.clock.now()
    docs: dict[str, Document] = {}
    for event in events:
        for doc in _messages(svc, event, now):
            docs.setdefault(doc["_id"], doc)

    async def store(uow: NotifyUnit) -> list[Document]:
        stored = await uow.messages.known(list(docs))
        fresh = [doc for key, doc in docs.items() if key not in stored]
        await uow.messages.insert(fresh)
        uow.emit(*(suppressed_event(svc, d, now) for d in fresh if d["action"] == "suppress"))
        return fresh

    for doc in await svc.uow.run(store):
        svc.metrics.decisions.labels(doc["channel"], doc["action"], doc["reason"]).inc()


def _messages(svc: NotifyService, event: Event[Any], now: datetime) -> list[Document]:
    message = event.message
    if isinstance(message, crm_pb2.ChurnRiskRaised):
        context = _account(message) | {
            "tier": TIERS.get(message.tier, "—"),
            "risk": f"{message.churn_risk:.0%}",
            "previous_risk": f"{message.previous_churn_risk:.0%}",
            "reasons": " ".join(message.reasons) or "—",
        }
        occurrence = message.raised_at.ToJsonString()
        to = [(message.account_manager_name, message.account_manager_email)]
        return _planned(event, Moment.CHURN_RISK, Audience.STAFF, occurrence, to, context, now)
    if isinstance(message, crm_pb2.KeyAccountBreached):
        context = _account(message) | {
            "waybill": message.waybill,
            "tracking_url": svc.settings.public_tracking_url + message.waybill,
            "sla": CLOCKS.get(message.sla, "SLA"),
            "at": _iso(message.breached_at),
            "breaches_7d": str(message.breaches_7d),
        }
        occurrence = f"{message.waybill}:{message.sla}"
        to = [(message.account_manager_name, message.account_manager_email)]
        return _planned(
            event, Moment.KEY_ACCOUNT_BREACH, Audience.STAFF, occurrence, to, context, now
        )
    if isinstance(message, crm_pb2.SegmentChanged) and _upgrade(message):
        context = _account(message) | {
            "to_tier": TIERS[message.to_tier],
            "manager_name": message.account_manager_name,
            "manager_email": message.account_manager_email,
        }
        occurrence = f"{TIERS[message.to_tier]}:{message.changed_at.ToJsonString()}"
        to = [(message.customer_name, email) for email in message.emails[:MAX_ADDRESSES]]
        return _planned(
            event,
            Moment.TIER_CHANGED,
            Audience.CUSTOMER,
            occurrence,
            to or [("", "")],
            context,
            now,
        )
    return []


def _upgrade(message: crm_pb2.SegmentChanged) -> bool:
    """A move to a better tier (Q1 is the best); a first tier is no move."""
    before, after = int(message.from_tier), int(message.to_tier)
    return before in TIERS and after in TIERS and after < before


def _account(message: Any) -> dict[str, str]:
    return {
        "customer_id": message.customer_id,
        "customer_name": message.customer_name or message.customer_id,
        "company": message.company or message.customer_name or message.customer_id,
        "waybill": "",
        "tracking_url": "",
        "unsubscribe_url": "",
    }


def _iso(stamp: Any) -> str:
    return stamp.ToDatetime(tzinfo=UTC).isoformat() if stamp.ByteSize() else ""


def _planned(
    event: Event[Any],
    moment: Moment,
    audience: Audience,
    occurrence: str,
    to: Sequence[tuple[str, str]],
    context: dict[str, str],
    now: datetime,
) -> list[Document]:
    customer_id = event.message.customer_id
    return [
        account_message(
            f"{moment.value}:{customer_id}:{occurrence}:{email}",
            moment,
            audience,
            {"name": name, "email": email, "language": "zh"},
            context | {"occurrence": occurrence, "customer_id": customer_id},
            {"ce_id": event.id, "ce_type": event.type},
            now,
        )
        for name, email in to
    ]


def account_message(
    key: str,
    moment: Moment,
    audience: Audience,
    person: dict[str, str],
    context: dict[str, str],
    trigger: dict[str, str],
    now: datetime,
) -> Document:
    """A message about an account, not a parcel, to ``person`` (name, email, language),
    kept with it; suppressed (no contact) when there is no address. ``context`` has the
    message's ``occurrence`` and ``customer_id`` (the partner's, for partner messages)."""
    send = bool(person["email"])
    return {
        "_id": key,
        "waybill": context["waybill"],
        "customer_id": context["customer_id"],
        "moment": moment.value,
        "occurrence": context["occurrence"],
        "audience": audience.value,
        "channel": Channel.EMAIL.value,
        "address": person["email"],
        "person": person,
        "action": "send" if send else "suppress",
        "status": "queued" if send else "suppressed",
        "reason": "" if send else "no_contact",
        "due_at": now if send else None,
        "attempts": 0,
        "trigger": trigger,
        "created_at": now,
        "context": {k: v for k, v in context.items() if k != "occurrence"},
    }
