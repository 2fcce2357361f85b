"""The platform's shipment status taxonomy (the ShipmentStatus of the contracts, lower case).

Tracking owns the state machine that moves a shipment through it; orders follows it. Each
keeps its own rank table, because what "forward" means differs between them.
"""

from __future__ import annotations

from enum import StrEnum


class ShipmentStatus(StrEnum):
    INFO_RECEIVED = "info_received"
    PICKUP_DISPATCHED = "pickup_dispatched"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    AT_DELIVERY_OUTLET = "at_delivery_outlet"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_FAILED = "delivery_failed"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    EXCEPTION = "exception"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"
