"""The crm service's event consumer (thin)."""

from __future__ import annotations

import functools

from fairwind.events import Batched, ConsumerRunner
from fairwind.platform import Platform
from fairwind.v1 import crm_pb2, orders_pb2, sla_pb2, tracking_pb2
from services.crm import handlers
from services.crm.handlers import CrmService
from services.crm.outcomes import on_sla_results
from services.crm.surveys import on_surveys_answered

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
            # The archive's outcomes and breach records (SlaAtRisk is ignored).
            sla_pb2.SlaBreached: Batched(functools.partial(on_sla_results, svc)),
            sla_pb2.SlaMet: Batched(functools.partial(on_sla_results, svc)),
            # On crm's own topic: its other events there (SegmentChanged, ...) are ignored.
            crm_pb2.SurveyAnswered: Batched(functools.partial(on_surveys_answered, svc)),
        },
    )
