"""The async MongoDB client, and running work in one of its transactions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession

from fairwind.settings import ServiceSettings

Document = dict[str, Any]
T = TypeVar("T")


def create_client(settings: ServiceSettings, **overrides: Any) -> AsyncMongoClient[Document]:
    """One client per process; it pools connections and is safe to share between tasks."""
    options: dict[str, Any] = {
        "appname": f"fairwind-{settings.service_name}",
        "tz_aware": True,
        "uuidRepresentation": "standard",
        "serverSelectionTimeoutMS": 10_000,
    }
    return AsyncMongoClient(settings.mongo_url, **(options | overrides))


async def in_transaction(
    client: AsyncMongoClient[Document], work: Callable[[AsyncClientSession], Awaitable[T]]
) -> T:
    """Run ``work(session)`` in a transaction; transient conflicts are retried by the driver."""
    async with client.start_session() as session:
        return await session.with_transaction(work)
