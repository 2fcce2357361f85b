"""Command line of the routing service.

python -m services.routing serve
python -m services.routing check-network [FILE]   # validate a network file
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fairwind.runtime import cli
from fairwind.runtime.cli import dispatch, service_parser
from services.routing.bootstrap import bootstrap
from services.routing.consumer import event_consumer, reassigner
from services.routing.datafiles import load_network
from services.routing.domain.network import NetworkError
from services.routing.settings import RoutingSettings


async def serve(settings: RoutingSettings) -> None:
    app = await bootstrap(settings)
    await cli.serve(
        settings,
        app,
        event_consumer(app.platform, app.service),
        grpc=app.grpc,
        workers=[reassigner(app.service)],
    )


async def check_network(settings: RoutingSettings, args: argparse.Namespace) -> int:
    try:
        network = load_network(args.file or settings.network_file)
    except NetworkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"ok: {len(network.hubs)} hubs, {len(network.outlets)} outlets, {len(network.legs)} legs")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser, commands = service_parser(
        "services.routing", __doc__, "gRPC RouteService, event consumers, outbox relay"
    )
    check = commands.add_parser("check-network", help="validate a network file")
    check.add_argument("file", nargs="?", type=Path)
    return dispatch(parser.parse_args(argv), RoutingSettings(), serve, check_network)


if __name__ == "__main__":
    sys.exit(main())
