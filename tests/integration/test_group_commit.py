"""Group commit on the real mongod: concurrent writes share transactions; a bad write
fails alone."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from fairwind.mongo.batching import GroupCommitter

pytestmark = pytest.mark.integration
Document = dict[str, Any]


def committer(
    mongo: AsyncMongoClient[Document], db: AsyncDatabase[Document], notified: list[int]
) -> GroupCommitter[Document]:
    async def write_many(session: AsyncClientSession, docs: list[Document]) -> None:
        await db["orders"].insert_many(docs, session=session)
        await db["outbox"].insert_many([{"order": d["_id"]} for d in docs], session=session)

    return GroupCommitter(mongo, write_many, after_commit=lambda: notified.append(1))


async def test_concurrent_writes_share_transactions(
    mongo: AsyncMongoClient[Document], db: AsyncDatabase[Document]
) -> None:
    notified: list[int] = []
    group = committer(mongo, db, notified)
    await asyncio.gather(*(group.submit({"_id": f"W{i}"}) for i in range(200)))
    assert await db["orders"].count_documents({}) == 200
    assert await db["outbox"].count_documents({}) == 200
    assert group.items == 200
    assert group.groups < 200  # they were grouped
    assert len(notified) == group.groups


async def test_a_bad_write_fails_alone_and_the_rest_commit(
    mongo: AsyncMongoClient[Document], db: AsyncDatabase[Document]
) -> None:
    group = committer(mongo, db, [])
    await group.submit({"_id": "TAKEN"})
    docs = [{"_id": f"W{i}"} for i in range(20)] + [{"_id": "TAKEN"}]
    results = await asyncio.gather(*(group.submit(d) for d in docs), return_exceptions=True)
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1
    assert isinstance(failures[0], BulkWriteError | DuplicateKeyError)
    assert results[-1] is failures[0]
    assert await db["orders"].count_documents({}) == 21
    assert await db["outbox"].count_documents({}) == 21  # the failed write left no event
