"""The notify service's event consumer (thin): every moment's event type in one batched
handler."""

from __future__ import annotations

import functools

from fairwind.events import Batched, ConsumerRunner
from fairwind.platform import Platform
from fairwind.v1 import orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.notify import handlers
from services.notify.handlers import NotifyService

GROUP = "notify"


def event_consumer(platform: Platform, svc: NotifyService) -> ConsumerRunner:
    on_events = Batched(functools.partial(handlers.on_events, svc))
    return platform.consumer(
        GROUP,
        {
            orders_pb2.OrderCreated: on_events,
            orders_pb2.OrderCancelled: on_events,
            tracking_pb2.ShipmentStatusChanged: on_events,
            routes_pb2.RouteReplanned: on_events,
            sla_pb2.SlaAtRisk: on_events,
        },
    )
