"""The routing service's event consumers (thin) and the reassignment loop."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

from fairwind.events import Batched, ConsumerRunner
from fairwind.platform import Platform
from fairwind.runtime.lifecycle import Worker
from fairwind.v1 import orders_pb2, tracking_pb2
from services.routing import handlers, pickups
from services.routing.service import RoutingService

GROUP = "routing"
log = logging.getLogger(__name__)


def event_consumer(platform: Platform, svc: RoutingService) -> ConsumerRunner:
    return platform.consumer(
        GROUP,
        {
            orders_pb2.OrderCreated: Batched(functools.partial(handlers.on_orders_created, svc)),
            orders_pb2.OrderCancelled: Batched(
                functools.partial(handlers.on_orders_cancelled, svc)
            ),
            tracking_pb2.RouteDeviationDetected: functools.partial(handlers.on_deviation, svc),
        },
    )


def reassigner(svc: RoutingService) -> Worker:
    """Every few seconds, move pickups nobody accepted in time to another courier."""
    stopping = asyncio.Event()
    # A compressed business clock makes the acceptance timeout short on the wall clock.
    timeout_wall = svc.clock.wall_seconds(svc.settings.acceptance_timeout_s)
    interval = min(svc.settings.reassign_check_s, max(timeout_wall / 5, 0.05))

    async def run() -> None:
        while not stopping.is_set():
            try:
                await pickups.reassign_overdue(svc)
            except Exception:
                log.exception("reassignment round failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), interval)

    return Worker("pickup-reassigner", run, stopping.set)
