"""The crm service's event consumer (thin)."""

from __future__ import annotations

import functools

from fairwind.events import Batched, ConsumerRunner
from fairwind.platform import Platform
from fairwind.v1 import orders_pb2, tracking_pb2
from services.crm import handlers
from services.crm.handlers import CrmService

GROUP = "crm"


def event_consumer(platform: Platform, svc: CrmService) -> ConsumerRunner:
    return platform.consumer(
        GROUP,
        {
            orders_pb2.OrderCreated: Batched(functools.partial(handlers.on_orders_created, svc)),
            orders_pb2.OrderCancelled: functools.partial(handlers.on_order_cancelled, svc),
            tracking_pb2.ShipmentStatusChanged: Batched(
                functools.partial(handlers.on_statuses_changed, svc)
            ),
        },
    )
