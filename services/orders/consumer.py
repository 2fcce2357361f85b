"""The orders service's event consumers (thin): tracking status → order status; route
plans → promise, price and sort code; an unroutable order → cancelled."""

from __future__ import annotations

import functools

from fairwind.events import Batched, ConsumerRunner
from fairwind.platform import Platform
from fairwind.v1 import routes_pb2, tracking_pb2
from services.orders import handlers
from services.orders.handlers import OrdersService

GROUP = "orders.shipment-status"
ROUTES_GROUP = "orders.routes"


def status_consumer(platform: Platform, svc: OrdersService) -> ConsumerRunner:
    return platform.consumer(
        GROUP,
        {
            tracking_pb2.ShipmentStatusChanged: Batched(
                functools.partial(handlers.on_statuses_changed, svc)
            ),
        },
    )


def route_consumer(platform: Platform, svc: OrdersService) -> ConsumerRunner:
    """Its own group: route events are few and must not wait behind a tracking backlog."""
    on_routes = Batched(functools.partial(handlers.on_routes, svc))
    return platform.consumer(
        ROUTES_GROUP,
        {
            routes_pb2.RoutePlanned: on_routes,
            routes_pb2.RouteReplanned: on_routes,
            routes_pb2.OrderUnroutable: functools.partial(handlers.on_unroutable, svc),
        },
    )
