"""The tracking service on in-memory repositories (subclasses of the real ones, so a
changed signature breaks them) and the kit's fake unit of work: handler tests without
MongoDB. Every read hands out a copy, as a database would, so a handler that changes a
document without writing it back changes nothing."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry

from fairwind.events import Event, EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.uow import UnitOfWork
from fairwind.testing import FakeTransactions
from services.tracking.devices import DeviceRegistry
from services.tracking.guesses import GuessLimits, GuessThrottle
from services.tracking.metrics import tracking_metrics
from services.tracking.service import TrackingService
from services.tracking.settings import TrackingSettings
from services.tracking.store import (
    NO_ORDER,
    Devices,
    GuessCounters,
    Parked,
    Place,
    Places,
    RouteUpdate,
    Scans,
    Shipments,
    TrackingStore,
    TrackingUnit,
    Unmatched,
)

Document = dict[str, Any]
CODEC = EventCodec(platform_catalog(), "tests")


def as_event(message: Any, key: str) -> Event[Any]:
    encoded = CODEC.encode(message, key)
    return CODEC.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)


class FakeShipments(Shipments):
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    async def get(self, waybill: str) -> Document | None:
        return copy.deepcopy(self.docs.get(waybill))

    async def many(self, waybills: Collection[str]) -> dict[str, Document]:
        return {w: copy.deepcopy(self.docs[w]) for w in waybills if w in self.docs}

    async def projected(
        self, waybills: Collection[str], view: tuple[str, ...]
    ) -> dict[str, Document]:
        """Only the fields of ``view``, as MongoDB's projection: a handler that reads a
        view (``SCAN_VIEW``, ``MOVE_VIEW``) must not need more."""
        wanted = {"_id", *view}
        found = await self.many(waybills)
        return {w: {k: v for k, v in doc.items() if k in wanted} for w, doc in found.items()}

    async def known(self, waybills: Collection[str]) -> set[str]:
        return {w for w in waybills if w in self.docs}

    async def create(self, ships: Sequence[Document]) -> int:
        new = [s for s in ships if s["_id"] not in self.docs]
        for ship in new:
            self.docs.setdefault(ship["_id"], copy.deepcopy(ship))
        return len({s["_id"] for s in new})

    async def set_fields(self, changes: Iterable[tuple[str, Document]]) -> None:
        for waybill, fields in changes:
            self.docs[waybill] |= copy.deepcopy(fields)

    async def plan(self, updates: Sequence[RouteUpdate]) -> None:
        for update in updates:
            ship = self.docs[update.waybill]
            version = update.plan["version"]
            if not ship.get("route") or ship["route"]["version"] < version:
                ship |= copy.deepcopy({"route": update.plan} | update.fields)
            plans = ship.setdefault("plans", [])
            if all(p["version"] != version for p in plans):
                plans.append(copy.deepcopy(update.plan))
                plans.sort(key=lambda p: p["version"])


class FakeScans(Scans):
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    async def known(self, scan_ids: Collection[str]) -> set[str]:
        return {i for i in scan_ids if i in self.docs}

    async def insert(self, scans: Sequence[Document]) -> None:
        for scan in scans:
            assert scan["_id"] not in self.docs, "duplicate key"
            self.docs[scan["_id"]] = copy.deepcopy(scan)


class FakeItems:
    """What both parking collections keep, by id, read in the order it was parked."""

    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    async def forget(self, parked_ids: Collection[str]) -> int:
        return sum(self.docs.pop(i, None) is not None for i in parked_ids)

    def _matching(self, waybills: Collection[str], **match: Any) -> list[Document]:
        found = [
            d
            for d in self.docs.values()
            if d["waybill"] in waybills and all(d.get(k) == v for k, v in match.items())
        ]
        return copy.deepcopy(sorted(found, key=lambda d: d["parked_at"]))


class FakeParked(FakeItems, Parked):
    async def park(self, docs: Sequence[Document], at: datetime) -> int:
        new = [d for d in docs if d["_id"] not in self.docs]
        for doc in new:
            self.docs[doc["_id"]] = copy.deepcopy(doc) | {"parked_at": at}
        return len(new)

    async def waiting(self, waybills: Collection[str]) -> list[Document]:
        return self._matching(waybills)


class FakeUnmatched(FakeItems, Unmatched):
    async def keep(self, doc: Document) -> None:
        self.docs[doc["_id"]] = copy.deepcopy(doc)

    async def waiting(self, waybills: Collection[str]) -> list[Document]:
        return self._matching(waybills, reason=NO_ORDER)


class FakePlaces(Places):
    def __init__(self) -> None:
        self.docs: dict[str, Place] = {}

    async def register(self, places: Sequence[Place]) -> None:
        self.docs |= {p.code: p for p in places}


class Fakes:
    """One in-memory database: what units write, the store reads."""

    def __init__(self) -> None:
        self.shipments = FakeShipments()
        self.scans = FakeScans()
        self.parked = FakeParked()
        self.unmatched = FakeUnmatched()
        self.places = FakePlaces()

    def unit(self) -> TrackingUnit:
        unit = TrackingUnit.__new__(TrackingUnit)
        UnitOfWork.__init__(unit)
        unit.shipments, unit.scans = self.shipments, self.scans
        unit.parked, unit.unmatched = self.parked, self.unmatched
        return unit

    def store(self) -> TrackingStore:
        store = TrackingStore.__new__(TrackingStore)
        store.shipments, store.scans = self.shipments, self.scans
        store.parked, store.unmatched, store.places = self.parked, self.unmatched, self.places
        return store


def fake_service(fakes: Fakes) -> tuple[TrackingService, FakeTransactions[TrackingUnit]]:
    units = FakeTransactions(fakes.unit)
    limits = GuessLimits(5, 20, timedelta(minutes=15), timedelta(hours=1))
    svc = TrackingService(
        settings=TrackingSettings(),
        store=fakes.store(),
        uow=units,
        devices=DeviceRegistry(Devices.__new__(Devices), fakes.places),
        codec=CODEC,
        guesses=GuessThrottle(GuessCounters.__new__(GuessCounters), limits),
        metrics=tracking_metrics(CollectorRegistry()),
    )
    return svc, units


def event_types(units: FakeTransactions[TrackingUnit]) -> list[str]:
    """What the committed units emitted, by message name, in commit order."""
    return [event.event_type.rsplit(".", 1)[1] for event in units.events]


T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)
