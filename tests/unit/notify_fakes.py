"""The notify service on in-memory repositories (subclasses of the real ones, so a changed
signature breaks them) and the kit's fake unit of work, for handler unit tests without
MongoDB or a broker (tests/unit/test_notify_handlers.py). Reads hand out copies, as a
database would; an insert of a key already stored fails, as a unique index would."""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry

from fairwind.clock import PlatformClock
from fairwind.events import Event, EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.uow import UnitOfWork
from fairwind.testing import FakeTransactions
from fairwind.v1 import common_pb2, notifications_pb2, orders_pb2, tracking_pb2
from services.notify import handlers
from services.notify.domain.planning import Parcel
from services.notify.domain.rules import Moment, Rules
from services.notify.handlers import NotifyService
from services.notify.metrics import notify_metrics
from services.notify.settings import NotifySettings
from services.notify.store import (
    Deliveries,
    EarlyEvents,
    Endpoints,
    Messages,
    NotifyStore,
    NotifyUnit,
    Parcels,
    parcel_of,
)
from services.notify.store.messages import CAPPED

Document = dict[str, Any]
CODEC = EventCodec(platform_catalog(), "tests")
NOON = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai: no quiet hours
NIGHT = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai, 15:00 in London
LINK_KEY = b"k" * 32


class FakeDocs:
    """One collection's documents by ``_id``."""

    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    async def known(self, ids: Collection[str]) -> set[str]:
        return {i for i in ids if i in self.docs}

    def _insert(self, docs: Sequence[Document]) -> None:
        for doc in docs:
            assert doc["_id"] not in self.docs, f"duplicate key {doc['_id']}"
            self.docs[doc["_id"]] = copy.deepcopy(doc)

    async def _insert_new(self, docs: Sequence[Document]) -> None:
        """The repositories' "new ones only": what was stored before the call is kept."""
        known = await self.known([doc["_id"] for doc in docs])
        self._insert([doc for doc in docs if doc["_id"] not in known])


class FakeParcels(FakeDocs, Parcels):
    async def add(self, docs: Sequence[Document]) -> None:
        await self._insert_new(docs)

    async def cancel(self, waybills: Collection[str], at: datetime) -> None:
        for waybill in waybills:
            doc = self.docs.get(waybill)
            if doc is not None and doc["cancelled_at"] is None:
                doc["cancelled_at"] = at

    async def many(self, waybills: Collection[str]) -> dict[str, Parcel]:
        return {w: parcel_of(copy.deepcopy(self.docs[w])) for w in waybills if w in self.docs}


class FakeMessages(FakeDocs, Messages):
    async def insert(self, docs: Sequence[Document]) -> None:
        self._insert(docs)

    async def withdraw_cancelled(self, waybills: Collection[str]) -> list[Document]:
        """As the real one: what was waiting, but the cancellation's own, as it was."""
        found = [
            doc
            for doc in self.docs.values()
            if doc["waybill"] in waybills
            and doc["moment"] != Moment.CANCELLED.value
            and doc["status"] in ("queued", "deferred")
        ]
        before = copy.deepcopy(found)
        for doc in found:
            doc |= {"status": "suppressed", "action": "suppress", "reason": "cancelled"}
        return before

    async def told(self, waybills: Collection[str]) -> dict[tuple[str, str], int]:
        """As the aggregation: the moments (with their occurrence) told to each person."""
        moments: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for doc in self.docs.values():
            if doc["waybill"] in waybills and doc["status"] in CAPPED:
                person = (doc["waybill"], doc["audience"])
                moments.setdefault(person, set()).add((doc["moment"], doc["occurrence"]))
        return {person: len(told) for person, told in moments.items()}


class FakeEarly(FakeDocs, EarlyEvents):
    async def park(self, docs: Sequence[Document]) -> None:
        await self._insert_new(docs)

    async def of(self, waybills: Collection[str]) -> list[Document]:
        found = [doc for doc in self.docs.values() if doc["waybill"] in waybills]
        return copy.deepcopy(sorted(found, key=lambda doc: doc["parked_at"]))

    async def forget(self, ids: Collection[str]) -> None:
        for parked_id in ids:
            self.docs.pop(parked_id, None)


class FakeEndpoints(FakeDocs, Endpoints):
    async def of_partners(self, partner_ids: Collection[str]) -> list[Document]:
        found = [doc for doc in self.docs.values() if doc["partner_id"] in partner_ids]
        return copy.deepcopy(found)


class FakeDeliveries(FakeDocs, Deliveries):
    async def insert(self, docs: Sequence[Document]) -> int:
        before = len(self.docs)
        await self._insert_new(docs)
        return len(self.docs) - before


