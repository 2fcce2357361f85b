"""Orders (``orders``, ``_id`` = waybill): the accepted request, its terms, status and
history, and the Idempotency-Key of a single create (``idem``), unique per partner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from fairwind.mongo.repository import Repository
from services.orders.domain.status import CANCELLABLE, Move, Status
from services.orders.store.errors import DuplicateOrder, duplicated_fields
from services.orders.store.listing import OrderFilter, encode_cursor, listing_query

Document = dict[str, Any]


class RoutePlan(NamedTuple):
    """What a route event gives an order: the route's fields (promise, outlets, hubs) at
    ``version``, and the planned price for an order accepted without one."""

    waybill: str
    version: int
    fields: Document
    price: Document | None
    weight_kg: float


def by_partner_order_ids(partner_id: str, ids: Sequence[str]) -> Document:
    """The partner's orders with one of ``ids``, by the unique ``partner_order_id`` index.
    That index is partial (string ids only) and the planner takes it only if the query
    says ``$type: "string"`` too: without it, MongoDB reads every order of the partner."""
    return {"partner_id": partner_id, "partner_order_id": {"$in": list(ids), "$type": "string"}}


class Orders(Repository):
    collection_name = "orders"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel(
                    [("partner_id", ASCENDING), ("partner_order_id", ASCENDING)],
                    unique=True,
                    name="partner_order_id",
                    partialFilterExpression={"partner_order_id": {"$type": "string"}},
                ),
                IndexModel(
                    [("partner_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                    name="partner_listing",
                ),
                IndexModel(
                    [("partner_id", ASCENDING), ("status", ASCENDING), ("created_at", DESCENDING)],
                    name="partner_status",
                ),
                # The Idempotency-Key of a single create lives in its order: no extra write.
                IndexModel(
                    [("partner_id", ASCENDING), ("idem.k", ASCENDING)],
                    unique=True,
                    name="idempotency_key",
                    partialFilterExpression={"idem.k": {"$type": "string"}},
                ),
            ]
        )

    async def insert(self, orders: Sequence[Document]) -> None:
        """New orders; raises DuplicateOrder if one breaks a unique index."""
        if not orders:  # a batch whose every item was refused stores only its record
            return
        try:
            await self.collection.insert_many(list(orders), ordered=True, session=self.session)
        except (BulkWriteError, DuplicateKeyError) as exc:
            fields = duplicated_fields(exc)
            if fields is None:
                raise
            raise DuplicateOrder(fields) from exc

    async def by_idempotency_key(self, partner_id: str, key: str) -> Document | None:
        return await self.collection.find_one(
            # ``$type`` lets the planner take the partial index (see by_partner_order_ids).
            {"partner_id": partner_id, "idem.k": {"$eq": key, "$type": "string"}},
            session=self.session,
        )

    async def duplicate_message(self, orders: Sequence[Document]) -> str:
        """Which partner order id of ``orders`` is taken, and by which waybill."""
        for order in orders:
            if order.get("partner_order_id"):
                existing = await self.collection.find_one(
                    by_partner_order_ids(order["partner_id"], [order["partner_order_id"]]),
                    {"_id": 1},
                    session=self.session,
                )
                if existing is not None:
                    return (
                        f"partner order id {order['partner_order_id']!r} is already "
                        f"waybill {existing['_id']}"
                    )
        return "a partner order id in this request is already used"

    async def used_partner_order_ids(self, partner_id: str, ids: list[str]) -> dict[str, str]:
        """Which of ``ids`` the partner already used, and for which waybill."""
        if not ids:
            return {}
        found = self.collection.find(
            by_partner_order_ids(partner_id, ids), {"partner_order_id": 1}, session=self.session
        )
        return {doc["partner_order_id"]: doc["_id"] async for doc in found}

    async def get(self, partner_id: str, waybill: str) -> Document | None:
        return await self.collection.find_one(
            {"_id": waybill, "partner_id": partner_id}, session=self.session
        )

    async def by_waybill(self, waybill: str) -> Document | None:
        """Any partner's order: for events, which carry no partner to check."""
        return await self.collection.find_one({"_id": waybill}, session=self.session)

    async def page(
        self, partner_id: str, filters: OrderFilter, cursor: str | None, limit: int
    ) -> tuple[list[Document], str | None]:
        query = listing_query(partner_id, filters, cursor)
        found = self.collection.find(query, session=self.session)
        found = found.sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        docs = await found.limit(limit + 1).to_list()
        more = len(docs) > limit
        docs = docs[:limit]
        return docs, encode_cursor(docs[-1]) if more and docs else None

    async def cancel(
        self, partner_id: str, waybill: str, cancellation: Document, now: datetime
    ) -> Document | None:
        """Cancel if still cancellable; None if the order is past pickup (or unknown).
        ``cancellation`` says who and why (by, reason, side, detail)."""
        return await self.collection.find_one_and_update(
            {
                "_id": waybill,
                "partner_id": partner_id,
                "status": {"$in": [s.value for s in CANCELLABLE]},
            },
            {
                "$set": {
                    "status": Status.CANCELLED.value,
                    "cancelled_at": now,
                    "cancel_reason": cancellation["detail"],
                    "cancellation": cancellation,
                },
                "$push": {"history": {"status": Status.CANCELLED.value, "at": now}},
            },
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )

    async def statuses(self, waybills: Sequence[str]) -> dict[str, Status]:
        """The status of each of ``waybills`` that is an order here."""
        found = self.collection.find(
            {"_id": {"$in": list(waybills)}}, {"status": 1}, session=self.session
        )
        return {doc["_id"]: Status(doc["status"]) async for doc in found}

    async def move_statuses(self, moves: Mapping[str, Move]) -> None:
        """Apply ``moves`` (from ``statuses`` read in the same transaction): each order
        takes its new status, and every step goes into its history."""
        updates = [
            UpdateOne(
                {"_id": waybill, "status": move.before.value},
                {
                    "$set": {"status": move.after.value},
                    "$push": {
                        "history": {
                            "$each": [{"status": s.value, "at": at} for s, at in move.steps]
                        }
                    },
                },
            )
            for waybill, move in moves.items()
        ]
        if updates:
            await self.collection.bulk_write(updates, ordered=False, session=self.session)

    async def follow_routes(self, plans: Sequence[RoutePlan]) -> None:
        """Each order takes a route version's fields unless a newer version is in (route
        events of one waybill may come out of order after a rebalance), and the planned
        price if it has none (an agreed price is never changed)."""
        updates: list[UpdateOne] = []
        for plan in plans:
            updates.append(
                UpdateOne(
                    {
                        "_id": plan.waybill,
                        "$or": [{"route_version": None}, {"route_version": {"$lt": plan.version}}],
                    },
                    {"$set": plan.fields | {"route_version": plan.version}},
                )
            )
            if plan.price is not None:
                weight = {"chargeable_weight_kg": plan.weight_kg} if plan.weight_kg else {}
                updates.append(
                    UpdateOne(
                        {"_id": plan.waybill, "price": None},
                        {"$set": {"price": plan.price} | weight},
                    )
                )
        if updates:
            await self.collection.bulk_write(updates, ordered=True, session=self.session)
