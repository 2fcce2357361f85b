"""The kit's unit of work on the real mongod: a write and its events commit together or not
at all; ``run`` runs the body again when a concurrent writer conflicts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.events import EventCatalog, EventCodec
from fairwind.mongo.outbox import Outbox
from fairwind.mongo.uow import Transactions, UnitOfWork
from fairwind.v1 import orders_pb2

pytestmark = pytest.mark.integration
Document = dict[str, Any]


class Parcels:
    """A repository bound to the unit's session."""

    def __init__(self, db: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self.collection, self.session = db["parcels"], session

    async def insert(self, doc: Document) -> None:
        await self.collection.insert_one(doc, session=self.session)

    async def get(self, waybill: str) -> Document | None:
        return await self.collection.find_one({"_id": waybill}, session=self.session)

    async def add_scans(self, waybill: str, count: int) -> None:
        await self.collection.update_one(
            {"_id": waybill}, {"$inc": {"scans": count}}, session=self.session
        )


class ParcelUnit(UnitOfWork):
    def __init__(self, db: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        super().__init__()
        self.parcels = Parcels(db, session)


@pytest.fixture
async def outbox(db: AsyncDatabase[Document]) -> Outbox:
    store = Outbox(db)
    await store.create_indexes()
    return store


@pytest.fixture
def uow(
    mongo: AsyncMongoClient[Document], db: AsyncDatabase[Document], outbox: Outbox
) -> Transactions[ParcelUnit]:
    return Transactions(mongo, db, outbox, ParcelUnit)


@pytest.fixture
def codec(unique_name: str) -> EventCodec:
    catalog = EventCatalog().register(f"{unique_name}.v1", orders_pb2.OrderCreated)
    return EventCodec(catalog, source="tests")


def created(codec: EventCodec, waybill: str) -> Any:
    message = orders_pb2.OrderCreated()
    message.order.waybill = waybill
    return codec.encode(message, waybill)


async def test_a_write_and_its_event_commit_together(
    uow: Transactions[ParcelUnit], outbox: Outbox, codec: EventCodec, db: AsyncDatabase[Document]
) -> None:
    told: list[str] = []
    async with uow() as unit:
        await unit.parcels.insert({"_id": "SF1", "scans": 0})
        assert await unit.parcels.get("SF1") is not None  # reads its own writes
        assert await db["parcels"].find_one({"_id": "SF1"}) is None  # others do not, yet
        unit.emit(created(codec, "SF1"))
        unit.after_commit(lambda: told.append("SF1"))
        assert told == []
    assert await db["parcels"].find_one({"_id": "SF1"}) is not None
    assert [r["key"] for r in await outbox.pending(10)] == [b"SF1"]
    assert told == ["SF1"]
    await outbox.wait_for_records(5)  # woken by the commit: returns at once


async def test_an_error_stores_neither_the_write_nor_the_event(
    uow: Transactions[ParcelUnit], outbox: Outbox, codec: EventCodec, db: AsyncDatabase[Document]
) -> None:
    told: list[str] = []

    async def refused() -> None:
        async with uow() as unit:
            await unit.parcels.insert({"_id": "SF2", "scans": 0})
            unit.emit(created(codec, "SF2"))
            unit.after_commit(lambda: told.append("SF2"))
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError, match="refused"):
        await refused()
    assert await db["parcels"].find_one({"_id": "SF2"}) is None
    assert await outbox.pending(10) == []
    assert told == []


async def test_run_repeats_the_body_after_a_write_conflict(
    uow: Transactions[ParcelUnit], db: AsyncDatabase[Document]
) -> None:
    await db["parcels"].insert_one({"_id": "SF3", "scans": 0})
    inside, release = asyncio.Event(), asyncio.Event()
    attempts = 0

    async def slow(unit: ParcelUnit) -> None:
        await unit.parcels.add_scans("SF3", 1)  # holds the document's write lock
        inside.set()
        await release.wait()

    async def conflicting(unit: ParcelUnit) -> int:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            release.set()  # let the first commit once this attempt has failed
        await unit.parcels.add_scans("SF3", 10)
        return attempts

    first = asyncio.create_task(uow.run(slow))
    await inside.wait()
    tries = await uow.run(conflicting)
    await first
    assert tries >= 2, "the conflicting body was not run again"
    doc = await db["parcels"].find_one({"_id": "SF3"})
    assert doc is not None
    assert doc["scans"] == 11  # both writes applied, neither lost
