"""What the routing handlers need, in one place: settings, the router, the repositories and
units of work over them, the codec."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fairwind.clock import PlatformClock
from fairwind.events import EventCodec
from fairwind.mongo.uow import Units
from services.routing.domain.router import Router
from services.routing.metrics import RoutingMetrics
from services.routing.settings import RoutingSettings
from services.routing.store import RoutingStore, RoutingUnit


@dataclass
class RoutingService:
    settings: RoutingSettings
    router: Router
    store: RoutingStore  # reads, and writes that need no transaction
    uow: Units[RoutingUnit]  # writes with the events they cause
    codec: EventCodec
    metrics: RoutingMetrics
    clock: PlatformClock = field(default_factory=PlatformClock)

    @property
    def zone(self) -> Any:
        return self.router.network.time_zone


class Stale(Exception):
    """Another writer changed the document first; the caller's event or round is moot."""