class Fakes:
    """One in-memory notify database (what units write, the store reads) and the service
    wired on it, at a business time the test sets (``now``)."""

    def __init__(self, rules: Rules | None = None) -> None:
        self.parcels, self.messages, self.early = FakeParcels(), FakeMessages(), FakeEarly()
        self.endpoints, self.deliveries = FakeEndpoints(), FakeDeliveries()
        self.now = NOON
        self.registry = CollectorRegistry()
        self.units = FakeTransactions(self.unit)
        self.svc = NotifyService(
            settings=NotifySettings(),
            store=self.store(),
            uow=self.units,
            codec=CODEC,
            metrics=notify_metrics(self.registry),
            rules=rules or Rules(),
            clock=PlatformClock(wall=lambda: self.now),
            link_key=LINK_KEY,
        )

    def unit(self) -> NotifyUnit:
        unit = NotifyUnit.__new__(NotifyUnit)
        UnitOfWork.__init__(unit)
        unit.parcels, unit.messages, unit.early = self.parcels, self.messages, self.early
        unit.endpoints, unit.deliveries = self.endpoints, self.deliveries
        return unit

    def store(self) -> NotifyStore:
        store = NotifyStore.__new__(NotifyStore)
        store.parcels, store.messages, store.early = self.parcels, self.messages, self.early
        store.endpoints, store.deliveries = self.endpoints, self.deliveries
        return store

    async def handle(self, *messages: Any) -> list[Event[Any]]:
        """The messages as one batch of read events (keyed by waybill); the events."""
        events = [as_event(message) for message in messages]
        await handlers.on_events(self.svc, events)
        return events

    def decisions(self, waybill: str) -> dict[str, tuple[str, str]]:
        """Each stored message's key (without the waybill): its (status, reason)."""
        return {
            doc["_id"].removeprefix(f"{waybill}:"): (doc["status"], doc["reason"])
            for doc in self.messages.docs.values()
            if doc["waybill"] == waybill
        }

    def message(self, waybill: str, key: str) -> Document:
        return self.messages.docs[f"{waybill}:{key}"]

    def suppressed(self) -> list[notifications_pb2.NotificationSuppressed]:
        """What the committed units emitted, every one a NotificationSuppressed."""
        found = []
        for event in self.units.events:
            assert event.event_type.endswith(".NotificationSuppressed"), event.event_type
            found.append(notifications_pb2.NotificationSuppressed.FromString(event.value))
        return found

    def reasons(self) -> dict[str, int]:
        """Each suppressed message's key (without the waybill): the reason published."""
        return {
            message.notification_id.split(":", 1)[1]: message.reason
            for message in self.suppressed()
        }

    def decided(self, channel: str, action: str, reason: str) -> float:
        labels = {"channel": channel, "action": action, "reason": reason}
        found = self.registry.get_sample_value("fairwind_notify_decisions_total", labels)
        return found or 0.0


def as_event(message: Any, event_id: str | None = None) -> Event[Any]:
    """A message as the consumer hands it on: encoded and decoded, keyed by its waybill."""
    waybill = getattr(message, "waybill", "") or _waybill(message)
    encoded = CODEC.encode(message, waybill, event_id=event_id)
    return CODEC.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)


def _waybill(message: Any) -> str:
    if isinstance(message, orders_pb2.OrderCreated):
        return message.order.waybill
    return str(message.route.waybill)


def order(
    waybill: str,
    *,
    email: str = "li.lei@example.com",
    phone: str = "+8613912345678",
    prefs: common_pb2.NotificationPreferences | None = None,
) -> orders_pb2.OrderCreated:
    """A booking by partner acme: the sender has e-mail only, the recipient both."""
    booked = orders_pb2.Order(
        waybill=waybill,
        partner_id="acme",
        partner_order_id="PO-" + waybill[-3:],
        customer_id="cus_1",
        shipper=common_pb2.Contact(name="Acme", email="ship@acme.example"),
        consignee=common_pb2.Contact(name="李雷", email=email, phone=phone),
        notification_preferences=prefs,
    )
    booked.created_at.FromDatetime(NOON)
    booked.promise.deliver_by.FromDatetime(datetime(2026, 12, 4, 10, 0, tzinfo=UTC))
    return orders_pb2.OrderCreated(order=booked)


def status(
    waybill: str, to: common_pb2.ShipmentStatus, at: datetime = NOON, **fields: Any
) -> tracking_pb2.ShipmentStatusChanged:
    change = tracking_pb2.ShipmentStatusChanged(waybill=waybill, to_status=to, **fields)
    change.occurred_at.FromDatetime(at)
    return change


def cancelled(waybill: str) -> orders_pb2.OrderCancelled:
    cancel = orders_pb2.OrderCancelled(waybill=waybill, reason_code="customer_request")
    cancel.cancelled_at.FromDatetime(NOON)
    return cancel
