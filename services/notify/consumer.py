"""The notify service's event consumer (thin): every parcel moment's event type in one
batched handler, crm's account events in another."""

from __future__ import annotations

import functools

from fairwind.events import Batched, ConsumerRunner
from fairwind.platform import Platform
from fairwind.v1 import crm_pb2, orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.notify import accounts, handlers
from services.notify.handlers import NotifyService

GROUP = "notify"


def event_consumer(platform: Platform, svc: NotifyService) -> ConsumerRunner:
    on_events = Batched(functools.partial(handlers.on_events, svc))
    on_accounts = Batched(functools.partial(accounts.on_account_events, svc))
    return platform.consumer(
        GROUP,
        {
            orders_pb2.OrderCreated: on_events,
            orders_pb2.OrderCancelled: on_events,
            tracking_pb2.ShipmentStatusChanged: on_events,
            routes_pb2.RouteReplanned: on_events,
            sla_pb2.SlaAtRisk: on_events,
            crm_pb2.ChurnRiskRaised: on_accounts,
            crm_pb2.KeyAccountBreached: on_accounts,
            crm_pb2.SegmentChanged: on_accounts,
        },
    )
