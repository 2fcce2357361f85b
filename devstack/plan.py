"""The port plan (``deploy/ports.toml``) and the repository paths the launcher starts from."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES_DIR = ROOT / "services"
PLAN_FILE = ROOT / "deploy" / "ports.toml"
# The operator's network file, handed to the simulator as its staff's roster.
NETWORK_FILE = SERVICES_DIR / "routing" / "data" / "network.json"


@dataclass(frozen=True)
class Ports:
    http: int
    grpc: int
    metrics: int

    def shifted(self, offset: int) -> Ports:
        return Ports(self.http + offset, self.grpc + offset, self.metrics + offset)


@dataclass(frozen=True)
class Planned:
    """One service's ports and what it listens on: a REST API (with /docs and /metrics),
    gRPC, or neither (a worker with a metrics exporter of its own)."""

    ports: Ports
    rest: bool
    grpc: bool

    @property
    def metrics_port(self) -> int:
        """Where /metrics is served: the REST API's port, else the exporter's."""
        return self.ports.http if self.rest else self.ports.metrics


def load_plan(path: Path = PLAN_FILE) -> dict[str, Planned]:
    """Every service of the plan, in its order (the start order)."""
    with path.open("rb") as file:
        data = tomllib.load(file)
    return {
        name: Planned(
            Ports(int(entry["http"]), int(entry["grpc"]), int(entry["metrics"])),
            rest=bool(entry["rest"]),
            grpc=bool(entry["grpc_api"]),
        )
        for name, entry in data.items()
    }


PLAN: dict[str, Planned] = load_plan()
PORT_PLAN: dict[str, Ports] = {name: planned.ports for name, planned in PLAN.items()}


def ports_of(name: str, offset: int = 0) -> Ports:
    return PORT_PLAN[name].shifted(offset)


def highest_port() -> int:
    return max(p for ports in PORT_PLAN.values() for p in (ports.http, ports.grpc, ports.metrics))


def runnable_services(directory: Path = SERVICES_DIR) -> list[str]:
    """Services with an entrypoint (``__main__.py``), in the port plan's order."""
    present = {p.parent.name for p in directory.glob("*/__main__.py")}
    return [name for name in PORT_PLAN if name in present]


def listening_ports(services: list[str], offset: int) -> list[int]:
    """The ports that answer once these services are up."""
    ports = []
    for name in services:
        planned, own = PLAN[name], ports_of(name, offset)
        ports += [own.http] if planned.rest else []
        ports += [own.grpc] if planned.grpc else []
    return ports
