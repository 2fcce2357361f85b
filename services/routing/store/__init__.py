"""The routing database, as repositories.

``routes``: one document per waybill (``_id``) with every version of its plan, or the
marker of an order that cannot be routed (``unroutable``, no versions). ``pickup_tasks``:
one task per waybill for the couriers of its origin outlet.

``RoutingUnit`` binds both repositories to one transaction (the kit's unit of work);
``RoutingStore`` holds them unbound, for reads, single-document writes and index set-up.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.mongo.uow import UnitOfWork
from services.routing.store.routes import AlreadyPlanned, Routes
from services.routing.store.tasks import OPEN_TASKS, PickupTasks

Document = dict[str, Any]

__all__ = ["OPEN_TASKS", "AlreadyPlanned", "PickupTasks", "Routes", "RoutingStore", "RoutingUnit"]


class RoutingUnit(UnitOfWork):
    """One transaction over the routing database, with its repositories bound to it."""

    def __init__(self, db: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        super().__init__()
        self.routes = Routes(db, session)
        self.tasks = PickupTasks(db, session)


class RoutingStore:
    """The repositories outside any transaction."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.routes = Routes(db)
        self.tasks = PickupTasks(db)

    async def create_indexes(self) -> None:
        await self.tasks.create_indexes()
