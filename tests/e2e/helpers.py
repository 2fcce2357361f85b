"""Small helpers of the end-to-end tests: scripted parcels and waiting for figures."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sim.clients import Clients
from sim.plan import Script
from sim.world import World

T = TypeVar("T")


def scripted(
    world: World,
    index: int,
    partner: str,
    at: timedelta,
    origin: str,
    destination: str,
    **trouble: Any,
) -> Script:
    """One parcel, no trouble unless asked: picked up in 20 minutes, delivered first time."""
    source, target = world.outlets[origin], world.outlets[destination]
    defaults: dict[str, Any] = {
        "pickup_after": timedelta(minutes=20),
        "late_pickup": False,
        "cancel": False,
        "missort": False,
        "exception": False,
        "failed_attempts": 0,
    }
    return Script(
        index=index,
        partner=partner,
        at=at,
        origin=source,
        origin_district=source.districts[0],
        destination=target,
        destination_district=target.districts[0],
        service_level="next_day",
        weight_kg=1.5,
        jitter_seed=index,
        **(defaults | trouble),
    )


async def eventually(
    probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], timeout_s: float = 60
) -> T:
    """Poll ``probe`` until ``accept`` holds; fail with the last value seen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    value = await probe()
    while not accept(value):
        if loop.time() > deadline:
            raise AssertionError(f"never accepted: {value!r}")
        await asyncio.sleep(0.5)
        value = await probe()
    return value


async def counts(clients: Clients, sla: str, outlet: str) -> tuple[int, int]:
    """(met, breached) the SLA service reports for one outlet over the last week."""
    page = await clients.compliance(sla, "outlet", "7d")
    row = page["rows"].get(outlet, {"met": 0, "breached": 0})
    return row["met"], row["breached"]


def iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
