"""The crm database, as repositories.

``customers``: one archive entry per customer (``_id`` = customer id): contacts, the tier,
rank and revenue of the last re-rank, the imported 90-day history (``imported``).
``revenue_days``: per customer and business day, the revenue (fen) and shipments of the
orders placed that day, less cancellations. ``orders``: every order seen (``_id`` =
waybill), for reversal on cancellation and the call-centre history; consignee names are
stored masked only.

Each repository takes an optional session: ``CrmUnit`` binds all three to one transaction
(the kit's unit of work); ``CrmStore`` holds them unbound, for reads and index set-up.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.mongo.uow import UnitOfWork
from services.crm.store.activities import Activities
from services.crm.store.assignments import Assignments
from services.crm.store.churn import ChurnReads
from services.crm.store.complaints import Complaints
from services.crm.store.customer_satisfaction import CustomerSatisfaction
from services.crm.store.customers import Customers, baseline_of
from services.crm.store.managers import Managers
from services.crm.store.orders import OrderHistory
from services.crm.store.outcomes import Outcomes
from services.crm.store.records import ServiceRecords
from services.crm.store.revenue import RevenueDays, midnight
from services.crm.store.surveys import Surveys
from services.crm.store.tier_history import TierHistory

Document = dict[str, Any]

__all__ = [
    "Complaints",
    "CrmStore",
    "CrmUnit",
    "Customers",
    "OrderHistory",
    "RevenueDays",
    "baseline_of",
    "midnight",
]


class CrmUnit(UnitOfWork):
    """One transaction over the crm database, with its repositories bound to it."""

    def __init__(self, db: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        super().__init__()
        self.customers = Customers(db, session)
        self.orders = OrderHistory(db, session)
        self.days = RevenueDays(db, session)
        self.records = ServiceRecords(db, session)
        self.outcomes = Outcomes(db, session)
        self.surveys = Surveys(db, session)
        self.satisfaction = CustomerSatisfaction(db, session)
        self.tier_history = TierHistory(db, session)
        self.churn = ChurnReads(db, session)
        self.managers = Managers(db, session)
        self.assignments = Assignments(db, session)
        self.activities = Activities(db, session)
        self.complaints = Complaints(db, session)


class CrmStore:
    """The repositories outside any transaction: reads, and writes that need none."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.customers = Customers(db)
        self.orders = OrderHistory(db)
        self.days = RevenueDays(db)
        self.records = ServiceRecords(db)
        self.outcomes = Outcomes(db)
        self.surveys = Surveys(db)
        self.satisfaction = CustomerSatisfaction(db)
        self.tier_history = TierHistory(db)
        self.churn = ChurnReads(db)
        self.managers = Managers(db)
        self.assignments = Assignments(db)
        self.activities = Activities(db)
        self.complaints = Complaints(db)

    async def create_indexes(self) -> None:
        await self.customers.create_indexes()
        await self.days.create_indexes()
        await self.orders.create_indexes()
        await self.records.create_indexes()
        await self.outcomes.create_indexes()
        await self.surveys.create_indexes()
        await self.satisfaction.create_indexes()
        await self.tier_history.create_indexes()
        await self.churn.create_indexes()
        await self.managers.create_indexes()
        await self.assignments.create_indexes()
        await self.activities.create_indexes()
        await self.complaints.create_indexes()
