"""In-memory stand-ins for the crm service's repositories, and the service wired on them, for
unit tests without MongoDB (tests/unit/test_crm_handlers.py, tests/unit/test_crm_ranking.py).

``FakeCrm`` is one in-memory database: the unit of work and the store outside transactions
share its repositories, and ``customers.docs`` is the one ``customers`` collection that the
archive, assignment and churn repositories all read and write, as in MongoDB."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from prometheus_client import CollectorRegistry

from fairwind.clock import PlatformClock
from fairwind.events import EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.uow import UnitOfWork
from fairwind.testing import FakeTransactions
from services.crm.domain.archive import ServiceRecord
from services.crm.domain.classification import (
    Ranked,
    Sighting,
    TierChange,
    Totals,
    window_start,
)
from services.crm.handlers import CrmService
from services.crm.metrics import crm_metrics
from services.crm.settings import CrmSettings
from services.crm.store import CrmStore, CrmUnit, Customers, OrderHistory, RevenueDays
from services.crm.store.assignments import Assignments, Reassignment
from services.crm.store.churn import ChurnReads
from services.crm.store.managers import Managers
from services.crm.store.records import ServiceRecords
from services.crm.store.tier_history import TierHistory

Document = dict[str, Any]
CODEC = EventCodec(platform_catalog(), "tests")
AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
STATE_FIELDS = ("account_manager_id", "manager_pinned", "account_manager_name")
PERSON_FIELDS = ("name", "company", "emails")


class FakeOrders(OrderHistory):
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    async def known(self, waybills: Collection[str]) -> set[str]:
        return {w for w in waybills if w in self.docs}

    async def insert(self, docs: Sequence[Document]) -> None:
        for doc in docs:
            assert doc["_id"] not in self.docs, "duplicate key"
            self.docs[doc["_id"]] = dict(doc)

    async def cancel(self, waybill: str, at: datetime) -> Document | None:
        before = self.docs.get(waybill)
        if before is not None:
            self.docs[waybill] = before | {"status": "cancelled", "cancelled_at": at}
        return before


class FakeDays(RevenueDays):
    """Buckets by (customer id, ISO business day): [revenue fen, shipments]."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str], list[int]] = {}

    async def add(self, deltas: Any) -> None:
        for d in deltas:
            bucket = self.buckets.setdefault((d.customer_id, d.day.isoformat()), [0, 0])
            bucket[0] += d.revenue_fen
            bucket[1] += d.shipments

    def put(self, customer_id: str, day: date, revenue_fen: int, shipments: int = 1) -> None:
        """Seed a bucket (what ``add`` would make of one delta)."""
        bucket = self.buckets.setdefault((customer_id, day.isoformat()), [0, 0])
        bucket[0] += revenue_fen
        bucket[1] += shipments

    async def window_totals(
        self, today: date, customer_ids: list[str] | None = None
    ) -> dict[str, Totals]:
        first = window_start(today)
        sums: dict[str, Totals] = {}
        for (customer_id, day), (revenue, shipments) in self.buckets.items():
            wanted = customer_ids is None or customer_id in customer_ids
            if wanted and date.fromisoformat(day) >= first:
                sums[customer_id] = sums.get(customer_id, Totals()) + Totals(revenue, shipments)
        return sums

    async def prune(self, before: date) -> int:
        old = [key for key in self.buckets if date.fromisoformat(key[1]) < before]
        for key in old:
            del self.buckets[key]
        return len(old)


class FakeCustomers(Customers):
    """The ``customers`` collection (``docs``) and the sightings handlers reported."""

    def __init__(self) -> None:
        self.seen: list[Sighting] = []
        self.docs: dict[str, Document] = {}

    def put(
        self,
        customer_id: str,
        imported_fen: int | None = None,
        as_of: datetime = AT,
        **fields: Any,
    ) -> None:
        """Seed a customer, with an imported 90-day history as of ``as_of`` if given."""
        doc: Document = {"_id": customer_id, "tier": None, **fields}
        if imported_fen is not None:
            doc["imported"] = {"revenue_fen": imported_fen, "shipments": 9, "as_of": as_of}
        self.docs[customer_id] = doc

    async def saw(self, sightings: Sequence[Sighting], now: datetime, max_phones: int) -> None:
        self.seen.extend(sightings)

    async def ranking_inputs(self) -> AsyncIterator[Document]:
        for doc in list(self.docs.values()):
            yield {k: v for k, v in doc.items() if k in ("_id", "imported")}

    async def tiers_of(self, customer_ids: Sequence[str]) -> dict[str, str | None]:
        return {c: self.docs[c].get("tier") for c in customer_ids if c in self.docs}

    async def rank(
        self, ranked: Sequence[Ranked], totals: Mapping[str, Totals], now: datetime
    ) -> None:
        for r in ranked:
            self.docs[r.customer_id].update(
                tier=r.tier,
                revenue_rank=r.rank,
                key_account=r.key_account,
                revenue_90d_fen=r.revenue_fen,
                shipments_90d=totals[r.customer_id].shipments,
                ranked_at=now,
            )


