"""Creating the async MongoDB client and a service's indexes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.settings import ServiceSettings

Document = dict[str, Any]


def create_client(settings: ServiceSettings, **overrides: Any) -> AsyncMongoClient[Document]:
    """One client per process; it pools connections and is safe to share between tasks."""
    options: dict[str, Any] = {
        "appname": f"fairwind-{settings.service_name}",
        "tz_aware": True,
        "uuidRepresentation": "standard",
        "serverSelectionTimeoutMS": 10_000,
    }
    return AsyncMongoClient(settings.mongo_url, **(options | overrides))


def service_database(
    client: AsyncMongoClient[Document], settings: ServiceSettings
) -> AsyncDatabase[Document]:
    return client[settings.database_name]


async def ensure_indexes(
    db: AsyncDatabase[Document], indexes: Mapping[str, Sequence[IndexModel]]
) -> None:
    """Create each collection's indexes (idempotent; existing ones are kept)."""
    for collection, models in indexes.items():
        if models:
            await db[collection].create_indexes(list(models))
