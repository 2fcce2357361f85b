"""What the routing handlers need, in one place: settings, the router, the store, the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession

from fairwind.clock import PlatformClock
from fairwind.events import EncodedEvent, EventCodec
from fairwind.mongo.outbox import Outbox, in_transaction
from services.routing.domain.router import Router
from services.routing.metrics import RoutingMetrics
from services.routing.settings import RoutingSettings
from services.routing.store import RouteStore

Document = dict[str, Any]


@dataclass
class RoutingService:
    settings: RoutingSettings
    router: Router
    mongo: AsyncMongoClient[Document]
    store: RouteStore
    outbox: Outbox
    codec: EventCodec
    metrics: RoutingMetrics
    clock: PlatformClock = field(default_factory=PlatformClock)

    @property
    def zone(self) -> Any:
        return self.router.network.time_zone

    async def commit(self, work: Any, events: list[EncodedEvent]) -> None:
        async def run(session: AsyncClientSession) -> None:
            await work(session)
            await self.outbox.add(events, session)

        await in_transaction(self.mongo, run)
        self.outbox.notify()


class Stale(Exception):
    """Another writer changed the document first; the caller's event or round is moot."""
