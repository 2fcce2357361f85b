"""One parcel's life as played by its actors: the partner books it, a courier accepts and
picks it up, hubs scan it along the planned route (or a wrong hub, for a missort), the
destination outlet delivers it, maybe after failed attempts. Every scan carries the
business time at which it happens, so the platform sees the same day at any speed."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fairwind.clock import PlatformClock
from fairwind.v1 import routes_pb2
from sim.clients import Clients
from sim.plan import Script
from sim.world import World

log = logging.getLogger("sim")


@dataclass
class Parcel:
    """What happened to one parcel, as the simulator saw it (its ground truth)."""

    script: Script
    state: str = "scripted"  # booked, refused, picked_up, in_transit, at_outlet, delivered...
    waybill: str = ""
    created_at: datetime | None = None
    deliver_by: datetime | None = None
    picked_at: datetime | None = None
    at_outlet_at: datetime | None = None
    delivered_at: datetime | None = None
    replans: int = 0
    scans: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class Stage:
    """What every actor shares: the business clock, the day, the network, the clients."""

    clock: PlatformClock
    start: datetime
    world: World
    clients: Clients
    run_id: str
    on_event: Callable[[Parcel], None] = lambda parcel: None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.world.time_zone)

    async def until(self, when: datetime) -> None:
        """Sleep until business time ``when``."""
        ahead = (when - self.clock.now()).total_seconds()
        if ahead > 0:
            await asyncio.sleep(self.clock.wall_seconds(ahead))


def order_body(script: Script, run_id: str = "") -> dict[str, Any]:
    def contact(name: str, email: str, outlet: Any, district: str, street: str) -> dict[str, Any]:
        return {
            "name": name,
            "phone": f"+86 138{script.index % 100_000_000:08d}",
            "email": email,  # notify's mail goes to make run's local mail sink
            "address": {
                "province": outlet.province,
                "city": outlet.city,
                "district": district,
                "street": street,
            },
        }

    return {
        "partner_order_id": f"{script.partner}-{run_id}-{script.index:06d}".replace("--", "-"),
        "shipper": contact(
            f"{script.partner} 仓库",
            f"shipping@{script.partner}.example",
            script.origin,
            script.origin_district,
            "1号",
        ),
        "consignee": contact(
            f"收件人{script.index}",
            f"recipient{script.index}@example.com",
            script.destination,
            script.destination_district,
            "8号",
        ),
        "parcels": [
            {
                "weight_kg": script.weight_kg,
                "dimensions": {"length_cm": 30, "width_cm": 20, "height_cm": 15},
                "description": "clothing",
            }
        ],
        "service_level": script.service_level,
    }


class Life:
    """Plays one script against the platform."""

    def __init__(self, stage: Stage, script: Script) -> None:
        self.stage, self.script = stage, script
        self.parcel = Parcel(script)
        self.rng = random.Random(script.jitter_seed)
        self.sequence = 0

    def moved(self, state: str) -> None:
        self.parcel.state = state
        self.stage.on_event(self.parcel)

    async def play(self) -> Parcel:
        try:
            await self._play()
        except Exception as exc:  # one broken parcel must not stop the day
            log.exception("parcel %s failed", self.parcel.waybill or self.script.index)
            self.parcel.problems.append(repr(exc))
            self.moved("broken")
        return self.parcel

    async def _play(self) -> None:
        stage, script = self.stage, self.script
        await stage.until(stage.start + script.at)
        body_in = order_body(script, stage.run_id)
        key = f"sim-{stage.run_id}-{script.index}"
        status, body = await stage.clients.place(script.partner, body_in, key)
        refused = status == 422 and body.get("title") == "no_service"
        if refused and script.service_level != "standard":
            # Like a shop's checkout: next-day where the network offers it, else standard.
            body_in["service_level"] = "standard"
            status, body = await stage.clients.place(script.partner, body_in, f"{key}-std")
        if status != 201:
            self.parcel.problems.append(f"order {status}: {body.get('detail', body)}")
            self.moved("refused")
            return
        self.parcel.waybill = body["waybill"]
        self.parcel.created_at = datetime.fromisoformat(body["created_at"])
        if body.get("promise"):  # the promise made to the customer; re-plans do not move it
            self.parcel.deliver_by = datetime.fromisoformat(body["promise"]["deliver_by"])
        self.moved("booked")
        if script.cancel:
            await stage.until(self.parcel.created_at + timedelta(minutes=self.rng.uniform(3, 8)))
            await stage.clients.cancel(script.partner, self.parcel.waybill)
            self.moved("cancelled")
            return
        courier = await self.accept_pickup()
        at = self.parcel.created_at + script.pickup_after
        await self.scan(script.origin.code, "picked_up", at, courier_id=courier)
        self.parcel.picked_at = at
        self.moved("picked_up")
        arrival = await self.travel(at)
        if arrival is not None:
            await self.deliver(arrival)

    async def accept_pickup(self) -> str | None:
        """The origin outlet's couriers look at their task lists; the one holding it accepts."""
        assert self.parcel.created_at is not None
        when = self.parcel.created_at
        for _ in range(10):
            when += timedelta(minutes=2)
            await self.stage.until(when)
            for courier in self.script.origin.couriers:
                tasks = await self.stage.clients.tasks(courier)
                mine = any(task.waybill == self.parcel.waybill for task in tasks)
                if mine and await self.stage.clients.accept(courier, self.parcel.waybill):
                    return courier
        self.parcel.problems.append("no courier task found")
        return None

    async def scan(
        self, location: str, event: str, at: datetime, **extra: Any
    ) -> tuple[int, dict[str, Any]]:
        await self.stage.until(at)
        self.sequence += 1
        body = {
            "scan_id": f"sim-{self.stage.run_id}-{self.parcel.waybill}-{self.sequence}",
            "waybill": self.parcel.waybill,
            "event": event,
            "location": location,
            "device_time": at.isoformat(),
        } | {k: v for k, v in extra.items() if v is not None}
        status, answer = await self.stage.clients.scan(location, body)
        if status not in (200, 201, 202):  # 202: parked until tracking has the order
            self.parcel.problems.append(f"{event} at {location}: {status} {answer.get('title')}")
        self.parcel.scans += 1
        return status, answer

    async def current_route(self, newer_than: int = 0) -> routes_pb2.Route | None:
        """The route, polled every few business minutes until one newer than a version."""
        when = self.stage.clock.now()
        for _ in range(40):
            route = await self.stage.clients.route(self.parcel.waybill)
            if route is not None and route.version > newer_than:
                return route
            when += timedelta(minutes=3)
            await self.stage.until(when)
        return None

    async def travel(self, now: datetime) -> datetime | None:
        """Along the planned legs; returns the arrival time at the destination outlet."""
        route = await self.current_route()
        if route is None:
            self.parcel.problems.append("no route")
            self.moved("stuck")
            return None
        self._promise(route)
        legs, index, missorted = list(route.legs), 0, False
        self.moved("in_transit")
        while index < len(legs):
            leg = legs[index]
            planned = leg.planned_departure.ToDatetime(tzinfo=UTC)
            departure = max(planned, now)
            arrival = departure + (leg.planned_arrival.ToDatetime(tzinfo=UTC) - planned)
            await self.scan(leg.from_location.code, "departed", departure)
            target = leg.to_location.code
            if target not in self.stage.world.hubs:
                return arrival
            if self.script.missort and not missorted:
                missorted = True
                replanned = await self.missort(target, arrival, route.version)
                if replanned is not None:
                    route, now, here = replanned
                    legs, index = self._legs_from(route, here)
                    continue
            now = await self.through_hub(target, arrival)
            index += 1
        return now

    async def missort(
        self, planned: str, arrival: datetime, version: int
    ) -> tuple[routes_pb2.Route, datetime, str] | None:
        """The parcel lands at a hub it was not meant to reach; tracking must notice and
        routing re-plan from there."""
        wrong = self.stage.world.other_hub(planned, self.rng)
        await self.scan(wrong, "arrived", arrival)
        route = await self.current_route(newer_than=version)
        if route is None:
            self.parcel.problems.append(f"no re-plan after the missort at {wrong}")
            return None
        self.parcel.replans += 1
        self._promise(route)
        return route, await self.through_hub(wrong, arrival, arrived=True), wrong

    @staticmethod
    def _legs_from(route: routes_pb2.Route, here: str) -> tuple[list[Any], int]:
        """A re-planned route may list legs already travelled: go on from ``here``."""
        legs = list(route.legs)
        starts = [i for i, leg in enumerate(legs) if leg.from_location.code == here]
        return legs, starts[0] if starts else 0

    async def through_hub(self, hub: str, arrival: datetime, arrived: bool = False) -> datetime:
        if not arrived:
            await self.scan(hub, "arrived", arrival)
        sorted_at = arrival + timedelta(minutes=self.rng.uniform(10, 30))
        if self.script.exception and self.rng.random() < 0.5:
            await self.scan(hub, "exception", sorted_at, reason="carrier_label_damaged")
            sorted_at += timedelta(minutes=5)
        await self.scan(hub, "sorted", sorted_at)
        return sorted_at

    def _promise(self, route: routes_pb2.Route) -> None:
        """The first promise counts (routing may give it after the order, if it was down)."""
        if self.parcel.deliver_by is None and route.promise.HasField("deliver_by"):
            self.parcel.deliver_by = route.promise.deliver_by.ToDatetime(tzinfo=UTC)

    async def deliver(self, arrival: datetime) -> None:
        """Inbound at the outlet (overnight parcels when it opens), then last mile."""
        outlet = self.script.destination
        at = self._opening(arrival, outlet.opens_minute, outlet.closes_minute)
        await self.scan(outlet.code, "at_delivery_outlet", at)
        self.parcel.at_outlet_at = at
        self.moved("at_outlet")
        courier = self.rng.choice(outlet.couriers)
        at += timedelta(minutes=self.rng.uniform(10, 30))
        await self.scan(outlet.code, "out_for_delivery", at, courier_id=courier)
        for _ in range(self.script.failed_attempts):
            at += timedelta(minutes=self.rng.uniform(20, 40))
            await self.scan(
                outlet.code, "delivery_failed", at, courier_id=courier, reason="consignee_not_home"
            )
            at += timedelta(minutes=self.rng.uniform(60, 120))
            await self.scan(outlet.code, "out_for_delivery", at, courier_id=courier)
        at += timedelta(minutes=self.rng.uniform(15, 60))
        await self.scan(
            outlet.code,
            "delivered",
            at,
            courier_id=courier,
            proof_of_delivery={"recipient_name": "本人"},
        )
        self.parcel.delivered_at = at
        self.moved("delivered")

    def _opening(self, arrival: datetime, opens: int, closes: int) -> datetime:
        local = arrival.astimezone(self.stage.zone)
        minute = local.hour * 60 + local.minute
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if minute < opens:
            return midnight + timedelta(minutes=opens)
        if minute >= closes:
            return midnight + timedelta(days=1, minutes=opens)
        return arrival
