"""``make run``: the local infrastructure (Apache Kafka or Tansu, and mongod; see
fairwind/infra), every service that exists and a simulated network day, in one terminal.

Each service is its own process (``python -m services.<name> serve``) with its output
prefixed by its name, on the ports of deploy/ports.toml. Every service runs on the same
compressed business clock (see fairwind/clock.py); once they listen, the traffic simulator
(``python -m sim``) plays the day through their public interfaces, told where they are by
its environment. Ctrl-C (or SIGTERM) stops the simulator and the services first, giving
each time to drain, then mongod and the broker; nothing is left running. ``--no-sim`` runs
the platform on the wall clock without traffic.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from devstack.banner import banner
from devstack.children import (
    Outlets,
    Stack,
    service_command,
    sim_command,
    wait_listening,
)
from devstack.env import Simulation, service_env, sim_env, stack_env
from devstack.plan import highest_port, listening_ports, runnable_services
from fairwind.infra.broker import select_broker
from fairwind.infra.local import LocalInfra, forget_broker_records
from fairwind.infra.processes import InfraError, die_with_parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description=__doc__,
        epilog="Other options go to the simulator (python -m sim --help): --seed, --orders, "
        "--partners, --hours, --late-pickup, --missort, --failed-delivery, ...",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data-dir", type=Path, default=Path(".fairwind/run"))
    parser.add_argument("--kafka-port", type=int, default=0)
    parser.add_argument("--mongo-port", type=int, default=0)
    parser.add_argument("--grace", type=float, default=10.0, help="seconds a service may drain")
    # Beside another stack (tests, benchmarks), every service port shifted by this much.
    parser.add_argument("--port-offset", type=int, default=0, help="added to every service port")
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


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, sim_args = parser.parse_known_args(argv)
    if not 0 <= args.port_offset <= 65535 - highest_port():
        parser.error(f"--port-offset must be between 0 and {65535 - highest_port()}")
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
        outlets = _start_outlets(stack, args.data_dir, extra) if "notify" in services else []
        for name in services:
            env = service_env(name, infra.env(), args.port_offset) | extra
            stack.start(name, service_command(name), env)
        stack.say(banner(infra, services, args.port_offset, simulation, outlets))
        ready = wait_listening(listening_ports(services, args.port_offset), 120, stop)
        if simulation and ready:
            env = os.environ | infra.env() | extra | sim_env(args.port_offset)
            stack.start("sim", sim_command(sim_args), env | {"PYTHONUNBUFFERED": "1"})
        while not stop.wait(0.5):
            stack.reap()
    finally:
        print("\nstopping…", flush=True)
        stack.stop()
        infra.stop()
        print("stopped.", flush=True)
    return 0


def _start_outlets(stack: Stack, data_dir: Path, extra: dict[str, str]) -> list[str]:
    """The SMTP server and the SMS provider notify sends to, what they receive kept under
    the data directory; the banner's lines saying where to read it."""
    outlets = Outlets(data_dir)
    for name, command in outlets.commands().items():
        stack.start(name, command, os.environ | {"PYTHONUNBUFFERED": "1"})
    extra.update(outlets.env())
    return outlets.banner()


if __name__ == "__main__":
    sys.exit(main())