class FakeAssignments(Assignments):
    """The account-manager fields of the same customer documents."""

    def __init__(self, customers: FakeCustomers) -> None:
        self.docs = customers.docs

    async def managed(self) -> AsyncIterator[Document]:
        for doc in list(self.docs.values()):
            if isinstance(doc.get("account_manager_id"), str):
                yield _state(doc)

    async def states(self, customer_ids: Collection[str]) -> dict[str, Document]:
        return {c: _state(self.docs[c]) for c in customer_ids if c in self.docs}

    async def reassign(self, moves: Sequence[Reassignment]) -> int:
        applied = 0
        for m in moves:
            doc = self.docs.get(m.customer_id)
            if doc is None:
                continue
            now = (doc.get("account_manager_id"), bool(doc.get("manager_pinned")))
            if now != (m.seen_manager, m.seen_pinned):  # changed by hand since: it wins
                continue
            doc.update(
                account_manager_id=m.manager_id,
                account_manager_name=m.manager_name,
                manager_pinned=m.pinned,
            )
            applied += 1
        return applied


def _state(doc: Document) -> Document:
    return {"_id": doc["_id"]} | {k: doc[k] for k in STATE_FIELDS if k in doc}


class FakeManagers(Managers):
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    def put(self, manager_id: str, name: str, active: bool = True, **fields: Any) -> None:
        email = f"{manager_id}@fairwind.example"
        self.docs[manager_id] = {"_id": manager_id, "name": name, "email": email, "active": active}
        self.docs[manager_id].update(fields)

    async def listing(self, active: bool | None = None) -> list[Document]:
        found = [m for m in self.docs.values() if active is None or m.get("active") == active]
        return sorted(found, key=lambda m: str(m["_id"]))


class FakeChurn(ChurnReads):
    def __init__(self, customers: FakeCustomers) -> None:
        self.docs = customers.docs

    async def people_of(self, customer_ids: Sequence[str]) -> dict[str, Document]:
        found = [self.docs[c] for c in customer_ids if c in self.docs]
        return {doc["_id"]: {k: doc[k] for k in PERSON_FIELDS if k in doc} for doc in found}


class FakeTierHistory(TierHistory):
    def __init__(self) -> None:
        self.entries: list[Document] = []

    async def record(self, changes: Sequence[TierChange], now: datetime) -> None:
        self.entries.extend(
            {
                "customer_id": c.ranked.customer_id,
                "from": c.previous,
                "to": c.ranked.tier,
                "at": now,
                "rank": c.ranked.rank,
            }
            for c in changes
        )


class FakeRecords(ServiceRecords):
    def __init__(self) -> None:
        self.stored: dict[str, ServiceRecord] = {}

    async def add(self, records: Sequence[ServiceRecord]) -> list[ServiceRecord]:
        new = [r for r in records if r.id not in self.stored]
        self.stored.update((r.id, r) for r in new)
        return new


class FakeCrm:
    """One in-memory crm database, its units of work and the business time ``now``."""

    def __init__(self) -> None:
        self.now = AT
        self.orders = FakeOrders()
        self.days = FakeDays()
        self.customers = FakeCustomers()
        self.records = FakeRecords()
        self.assignments = FakeAssignments(self.customers)
        self.managers = FakeManagers()
        self.churn = FakeChurn(self.customers)
        self.tier_history = FakeTierHistory()
        self.transactions = FakeTransactions(lambda: FakeCrmUnit(self))

    def store(self) -> CrmStore:
        store = CrmStore.__new__(CrmStore)  # only the parts the code under test reads
        store.orders, store.days, store.customers = self.orders, self.days, self.customers
        store.assignments, store.managers = self.assignments, self.managers
        store.churn, store.tier_history = self.churn, self.tier_history
        return store

    def service(self, settings: CrmSettings | None = None) -> CrmService:
        return CrmService(
            settings=settings or CrmSettings(),
            store=self.store(),
            uow=self.transactions,
            codec=CODEC,
            metrics=crm_metrics(CollectorRegistry()),
            clock=PlatformClock(wall=lambda: self.now),
        )


class FakeCrmUnit(CrmUnit):
    def __init__(self, db: FakeCrm) -> None:
        UnitOfWork.__init__(self)
        self.orders, self.days, self.customers = db.orders, db.days, db.customers
        self.records = db.records  # the archive's service records (cancellations)
        self.assignments, self.managers, self.churn = db.assignments, db.managers, db.churn
        self.tier_history = db.tier_history
