"""Group commit on the real mongod: concurrent writes share transactions (units of work); a
bad write fails alone."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from fairwind.events import EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.group_commit import GroupCommitter
from fairwind.mongo.outbox import Outbox
from fairwind.mongo.repository import Repository
from fairwind.mongo.uow import Transactions, UnitOfWork
from fairwind.v1 import orders_pb2

pytestmark = pytest.mark.integration
Document = dict[str, Any]
Committer = GroupCommitter[Any, Document]
CODEC = EventCodec(platform_catalog(), "tests")


class Orders(Repository):
    collection_name = "orders"

    async def insert(self, docs: list[Document]) -> None:
        await self.collection.insert_many(docs, session=self.session)


class OrdersUnit(UnitOfWork):
    def __init__(self, db: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        super().__init__()
        self.orders = Orders(db, session)


def unit_committer(
    mongo: AsyncMongoClient[Document], db: AsyncDatabase[Document], notified: list[int]
) -> GroupCommitter[OrdersUnit, Document]:
    async def write(uow: OrdersUnit, docs: list[Document]) -> None:
        await uow.orders.insert(docs)
        uow.emit(*(CODEC.encode(orders_pb2.OrderCreated(), d["_id"]) for d in docs))
        uow.after_commit(lambda: notified.append(1))

    return GroupCommitter(Transactions(mongo, db, Outbox(db), OrdersUnit), write)


@pytest.fixture
def committer(
    mongo: AsyncMongoClient[Document], db: AsyncDatabase[Document]
) -> tuple[Committer, list[int]]:
    notified: list[int] = []
    return unit_committer(mongo, db, notified), notified


async def test_concurrent_writes_share_transactions(
    committer: tuple[Committer, list[int]], db: AsyncDatabase[Document]
) -> None:
    group, notified = committer
    await asyncio.gather(*(group.submit({"_id": f"W{i}"}) for i in range(200)))
    assert await db["orders"].count_documents({}) == 200
    assert await db["outbox"].count_documents({}) == 200
    assert group.items == 200
    assert group.groups < 200  # they were grouped
    assert len(notified) == group.groups


async def test_a_bad_write_fails_alone_and_the_rest_commit(
    committer: tuple[Committer, list[int]], db: AsyncDatabase[Document]
) -> None:
    group, _ = committer
    await group.submit({"_id": "TAKEN"})
    docs = [{"_id": f"W{i}"} for i in range(20)] + [{"_id": "TAKEN"}]
    results = await asyncio.gather(*(group.submit(d) for d in docs), return_exceptions=True)
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1
    assert isinstance(failures[0], BulkWriteError | DuplicateKeyError)
    assert results[-1] is failures[0]
    assert await db["orders"].count_documents({}) == 21
    assert await db["outbox"].count_documents({}) == 21  # the failed write left no event
