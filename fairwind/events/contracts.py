"""The platform's event vocabulary: every event message and the topic it travels on."""

from __future__ import annotations

from fairwind.events.catalog import EventCatalog
from fairwind.v1 import (
    crm_pb2,
    notifications_pb2,
    orders_pb2,
    routes_pb2,
    sla_pb2,
    tracking_pb2,
)

ORDERS = "fairwind.orders.v1"
ROUTES = "fairwind.routes.v1"
TRACKING = "fairwind.tracking.v1"
SLA = "fairwind.sla.v1"
NOTIFICATIONS = "fairwind.notifications.v1"
CRM = "fairwind.crm.v1"


def platform_catalog(namespace: str = "fairwind") -> EventCatalog:
    """A fresh catalog of every platform event (cheap; build one per process). Another
    ``namespace`` names other topics (``<namespace>.orders.v1``...), for tests that share a
    broker."""

    def topic(name: str) -> str:
        return name.replace("fairwind.", f"{namespace}.", 1)

    return (
        EventCatalog()
        .register(topic(ORDERS), orders_pb2.OrderCreated, orders_pb2.OrderCancelled)
        .register(
            topic(ROUTES),
            routes_pb2.RoutePlanned,
            routes_pb2.RouteReplanned,
            routes_pb2.PickupDispatched,
            routes_pb2.OrderUnroutable,
        )
        .register(
            topic(TRACKING),
            tracking_pb2.ScanRecorded,
            tracking_pb2.ShipmentStatusChanged,
            tracking_pb2.RouteDeviationDetected,
        )
        .register(
            topic(SLA),
            sla_pb2.SlaAtRisk,
            sla_pb2.SlaBreached,
            sla_pb2.SlaMet,
            sla_pb2.ComplianceSnapshot,
        )
        .register(
            topic(NOTIFICATIONS),
            notifications_pb2.NotificationSent,
            notifications_pb2.NotificationFailed,
            notifications_pb2.NotificationSuppressed,
            notifications_pb2.WebhookEndpointDisabled,
        )
        .register(
            topic(CRM),
            crm_pb2.SegmentChanged,
            crm_pb2.SurveyAnswered,
            crm_pb2.ChurnRiskRaised,
            crm_pb2.KeyAccountBreached,
        )
    )
