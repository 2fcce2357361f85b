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
from services.crm.store.customers import Customers, baseline_of
from services.crm.store.orders import OrderHistory
from services.crm.store.revenue import RevenueDays, midnight

Document = dict[str, Any]

__all__ = [
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


class CrmStore:
    """The repositories outside any transaction: reads, and writes that need none."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.customers = Customers(db)
        self.orders = OrderHistory(db)
        self.days = RevenueDays(db)

    async def create_indexes(self) -> None:
        await self.customers.create_indexes()
        await self.days.create_indexes()
        await self.orders.create_indexes()
