"""``make run``: the embedded infrastructure plus every service that exists, in one terminal.

Each service is its own process (``python -m services.<name> serve``) with its output
prefixed by its name. Ctrl-C (or SIGTERM) stops the services first, giving each time to
drain, then mongod and the broker; nothing is left running.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from fairwind.infra.embedded import EmbeddedInfra
from fairwind.infra.processes import InfraError, terminate

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


def _pipe(prefix: str, stream: IO[bytes], lock: threading.Lock) -> None:
    for raw in iter(stream.readline, b""):
        with lock:
            sys.stdout.write(f"{prefix} | {raw.decode(errors='replace')}")
            sys.stdout.flush()


def _banner(infra: EmbeddedInfra, services: list[str], offset: int) -> str:
    lines = [
        "",
        "Fairwind is running (Ctrl-C stops everything).",
        "",
        f"  Kafka broker   {infra.kafka_bootstrap}",
        f"  MongoDB        {infra.mongo_url}",
        "",
    ]
    lines += [describe(name, offset) for name in services]
    if not services:
        lines.append("  No service has an entrypoint yet; the infrastructure is ready for them.")
    lines += ["", "  To use this infrastructure from another shell:"]
    lines += [f"    export {k}={v}" for k, v in infra.env().items()]
    hints = [HINTS[name] for name in services if name in HINTS]
    if hints:
        lines += ["", "  Next (in a shell with the exports above):"]
        lines += [f"    {hint}" for hint in hints]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fairwind.devstack", description=__doc__)
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
    args = parser.parse_args(argv)
    highest = max(p for plan in PORT_PLAN.values() for p in (plan.http, plan.grpc, plan.metrics))
    if not 0 <= args.port_offset <= 65535 - highest:
        parser.error(f"--port-offset must be between 0 and {65535 - highest}")

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    infra = EmbeddedInfra(args.data_dir, args.kafka_port, args.mongo_port)
    try:
        infra.start()
    except InfraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    services = runnable_services()
    children: dict[str, subprocess.Popen[bytes]] = {}
    lock = threading.Lock()
    try:
        for name in services:
            child = subprocess.Popen(
                [sys.executable, "-m", f"services.{name}", "serve"],
                env=service_env(name, infra.env(), args.port_offset),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            children[name] = child
            assert child.stdout is not None
            threading.Thread(
                target=_pipe, args=(f"{name:<9}", child.stdout, lock), daemon=True
            ).start()
        with lock:
            print(_banner(infra, services, args.port_offset), flush=True)
        while not stop.wait(0.5):
            for name, child in list(children.items()):
                if child.poll() is not None:
                    with lock:
                        print(f"{name:<9} | exited with code {child.returncode}", flush=True)
                    del children[name]
    finally:
        print("\nstopping…", flush=True)
        for child in children.values():
            terminate(child.pid, timeout_s=args.grace)
        infra.stop()
        print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
