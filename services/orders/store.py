"""The orders database: orders, idempotency records and waybill serials."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.orders.domain.status import CANCELLABLE, Status, follow

Document = dict[str, Any]


class IdempotencyRace(Exception):
    """Another request with the same Idempotency-Key committed first."""


def duplicated_fields(exc: BaseException) -> set[str] | None:
    """The fields of the unique index a write broke, or None if it was not a duplicate."""
    details: Document = getattr(exc, "details", None) or {}
    errors = details.get("writeErrors") or ([details] if details.get("code") == 11000 else [])
    for error in errors:
        if error.get("code") == 11000:
            return set(error.get("keyPattern") or {})
    return None


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: str | None = None
    partner_order_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


class OrderStore:
    def __init__(self, db: AsyncDatabase[Document], idempotency_retention: timedelta) -> None:
        self.orders = db["orders"]
        self.idempotency = db["idempotency"]
        self.counters = db["counters"]
        self.retention = idempotency_retention

    async def create_indexes(self) -> None:
        await self.orders.create_indexes(
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
        await self.idempotency.create_indexes(
            [
                IndexModel(
                    [("created_at", ASCENDING)],
                    name="ttl",
                    expireAfterSeconds=int(self.retention.total_seconds()),
                ),
            ]
        )

    async def reserve_serials(self, count: int) -> range:
        doc = await self.counters.find_one_and_update(
            {"_id": "waybill"},
            {"$inc": {"value": count}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None
        return range(doc["value"] - count + 1, doc["value"] + 1)

    async def replayable(self, partner_id: str, key: str) -> Document | None:
        return await self.idempotency.find_one({"_id": {"p": partner_id, "k": key}})

    async def insert(
        self,
        session: AsyncClientSession,
        orders: Sequence[Document],
        idempotency: Document | None = None,
    ) -> None:
        """Orders (and a batch's idempotency record) inside the caller's transaction."""
        if idempotency is not None:
            try:
                await self.idempotency.insert_one(idempotency, session=session)
            except DuplicateKeyError as exc:
                raise IdempotencyRace from exc
        if orders:  # a batch whose every item was refused stores only its record
            await self.orders.insert_many(list(orders), ordered=True, session=session)

    async def by_idempotency_key(self, partner_id: str, key: str) -> Document | None:
        return await self.orders.find_one({"partner_id": partner_id, "idem.k": key})

    async def duplicate_message(self, orders: Sequence[Document]) -> str:
        for order in orders:
            if order.get("partner_order_id"):
                existing = await self.orders.find_one(
                    {
                        "partner_id": order["partner_id"],
                        "partner_order_id": order["partner_order_id"],
                    },
                    {"_id": 1},
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
        found = self.orders.find(
            {"partner_id": partner_id, "partner_order_id": {"$in": ids}}, {"partner_order_id": 1}
        )
        return {doc["partner_order_id"]: doc["_id"] async for doc in found}

    async def get(self, partner_id: str, waybill: str) -> Document | None:
        return await self.orders.find_one({"_id": waybill, "partner_id": partner_id})

    async def page(
        self, partner_id: str, filters: OrderFilter, cursor: str | None, limit: int
    ) -> tuple[list[Document], str | None]:
        query: Document = {"partner_id": partner_id}
        if filters.status:
            query["status"] = filters.status
        if filters.partner_order_id:
            query["partner_order_id"] = filters.partner_order_id
        created: Document = {}
        if filters.created_from:
            created["$gte"] = filters.created_from
        if filters.created_to:
            created["$lt"] = filters.created_to
        if created:
            query["created_at"] = created
        if cursor:
            after_time, after_id = decode_cursor(cursor)
            query["$or"] = [
                {"created_at": {"$lt": after_time}},
                {"created_at": after_time, "_id": {"$lt": after_id}},
            ]
        found = self.orders.find(query).sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        docs = await found.limit(limit + 1).to_list()
        more = len(docs) > limit
        docs = docs[:limit]
        return docs, encode_cursor(docs[-1]) if more and docs else None

    async def cancel(
        self,
        session: AsyncClientSession,
        partner_id: str,
        waybill: str,
        cancellation: Document,
        now: datetime,
    ) -> Document | None:
        """Cancel if still cancellable; None if the order is past pickup (or unknown).
        ``cancellation`` says who and why (by, reason, side, detail)."""
        return await self.orders.find_one_and_update(
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
            session=session,
        )

    async def by_waybill(self, waybill: str) -> Document | None:
        """Any partner's order: for events, which carry no partner to check."""
        return await self.orders.find_one({"_id": waybill})

    async def follow_route(self, waybill: str, version: int, fields: Document) -> bool:
        """Take a route version's promise, outlets and hubs, unless a newer one is in (route
        events of one waybill may be handled out of order after a rebalance)."""
        result = await self.orders.update_one(
            {
                "_id": waybill,
                "$or": [{"route_version": None}, {"route_version": {"$lt": version}}],
            },
            {"$set": fields | {"route_version": version}},
        )
        return result.modified_count == 1

    async def fill_price(self, waybill: str, price: Document, weight_kg: float) -> bool:
        """The price of an order accepted without one; an agreed price is never changed."""
        result = await self.orders.update_one(
            {"_id": waybill, "price": None},
            {"$set": {"price": price} | ({"chargeable_weight_kg": weight_kg} if weight_kg else {})},
        )
        return result.modified_count == 1

    async def follow_status(self, waybill: str, reported: Status, at: datetime) -> bool:
        """Apply a tracking status, forward only; retried on a concurrent change."""
        for _ in range(5):
            doc = await self.orders.find_one({"_id": waybill}, {"status": 1})
            if doc is None:
                return False
            current = Status(doc["status"])
            new = follow(current, reported)
            if new is current:
                return False
            result = await self.orders.update_one(
                {"_id": waybill, "status": current.value},
                {
                    "$set": {"status": new.value},
                    "$push": {"history": {"status": new.value, "at": at}},
                },
            )
            if result.modified_count == 1:
                return True
            await asyncio.sleep(0)
        return False


def encode_cursor(doc: Document) -> str:
    raw = json.dumps([doc["created_at"].isoformat(), doc["_id"]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Raises ValueError on anything that is not a cursor we made."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, waybill = json.loads(raw)
        return datetime.fromisoformat(created).astimezone(UTC), str(waybill)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError("not a valid cursor") from exc
