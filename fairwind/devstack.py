"""``make run``: the local infrastructure (Apache Kafka or Tansu, and mongod; see
fairwind/infra), every service that exists and a simulated network day, in one terminal.

Each service is its own process (``python -m services.<name> serve``) with its output
prefixed by its name. Every service runs on the same compressed business clock (see
fairwind/clock.py); once they listen, the traffic simulator (``python -m sim``) plays the
day through their public interfaces. Ctrl-C (or SIGTERM) stops the simulator and the
services first, giving each time to drain, then mongod and the broker; nothing is left
running. ``--no-sim`` runs the platform on the wall clock without traffic.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from fairwind.clock import PlatformClock, next_day_start
from fairwind.infra.broker import select_broker
from fairwind.infra.local import LocalInfra, forget_broker_records
from fairwind.infra.processes import InfraError, die_with_parent, port_open, terminate

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


@dataclass(frozen=True)
class Ports:
    http: int
    grpc: int
    metrics: int


@dataclass(frozen=True)
class Serves:
    """What a service listens on: a REST API (with /docs and /metrics), gRPC, or a metrics
    exporter of its own (workers without HTTP)."""

    rest: bool
    grpc: bool
    landing: str = "/docs"


# Fixed ports so links stay the same from one run to the next.
PORT_PLAN: dict[str, Ports] = {
    "orders": Ports(8010, 50060, 9110),
    "routing": Ports(8020, 50070, 9120),
    "tracking": Ports(8030, 50080, 9130),
    "sla": Ports(8040, 50090, 9140),
    "notify": Ports(8050, 50100, 9150),
    "crm": Ports(8060, 50110, 9160),
}


def runnable_services(directory: Path = SERVICES_DIR) -> list[str]:
    """Services with an entrypoint (``__main__.py``), in the port plan's order."""
    present = {p.parent.name for p in directory.glob("*/__main__.py")}
    return [name for name in PORT_PLAN if name in present]


SERVES: dict[str, Serves] = {
    "orders": Serves(rest=True, grpc=False),
    "routing": Serves(rest=False, grpc=True),
    "tracking": Serves(rest=True, grpc=True),
    "sla": Serves(rest=True, grpc=False, landing="/v1/compliance?sla=pickup&by=outlet"),
    "notify": Serves(rest=False, grpc=False),
    "crm": Serves(rest=True, grpc=True),
}


def describe(name: str, offset: int = 0) -> str:
    """One banner line: where a running service listens."""
    ports, serves = ports_of(name, offset), SERVES[name]
    parts = []
    if serves.rest:
        parts.append(f"API http://127.0.0.1:{ports.http}{serves.landing}")
    if serves.grpc:
        parts.append(f"gRPC 127.0.0.1:{ports.grpc}")
    metrics = ports.http if serves.rest else ports.metrics
    parts.append(f"metrics http://127.0.0.1:{metrics}/metrics")
    return f"  {name:<9} " + "   ".join(parts)


# What a person can do next with a running service.
HINTS: dict[str, str] = {
    "orders": "partner key: .venv/bin/python -m services.orders keys create --partner demo",
    "tracking": "scanner token: .venv/bin/python -m services.tracking devices create "
    "--location HSZX --kind hub --city SZX",
    "crm": "a customer's tier: .venv/bin/python -m services.crm customers show bigmall",
}
# Without the simulator no customer is known yet: the hint imports one first.
HINTS_WITHOUT_SIM: dict[str, str] = HINTS | {
    "crm": 'a customer\'s tier: echo \'{"customer_id": "demo", "revenue_90d_cny": 5000}\' '
    "| .venv/bin/python -m services.crm customers import "
    "&& .venv/bin/python -m services.crm customers show demo",
}


def ports_of(name: str, offset: int = 0) -> Ports:
    plan = PORT_PLAN[name]
    return Ports(plan.http + offset, plan.grpc + offset, plan.metrics + offset)


