"""The orders database, as repositories.

``orders``: one document per waybill (``_id``) with the request, terms, status, history
and the Idempotency-Key of a single create. ``idempotency``: the stored answers of batch
imports. ``counters``: waybill serials. ``partners`` and ``api_keys``: who may call.

``OrdersUnit`` binds the order repositories to one transaction (the kit's unit of work);
``OrdersStore`` holds them unbound, for reads, writes that need no transaction and index
set-up. The repositories raise ``DuplicateOrder`` and ``IdempotencyRace``, never a driver
error, for what the handlers must answer.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.mongo.uow import UnitOfWork
from services.orders.store.access import ApiKeys, Partners
from services.orders.store.errors import DuplicateOrder, IdempotencyRace
from services.orders.store.idempotency import IdempotencyRecords
from services.orders.store.listing import OrderFilter, decode_cursor, encode_cursor
from services.orders.store.orders import Orders, RoutePlan
from services.orders.store.serials import Serials

Document = dict[str, Any]

__all__ = [
    "ApiKeys",
    "DuplicateOrder",
    "IdempotencyRace",
    "IdempotencyRecords",
    "OrderFilter",
    "Orders",
    "OrdersStore",
    "OrdersUnit",
    "Partners",
    "RoutePlan",
    "Serials",
    "decode_cursor",
    "encode_cursor",
]


class OrdersUnit(UnitOfWork):
    """One transaction over the orders database, with its repositories bound to it."""

    def __init__(self, db: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        super().__init__()
        self.orders = Orders(db, session)
        self.idempotency = IdempotencyRecords(db, session)


class OrdersStore:
    """The repositories outside any transaction."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.orders = Orders(db)
        self.idempotency = IdempotencyRecords(db)
        self.serials = Serials(db)

    async def create_indexes(self, idempotency_retention: timedelta) -> None:
        await self.orders.create_indexes()
        await self.idempotency.create_indexes(idempotency_retention)
