"""Command line for the local infrastructure.

    python -m fairwind.infra up [--data-dir D] [--kafka-port P] [--mongo-port P] [--detach]
                                [--broker auto|kafka|tansu]
    python -m fairwind.infra down [--data-dir D]
    python -m fairwind.infra fetch-kafka

``up`` prints the variables to export, e.g. ``eval "$(python -m fairwind.infra up --detach)"``,
and says which broker it started on stderr. ``fetch-kafka`` fetches Apache Kafka's jars
with Maven if there is a JDK and mvn (the Makefile's install step); without them it says so
and succeeds, since the Tansu fallback needs neither.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
from pathlib import Path

from fairwind.infra.broker import select_broker
from fairwind.infra.kafka import KAFKA_VERSION, fetch_jars, jars_present, kafka_home
from fairwind.infra.local import LocalInfra
from fairwind.infra.processes import InfraError

DEFAULT_DATA_DIR = Path(".fairwind/infra")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fairwind.infra",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the broker and mongod")
    up.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    up.add_argument("--kafka-port", type=int, default=0, help="0 picks a free port")
    up.add_argument("--mongo-port", type=int, default=0, help="0 picks a free port")
    up.add_argument("--detach", action="store_true", help="leave them running and return")
    up.add_argument(
        "--broker",
        choices=["auto", "kafka", "tansu"],
        default=None,
        help="default: FAIRWIND_LOCAL_BROKER, else auto (Apache Kafka where a JDK is)",
    )
    down = commands.add_parser("down", help="stop what 'up --detach' started")
    down.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    commands.add_parser("fetch-kafka", help=f"fetch Apache Kafka {KAFKA_VERSION}'s jars")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "down":
        stopped = LocalInfra.stop_detached(args.data_dir)
        print(f"stopped {len(stopped)} process(es)", file=sys.stderr)
        return 0
    if args.command == "fetch-kafka":
        return fetch_kafka()
    try:
        infra = LocalInfra(
            args.data_dir,
            args.kafka_port,
            args.mongo_port,
            tie_to_parent=not args.detach,
            broker=select_broker(args.broker),
        )
        print(infra.broker_line, file=sys.stderr, flush=True)
        infra.start()
    except InfraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, value in infra.env().items():
        print(f"export {name}={value}")
    sys.stdout.flush()
    if args.detach:
        print(
            f"# stop with: python -m fairwind.infra down --data-dir {args.data_dir}",
            file=sys.stderr,
        )
        return 0
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print("# running; Ctrl-C stops", file=sys.stderr)
    stop.wait()
    infra.stop()
    return 0


def fetch_kafka() -> int:
    home = kafka_home()
    if jars_present(home):
        print(f"Apache Kafka {KAFKA_VERSION}: jars already in {home / 'libs'}", file=sys.stderr)
        return 0
    if not (shutil.which("java") and shutil.which("mvn")):
        print(
            f"no JDK or no Maven: Apache Kafka {KAFKA_VERSION} not fetched; "
            "the local broker will be Tansu (memory only)",
            file=sys.stderr,
        )
        return 0
    print(f"fetching Apache Kafka {KAFKA_VERSION} with Maven into {home}", file=sys.stderr)
    try:
        fetch_jars(home)
    except InfraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
