"""The notify database, as repositories.

``parcels``: what notify keeps of each order (people, addresses, preferences, cancelled).
``messages``: every message decided on, the channels' queue (see ``messages.py``).
``early_events``: events read before their order, waiting for it (``early.py``).
``endpoints``: partners' webhook endpoints (``endpoints.py``).
``deliveries``: one webhook delivery per event and endpoint, the dispatcher's queue.
``webhook_attempts``: every attempt, for the partners' delivery log (30 days).
``replays``: partners' requests to have events sent again (``replays.py``).
``surveys``: answers to the post-delivery surveys, one per survey (``surveys.py``).

``NotifyUnit`` binds them to one transaction (the kit's unit of work); ``NotifyStore``
holds them unbound, for reads and index set-up.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.mongo.uow import UnitOfWork
from services.notify.store.attempts import Attempts
from services.notify.store.deliveries import Deliveries
from services.notify.store.early import EarlyEvents
from services.notify.store.endpoints import Endpoints, endpoint_of
from services.notify.store.messages import Messages
from services.notify.store.parcels import Parcels, parcel_doc, parcel_of
from services.notify.store.replays import Replays
from services.notify.store.surveys import Surveys

Document = dict[str, Any]

__all__ = [
    "Attempts",
    "Deliveries",
    "EarlyEvents",
    "Endpoints",
    "Messages",
    "NotifyStore",
    "NotifyUnit",
    "Parcels",
    "Replays",
    "Surveys",
    "endpoint_of",
    "parcel_doc",
    "parcel_of",
]


class NotifyUnit(UnitOfWork):
    def __init__(self, db: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        super().__init__()
        self.parcels = Parcels(db, session)
        self.messages = Messages(db, session)
        self.early = EarlyEvents(db, session)
        self.endpoints = Endpoints(db, session)
        self.deliveries = Deliveries(db, session)
        self.attempts = Attempts(db, session)
        self.replays = Replays(db, session)
        self.surveys = Surveys(db, session)


class NotifyStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.parcels = Parcels(db)
        self.messages = Messages(db)
        self.early = EarlyEvents(db)
        self.endpoints = Endpoints(db)
        self.deliveries = Deliveries(db)
        self.attempts = Attempts(db)
        self.replays = Replays(db)
        self.surveys = Surveys(db)

    async def create_indexes(self) -> None:
        for repository in (
            self.messages,
            self.early,
            self.endpoints,
            self.deliveries,
            self.attempts,
            self.replays,
        ):
            await repository.create_indexes()
