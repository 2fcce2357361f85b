"""The orders service's event consumers (thin): tracking status → order status."""

from __future__ import annotations

import functools

from fairwind.events import ConsumerRunner
from fairwind.platform import Platform
from fairwind.v1 import tracking_pb2
from services.orders import handlers
from services.orders.handlers import OrdersService

GROUP = "orders.shipment-status"


def status_consumer(platform: Platform, svc: OrdersService) -> ConsumerRunner:
    return platform.consumer(
        GROUP,
        {
            tracking_pb2.ShipmentStatusChanged: functools.partial(handlers.on_status_changed, svc),
        },
    )
