"""The orders service's event consumers (thin): tracking status → order status; route
plans → promise, price and sort code; an unroutable order → cancelled."""

from __future__ import annotations

import functools

from fairwind.events import ConsumerRunner
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
            tracking_pb2.ShipmentStatusChanged: functools.partial(handlers.on_status_changed, svc),
        },
    )


def route_consumer(platform: Platform, svc: OrdersService) -> ConsumerRunner:
    """Its own group: route events are few and must not wait behind a tracking backlog."""
    on_route = functools.partial(handlers.on_route, svc)
    return platform.consumer(
        ROUTES_GROUP,
        {
            routes_pb2.RoutePlanned: on_route,
            routes_pb2.RouteReplanned: on_route,
            routes_pb2.OrderUnroutable: functools.partial(handlers.on_unroutable, svc),
        },
    )
