"""The whole platform for end-to-end tests: its own local broker and mongod, every
service as its own process (exactly as ``make run`` starts them) on a compressed business
clock, and clients that only use the public interfaces (the simulator's)."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from devstack.children import services_running
from devstack.env import Simulation, sim_env
from devstack.plan import NETWORK_FILE
from fairwind.clock import PlatformClock
from fairwind.infra.local import LocalInfra
from fairwind.infra.processes import InfraError
from sim.clients import Clients, Endpoints
from sim.parcel import Stage
from sim.plan import partners
from sim.provision import customer_tiers, provision
from sim.world import World

# A business day per wall minute: a next-day parcel's whole life takes about a minute.
SPEED = 1440
OFFSET = 13000  # beside a `make run` and the launcher test
ZONE = "Asia/Shanghai"


@dataclass
class Platform:
    endpoints: Endpoints
    world: World  # the operator's network, as the simulator gets it
    clock: PlatformClock
    origin: datetime
    env: dict[str, str]  # the infrastructure and clock, for admin commands
    logs: Path
    lateness: timedelta  # how far the SLA timers run behind the newest event time

    def log_tail(self, lines: int = 40) -> str:
        text = []
        for log in sorted(self.logs.glob("*.log")):
            text += [f"{log.stem} | {line}" for line in log.read_text().splitlines()[-lines:]]
        return "\n".join(text)


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    root = tmp_path_factory.mktemp("e2e")
    logs = root / "logs"
    logs.mkdir()
    with LocalInfra(root / "infra") as infra, ExitStack() as stack:
        simulation = Simulation.starting(SPEED, ZONE, startup_s=15)
        extra = simulation.env() | {"FAIRWIND_LOG_LEVEL": "WARNING"}
        running = Platform(
            Endpoints.from_env(sim_env(OFFSET)),
            World.load(NETWORK_FILE),
            simulation.clock(),
            simulation.origin,
            dict(os.environ) | infra.env() | extra,
            logs,
            timedelta(seconds=simulation.lateness_s),
        )
        try:
            stack.enter_context(services_running(infra.env(), OFFSET, extra, logs))
        except InfraError as exc:
            pytest.fail(f"{exc}\n{running.log_tail()}")
        yield running


@dataclass
class Actors:
    stage: Stage
    world: World
    partner: str


@pytest.fixture(scope="session")
async def actors(platform: Platform) -> AsyncIterator[Actors]:
    """A partner key and a device at every outlet and hub, from the admin commands."""
    world = platform.world
    outlets = sorted(world.outlets.values(), key=lambda o: o.code)
    names = [name for name, _ in partners(1)]
    keys, devices = await provision(names, outlets, list(world.hubs.values()), env=platform.env)
    # In the archive before its first order: orders caches the tier CRM gives it.
    await customer_tiers(partners(1), env=platform.env)
    clients = Clients(platform.endpoints, keys, devices)
    stage = Stage(platform.clock, platform.origin, world, clients, f"e2e{int(time.time())}")
    yield Actors(stage, world, names[0])
    await clients.close()


def next_local(clock: PlatformClock, hour: int) -> datetime:
    """The next ``hour``:00 of business time in the network's zone."""
    local = clock.now().astimezone(ZoneInfo(ZONE))
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)
