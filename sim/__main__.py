"""python -m sim: play a network day against a running Fairwind (``make run`` starts it).

The platform's business clock comes from the environment (FAIRWIND_CLOCK_SPEED, _ORIGIN,
_ANCHOR), the same values every service was started with; the day starts at the origin.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from datetime import timedelta
from pathlib import Path

from fairwind.settings import ServiceSettings
from sim.clients import NOTIFY, VARIABLES, Endpoints
from sim.plan import SimConfig, Trouble
from sim.run import Run
from sim.world import World

# The public interfaces the actors use: flag, Endpoints field, what it is.
ENDPOINTS = (
    ("--orders-url", "orders", "the orders REST API"),
    ("--tracking-url", "tracking", "the tracking REST API"),
    ("--routing", "routing", "RouteService host:port"),
    ("--sla-url", "sla", "the SLA pages"),
)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m sim", description=__doc__)
    root.add_argument("--seed", type=int, default=7, help="the same seed plays the same day")
    root.add_argument("--partners", type=int, default=3, help="1 to 5 partner shippers")
    root.add_argument("--orders", type=int, default=600, help="orders booked over the day")
    root.add_argument("--outlets", type=int, default=24, help="outlets taking part")
    root.add_argument("--hours", type=float, default=40, help="business hours to play")
    root.add_argument("--late-pickup", type=float, default=Trouble.late_pickup)
    root.add_argument("--missort", type=float, default=Trouble.missort)
    root.add_argument("--failed-delivery", type=float, default=Trouble.failed_delivery)
    root.add_argument("--exception", type=float, default=Trouble.exception)
    root.add_argument("--cancellation", type=float, default=Trouble.cancellation)
    # Where the platform is: flags, or the environment ``make run`` starts the simulator with.
    for flag, name, what in ENDPOINTS:
        variable = VARIABLES[name]
        root.add_argument(
            flag,
            dest=f"{name}_endpoint",
            default=os.environ.get(variable),
            help=f"{what} (${variable})",
        )
    root.add_argument(
        "--network",
        type=Path,
        default=os.environ.get("FAIRWIND_SIM_NETWORK"),
        help="the operator's network file: outlets, couriers, hubs ($FAIRWIND_SIM_NETWORK)",
    )
    root.add_argument("--live-every", type=float, default=2.0, help="wall seconds per line")
    return root


def endpoints(args: argparse.Namespace) -> Endpoints | None:
    given = {name: getattr(args, f"{name}_endpoint") for _, name, _ in ENDPOINTS}
    if not all(given.values()):
        return None
    return Endpoints(**given, notify=os.environ.get(NOTIFY, ""))


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = ServiceSettings()
    if settings.clock_origin is None:
        print(
            "error: the platform is not on a simulated clock; start it with `make run` or set "
            "FAIRWIND_CLOCK_SPEED, FAIRWIND_CLOCK_ORIGIN and FAIRWIND_CLOCK_ANCHOR for every "
            "service and this command",
            file=sys.stderr,
        )
        return 2
    for name in ("late_pickup", "missort", "failed_delivery", "exception", "cancellation"):
        if not 0 <= getattr(args, name) <= 1:
            print(f"error: --{name.replace('_', '-')} is a rate between 0 and 1", file=sys.stderr)
            return 2
    where = endpoints(args)
    if where is None or args.network is None:
        flags = " ".join(flag for flag, _, _ in ENDPOINTS)
        print(
            f"error: where is the platform? give {flags} and --network (or their FAIRWIND_SIM_* "
            "variables); `make run` sets them",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    config = SimConfig(
        seed=args.seed,
        partners=args.partners,
        orders=args.orders,
        outlets=args.outlets,
        trouble=Trouble(
            args.late_pickup, args.missort, args.failed_delivery, args.exception, args.cancellation
        ),
    )
    clock = settings.platform_clock()
    run = Run(
        config,
        where,
        clock,
        settings.clock_origin,
        args.hours,
        World.load(args.network),
        live_every_s=args.live_every,
        lateness=timedelta(seconds=float(os.environ.get("FAIRWIND_EVENT_LATENESS_S", "600"))),
        say=lambda line: print(line, flush=True),
    )
    print(
        f"simulating {args.hours:g} business hours from {settings.clock_origin:%Y-%m-%d %H:%M %Z}"
        f" at {clock.speed:g}x (about {timedelta(seconds=round(args.hours * 3600 / clock.speed))}"
        f" on the wall clock), seed {args.seed}",
        flush=True,
    )
    outcome = asyncio.run(run.play())
    print(outcome.summary, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
