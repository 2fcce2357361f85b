"""The tracking service's event consumers (thin)."""

from __future__ import annotations

import functools

from fairwind.events import ConsumerRunner
from fairwind.platform import Platform
from fairwind.v1 import orders_pb2, routes_pb2
from services.tracking import handlers
from services.tracking.handlers import TrackingService

GROUP = "tracking"


def event_consumer(platform: Platform, svc: TrackingService) -> ConsumerRunner:
    return platform.consumer(
        GROUP,
        {
            orders_pb2.OrderCreated: functools.partial(handlers.on_order_created, svc),
            orders_pb2.OrderCancelled: functools.partial(handlers.on_order_cancelled, svc),
            routes_pb2.PickupDispatched: functools.partial(handlers.on_pickup_dispatched, svc),
            routes_pb2.RoutePlanned: functools.partial(handlers.on_route, svc),
            routes_pb2.RouteReplanned: functools.partial(handlers.on_route, svc),
        },
    )
