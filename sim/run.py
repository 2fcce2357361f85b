"""The day: provision, start every parcel's life, show the live line, then compare."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fairwind.clock import PlatformClock
from sim.clients import Clients, Endpoints
from sim.parcel import Life, Parcel, Stage
from sim.plan import SimConfig, partners, script_day
from sim.provision import provision
from sim.report import SLAS, Tally, expected, final_summary, live_line, measured, since
from sim.world import World

log = logging.getLogger("sim")
# The SLA worker follows event time and holds timers back by its lateness; the closing
# comparison ignores deadlines closer than this to the end of the run.
SETTLE = timedelta(minutes=15)


@dataclass
class Outcome:
    parcels: list[Parcel]
    truth: dict[str, Tally]
    platform: dict[str, Tally]
    summary: str


@dataclass
class Run:
    config: SimConfig
    endpoints: Endpoints
    clock: PlatformClock
    start: datetime
    hours: float
    world: World = field(default_factory=World.load)
    live_every_s: float = 2.0
    window: str = "7d"
    say: Callable[[str], None] = print
    admin_env: dict[str, str] | None = None  # for the admin commands (default: ours)

    async def play(self) -> Outcome:
        outlets = self.world.choose_outlets(self.config.outlets, self.config.seed)
        scripts = script_day(self.config, outlets)
        names = [name for name, _ in partners(self.config.partners)]
        hubs = list(self.world.hubs.values())
        keys, devices = await provision(names, outlets, hubs, env=self.admin_env)
        clients = Clients(self.endpoints, keys, devices)
        before = await self._settled(clients, patience_s=0)
        run_id = f"{self.config.seed}-{int(self.clock.now().timestamp())}"
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
        finally:
            await clients.close()
        last = max((p.delivered_at or p.created_at or self.start for p in parcels), default=end)
        truth = expected(parcels, min(end, last) - SETTLE)
        return Outcome(parcels, truth, platform, final_summary(parcels, truth, platform))

    async def figures(self, clients: Clients, window: str) -> dict[str, Tally]:
        pages = {}
        for sla in SLAS:
            pages[sla] = await clients.compliance(sla, "service_level", window)
        return measured(pages)

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
