"""The tracking database, as repositories.

``shipments``: one document per shipment (``_id`` = waybill). ``scans``: one per scan
(``_id`` = scan id). ``early_events`` and ``early_unmatched``: what came before its order,
and what waited in vain (``Parked``, ``Unmatched``). ``locations`` and ``devices``: the
places scanned at and the devices scanning there. ``lookup_guesses``: the counters that
limit ``phone_last4`` guesses.

``TrackingUnit`` binds the repositories a scan or an event writes to one transaction (the
kit's unit of work); ``TrackingStore`` holds every repository unbound, for reads, writes
that need no transaction, and index set-up.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.mongo.uow import UnitOfWork
from services.tracking.store.devices import Devices, Place, Places
from services.tracking.store.documents import hops_of, legs_of, plans_of, position_of
from services.tracking.store.guesses import GuessCounters
from services.tracking.store.parked import NO_ORDER, Parked, Unmatched
from services.tracking.store.scans import Scans
from services.tracking.store.shipments import RouteUpdate, Shipments

Document = dict[str, Any]

__all__ = [
    "NO_ORDER",
    "Devices",
    "GuessCounters",
    "Parked",
    "Place",
    "Places",
    "RouteUpdate",
    "Scans",
    "Shipments",
    "TrackingStore",
    "TrackingUnit",
    "Unmatched",
    "hops_of",
    "legs_of",
    "plans_of",
    "position_of",
]


class TrackingUnit(UnitOfWork):
    """One transaction over the tracking database, with its repositories bound to it."""

    def __init__(self, db: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        super().__init__()
        self.shipments = Shipments(db, session)
        self.scans = Scans(db, session)
        self.parked = Parked(db, session)
        self.unmatched = Unmatched(db, session)


class TrackingStore:
    """The repositories outside any transaction."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.shipments = Shipments(db)
        self.scans = Scans(db)
        self.parked = Parked(db)
        self.unmatched = Unmatched(db)
        self.places = Places(db)
        self.devices = Devices(db)
        self.guesses = GuessCounters(db)

    async def create_indexes(self) -> None:
        await self.scans.create_indexes()
        await self.parked.create_indexes()
        await self.unmatched.create_indexes()
        await self.shipments.create_indexes()
        await self.guesses.create_indexes()
