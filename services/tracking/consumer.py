"""The tracking service's event consumer (thin): every handler takes a batch."""

from __future__ import annotations

import functools

from fairwind.events import Batched, ConsumerRunner
from fairwind.platform import Platform
from fairwind.v1 import orders_pb2, routes_pb2
from services.tracking import handlers
from services.tracking.service import TrackingService

GROUP = "tracking"


def event_consumer(platform: Platform, svc: TrackingService) -> ConsumerRunner:
    def batched(handle: handlers.BatchHandler) -> Batched:
        return Batched(functools.partial(handle, svc))

    return platform.consumer(
        GROUP,
        {
            orders_pb2.OrderCreated: batched(handlers.on_orders_created),
            orders_pb2.OrderCancelled: batched(handlers.on_orders_cancelled),
            routes_pb2.PickupDispatched: batched(handlers.on_pickups_dispatched),
            routes_pb2.RoutePlanned: batched(handlers.on_routes),
            routes_pb2.RouteReplanned: batched(handlers.on_routes),
        },
    )
