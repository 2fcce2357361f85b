"""Command line for the embedded infrastructure.

    python -m fairwind.infra up [--data-dir D] [--kafka-port P] [--mongo-port P] [--detach]
    python -m fairwind.infra down [--data-dir D]

``up`` prints the variables to export, e.g. ``eval "$(python -m fairwind.infra up --detach)"``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from fairwind.infra.embedded import EmbeddedInfra
from fairwind.infra.processes import InfraError

DEFAULT_DATA_DIR = Path(".fairwind/infra")


def main(argv: list[str] | None = None) -> int:
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
    down = commands.add_parser("down", help="stop what 'up --detach' started")
    down.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)

    if args.command == "down":
        stopped = EmbeddedInfra.stop_detached(args.data_dir)
        print(f"stopped {len(stopped)} process(es)", file=sys.stderr)
        return 0
    infra = EmbeddedInfra(
        args.data_dir, args.kafka_port, args.mongo_port, tie_to_parent=not args.detach
    )
    try:
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


if __name__ == "__main__":
    sys.exit(main())