def service_env(name: str, infra_env: dict[str, str], offset: int = 0) -> dict[str, str]:
    """A service's environment: the infrastructure, its own ports, where its peers are."""
    ports = ports_of(name, offset)
    peers = {
        f"FAIRWIND_{peer.upper()}_TARGET": f"127.0.0.1:{ports_of(peer, offset).grpc}"
        for peer in ("routing", "crm", "tracking")
    }
    return (
        os.environ
        | infra_env
        | peers
        | {
            "FAIRWIND_SERVICE_NAME": name,
            "FAIRWIND_HTTP_PORT": str(ports.http),
            "FAIRWIND_GRPC_PORT": str(ports.grpc),
            "FAIRWIND_METRICS_PORT": str(ports.metrics),
            "FAIRWIND_LOG_JSON": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )


def stack_env(offset: int = 0) -> dict[str, str]:
    """What every service of one stack agrees on: where the public tracking page is (the
    links in order responses point there) and the secret those links are signed with, so
    tracking accepts orders' tokens. One secret per run, unless the environment has one."""
    tracking = ports_of("tracking", offset).http
    return {
        "FAIRWIND_PUBLIC_TRACKING_URL": f"http://127.0.0.1:{tracking}/v1/track/",
        "FAIRWIND_LINK_SECRET": os.environ.get("FAIRWIND_LINK_SECRET") or secrets.token_urlsafe(32),
    }


@dataclass(frozen=True)
class Simulation:
    """The business clock every process shares, and the SLA worker's event-time settings."""

    speed: float
    origin: datetime
    anchor: datetime

    @classmethod
    def starting(cls, speed: float, zone: str, startup_s: float = 20) -> Simulation:
        """A day from the next 07:00 in the network's zone; business time reaches it once
        the services have had ``startup_s`` to start."""
        anchor = datetime.now(UTC) + timedelta(seconds=startup_s)
        return cls(speed, next_day_start(anchor, ZoneInfo(zone)), anchor)

    @property
    def lateness_s(self) -> float:
        """How far the SLA timers stay behind the newest event time: two wall seconds of
        business time (the pipeline's lag on a busy machine), and at least 10 minutes."""
        return max(600.0, 2.0 * self.speed)

    def clock(self) -> PlatformClock:
        """The business clock the processes started with ``env()`` share."""
        return PlatformClock(self.speed, self.origin, self.anchor)

    def env(self) -> dict[str, str]:
        return {
            "FAIRWIND_CLOCK_SPEED": f"{self.speed:g}",
            "FAIRWIND_CLOCK_ORIGIN": self.origin.isoformat(),
            "FAIRWIND_CLOCK_ANCHOR": self.anchor.isoformat(),
            # SLA timers follow event time (the scans), held back a little so a closing scan
            # still in flight on another topic is not beaten by its timer: the same figures
            # at any speed.
            "FAIRWIND_CLOCK": "event",
            "FAIRWIND_EVENT_LATENESS_S": f"{self.lateness_s:g}",
            "FAIRWIND_TICK_INTERVAL_S": "0.5",
            "FAIRWIND_SNAPSHOT_INTERVAL_S": "5",
            # Handhelds poll their task lists every few business minutes.
            "FAIRWIND_ACCEPTANCE_TIMEOUT_S": "900",
        }


def spawn(
    command: list[str], env: dict[str, str], output: int | IO[bytes]
) -> subprocess.Popen[bytes]:
    """A child in its own session (so Ctrl-C reaches us first and we stop it in order)."""
    return subprocess.Popen(
        command,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def service_command(name: str) -> list[str]:
    return [sys.executable, "-m", f"services.{name}", "serve"]


@contextmanager
def services_running(
    infra_env: dict[str, str], offset: int, extra: dict[str, str], logs: Path
) -> Iterator[list[str]]:
    """Every service with an entrypoint, logging to ``logs/<name>.log``, until the block
    ends (for tests and benchmarks). Raises InfraError if one never listens."""
    services = runnable_services()
    children = []
    shared = stack_env(offset)
    try:
        for name in services:
            with (logs / f"{name}.log").open("wb") as log:
                env = service_env(name, infra_env, offset) | shared | extra
                children.append(spawn(service_command(name), env, log))
        if not wait_listening(listening_ports(services, offset), 120, threading.Event()):
            raise InfraError(f"a service did not start listening; see {logs}")
        yield services
    finally:
        for child in children:
            terminate(child.pid, timeout_s=15)


def wait_listening(ports: list[int], timeout_s: float, stop: threading.Event) -> bool:
    deadline = time.monotonic() + timeout_s
    while not all(port_open("127.0.0.1", port) for port in ports):
        if stop.wait(0.2) or time.monotonic() > deadline:
            return False
    return True


def listening_ports(services: list[str], offset: int) -> list[int]:
    ports = []
    for name in services:
        serves, own = SERVES[name], ports_of(name, offset)
        ports += [own.http] if serves.rest else []
        ports += [own.grpc] if serves.grpc else []
    return ports


def sim_command(offset: int, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "sim", "--port-offset", str(offset), *extra]


def _pipe(prefix: str, stream: IO[bytes], lock: threading.Lock) -> None:
    for raw in iter(stream.readline, b""):
        with lock:
            sys.stdout.write(f"{prefix} | {raw.decode(errors='replace')}")
            sys.stdout.flush()


def _banner(
    infra: LocalInfra, services: list[str], offset: int, simulation: Simulation | None = None
) -> str:
    lines = [
        "",
        "Fairwind is running (Ctrl-C stops everything).",
        "",
        f"  Kafka broker   {infra.kafka_bootstrap}   {infra.broker_line}",
        f"  MongoDB        {infra.mongo_url}",
        "",
    ]
    lines += [describe(name, offset) for name in services]
    if not services:
        lines.append("  No service has an entrypoint yet; the infrastructure is ready for them.")
    if simulation is not None:
        lines += [
            "",
            f"  Simulated day from {simulation.origin:%Y-%m-%d %H:%M %Z} at {simulation.speed:g}x "
            "business time; the simulator starts once every service listens.",
            f"  Track a parcel: http://127.0.0.1:{ports_of('tracking', offset).http}"
            "/v1/track/<waybill>",
        ]
    lines += ["", "  To use this infrastructure from another shell:"]
    exports = infra.env() | (
        {k: v for k, v in simulation.env().items() if k.startswith("FAIRWIND_CLOCK_")}
        if simulation
        else {}
    )
    lines += [f"    export {k}={v}" for k, v in exports.items()]
    known = HINTS if simulation else HINTS_WITHOUT_SIM
    hints = [known[name] for name in services if name in known]
    if hints:
        lines += ["", "  Next (in a shell with the exports above):"]
        lines += [f"    {hint}" for hint in hints]
    return "\n".join(lines) + "\n"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fairwind.devstack",
        description=__doc__,
        epilog="Other options go to the simulator (python -m sim --help): --seed, --orders, "
        "--partners, --hours, --late-pickup, --missort, --failed-delivery, ...",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data-dir", type=Path, default=Path(".fairwind/run"))
    parser.add_argument("--kafka-port", type=int, default=0)
    parser.add_argument("--mongo-port", type=int, default=0)
    parser.add_argument("--grace", type=float, default=10.0, help="seconds a service may drain")
    parser.add_argument(
        "--port-offset",
        type=int,
        default=0,
        help="add this to every service port (to run beside another stack)",
    )
    parser.add_argument("--no-sim", action="store_true", help="no traffic, wall clock")
    parser.add_argument(
        "--speed",
        type=float,
        default=480,
        help="business seconds per wall second (480: 40 h in 5 min)",
    )
    parser.add_argument("--time-zone", default="Asia/Shanghai", help="the network's local time")
    parser.add_argument("--verbose", action="store_true", help="the services' INFO logs too")
    return parser


class Stack:
    """The child processes, their prefixed output, and stopping them in order."""

    def __init__(self, grace_s: float) -> None:
        self.grace_s = grace_s
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.lock = threading.Lock()

    def say(self, text: str) -> None:
        with self.lock:
            print(text, flush=True)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        child = spawn(command, env, subprocess.PIPE)
        self.children[name] = child
        assert child.stdout is not None
        threading.Thread(
            target=_pipe, args=(f"{name:<9}", child.stdout, self.lock), daemon=True
        ).start()

    def reap(self) -> None:
        for name, child in list(self.children.items()):
            if child.poll() is not None:
                note = " (the platform keeps running)" if name == "sim" else ""
                self.say(f"{name:<9} | exited with code {child.returncode}{note}")
                del self.children[name]

    def stop(self) -> None:
        sim = self.children.pop("sim", None)
        if sim is not None:
            terminate(sim.pid, timeout_s=self.grace_s)
        for child in self.children.values():
            terminate(child.pid, timeout_s=self.grace_s)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, sim_args = parser.parse_known_args(argv)
    highest = max(p for plan in PORT_PLAN.values() for p in (plan.http, plan.grpc, plan.metrics))
    if not 0 <= args.port_offset <= 65535 - highest:
        parser.error(f"--port-offset must be between 0 and {65535 - highest}")
    if not 1 <= args.speed <= 100_000:
        parser.error("--speed must be between 1 and 100000")
    if sim_args and args.no_sim:
        parser.error(f"unknown options {' '.join(sim_args)} (the simulator is off)")

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    die_with_parent()  # a launcher whose caller died (a failed test) stops everything too
    services = runnable_services()
    simulate = not args.no_sim and {"orders", "routing", "tracking", "sla"} <= set(services)
    if simulate:
        # A simulated day starts its business clock again: the SLA state and the open
        # shipments of an earlier day on the broker would count in this day's figures.
        forget_broker_records(args.data_dir)
    try:
        infra = LocalInfra(args.data_dir, args.kafka_port, args.mongo_port, broker=select_broker())
        print(infra.broker_line, flush=True)
        infra.start()
    except InfraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    simulation = Simulation.starting(args.speed, args.time_zone, 30) if simulate else None
    extra = stack_env(args.port_offset) | (simulation.env() if simulation else {})
    if simulation and not args.verbose:
        extra["FAIRWIND_LOG_LEVEL"] = "WARNING"  # the live summary stays readable
    stack = Stack(args.grace)
    try:
        for name in services:
            env = service_env(name, infra.env(), args.port_offset) | extra
            stack.start(name, service_command(name), env)
        stack.say(_banner(infra, services, args.port_offset, simulation))
        ready = wait_listening(listening_ports(services, args.port_offset), 120, stop)
        if simulation and ready:
            env = os.environ | infra.env() | extra | {"PYTHONUNBUFFERED": "1"}
            stack.start("sim", sim_command(args.port_offset, sim_args), env)
        while not stop.wait(0.5):
            stack.reap()
    finally:
        print("\nstopping…", flush=True)
        stack.stop()
        infra.stop()
        print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
