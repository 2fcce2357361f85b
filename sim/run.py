"""The day: provision, start every parcel's life, show the live line, then compare."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from fairwind.clock import PlatformClock, next_day_start
from sim.clients import Clients, Endpoints
from sim.hooks import Receivers
from sim.parcel import Life, Parcel, Stage
from sim.plan import SimConfig, partners, script_day
from sim.provision import customer_tiers, provision
from sim.report import (
    SLAS,
    Tally,
    expected,
    expected_by_tier,
    final_summary,
    live_line,
    measured,
    measured_by,
    notify_lines,
    since,
    since_by,
    tier_summary,
)
from sim.world import World

log = logging.getLogger("sim")


FIRST_BOOKINGS = timedelta(hours=1)  # after the day's start (07:00 → 08:00)


@dataclass
class Outcome:
    parcels: list[Parcel]
    truth: dict[str, Tally]
    platform: dict[str, Tally]
    summary: str
    tiers: dict[str, str] = field(default_factory=dict)  # CRM's tier of each partner
    truth_by_tier: dict[str, dict[str, Tally]] = field(default_factory=dict)
    platform_by_tier: dict[str, dict[str, Tally]] = field(default_factory=dict)


@dataclass
class Run:
    config: SimConfig
    endpoints: Endpoints
    clock: PlatformClock
    start: datetime
    hours: float
    world: World
    live_every_s: float = 2.0
    window: str = "7d"
    say: Callable[[str], None] = print
    admin_env: dict[str, str] | None = None  # for the admin commands (default: ours)
    as_of: datetime | None = None  # the SLA worker's event time, from its pages
    # How far the SLA worker's timers run behind its event time (FAIRWIND_EVENT_LATENESS_S).
    lateness: timedelta = timedelta(minutes=10)

    async def play(self) -> Outcome:
        outlets = self.world.choose_outlets(self.config.outlets, self.config.seed)
        scripts = script_day(self.config, outlets)
        shares = partners(self.config.partners)
        names = [name for name, _ in shares]
        hubs = list(self.world.hubs.values())
        keys, devices = await provision(names, outlets, hubs, env=self.admin_env)
        tiers = await customer_tiers(shares, env=self.admin_env)
        self.say(
            "partners (share of the volume → CRM tier): "
            + " · ".join(f"{name} {share:.0%} {tiers.get(name, '?')}" for name, share in shares)
        )
        clients = Clients(self.endpoints, keys, devices)
        receivers = await self._receivers(clients, names)
        before = await self._settled(clients, patience_s=0)
        before_tiers = await self.figures_by_tier(clients)
        run_id = f"{self.config.seed}-{int(self.clock.now().timestamp())}"
        self._start_in_time()
        stage = Stage(self.clock, self.start, self.world, clients, run_id)
        lives = [Life(stage, script) for script in scripts]
        parcels = [life.parcel for life in lives]
        tasks = [asyncio.create_task(life.play()) for life in lives]
        end = self.start + timedelta(hours=self.hours)
        try:
            await self._watch(clients, parcels, tasks, end, before)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        try:
            platform = since(await self._settled(clients), before)
            platform_by_tier = since_by(await self.figures_by_tier(clients), before_tiers)
            messages = notify_lines(await clients.notify_metrics()) + receivers.lines()
        finally:
            await clients.close()
            await receivers.stop()
        # The simulator's account up to where the SLA worker's timers have got to: a clock
        # still open there is breached only if its deadline has passed for both sides.
        cut = (self.as_of or end) - self.lateness
        truth = expected(parcels, cut)
        truth_by_tier = expected_by_tier(parcels, tiers, cut)
        tier_lines = tier_summary(truth_by_tier, platform_by_tier)
        summary = "\n".join([final_summary(parcels, truth, platform), *tier_lines, *messages])
        return Outcome(parcels, truth, platform, summary, tiers, truth_by_tier, platform_by_tier)

    async def _receivers(self, clients: Clients, partners: list[str]) -> Receivers:
        """Each partner's webhook receiver, registered with notify (when notify is given)."""
        receivers = Receivers(flaky=partners[0] if partners else "")
        if not self.endpoints.notify:
            return receivers
        base = await receivers.start()
        try:
            for partner in partners:
                receivers.secrets[partner] = await clients.webhook_endpoint(partner, base + partner)
        except httpx.HTTPError as exc:
            self.say(f"webhooks: notify's partner API did not take the receivers ({exc!r})")
        return receivers

    def _start_in_time(self) -> None:
        """If the platform took so long to start that the first bookings are past, play the
        day from the next morning rather than booking hours of orders in one burst."""
        now = self.clock.now()
        if now <= self.start + FIRST_BOOKINGS:
            return
        self.start = next_day_start(now, ZoneInfo(self.world.time_zone))
        wait = timedelta(seconds=round(self.clock.wall_seconds((self.start - now).total_seconds())))
        self.say(
            f"the platform took long to start: the day begins at {self.start:%a %H:%M} instead "
            f"(in {wait} on the wall clock)"
        )

    async def figures(self, clients: Clients, window: str) -> dict[str, Tally]:
        pages = {}
        for sla in SLAS:
            pages[sla] = await clients.compliance(sla, "service_level", window)
            if pages[sla].get("as_of"):
                self.as_of = datetime.fromisoformat(pages[sla]["as_of"])
        return measured(pages)

    async def figures_by_tier(self, clients: Clients) -> dict[str, dict[str, Tally]]:
        """The SLA service's figures per customer tier (empty while it does not answer)."""
        with contextlib.suppress(Exception):
            pages = {
                sla: await clients.compliance(sla, "customer_tier", self.window) for sla in SLAS
            }
            return measured_by(pages)
        return {}

    async def _watch(
        self,
        clients: Clients,
        parcels: list[Parcel],
        tasks: list[asyncio.Task[Parcel]],
        end: datetime,
        before: dict[str, Tally],
    ) -> None:
        while self.clock.now() < end and not all(task.done() for task in tasks):
            await asyncio.sleep(self.live_every_s)
            try:
                platform = since(await self.figures(clients, self.window), before)
                risk = len((await clients.at_risk())["at_risk"])
            except Exception as exc:  # the SLA worker may still be starting
                log.debug("SLA pages not ready: %s", exc)
                platform, risk = dict.fromkeys(SLAS, Tally()), 0
            self.say(live_line(self.clock.now(), parcels, platform, risk))

    async def _settled(self, clients: Clients, patience_s: float = 30) -> dict[str, Tally]:
        """The SLA figures once they stop moving (the last events are still flowing)."""
        previous: dict[str, Tally] | None = None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience_s
        while True:
            with contextlib.suppress(Exception):
                current = await self.figures(clients, self.window)
                if current == previous or loop.time() > deadline:
                    return current
                previous = current
            if loop.time() > deadline:
                return previous or dict.fromkeys(SLAS, Tally())
            await asyncio.sleep(3)
