"""Command line of the tracking service.

python -m services.tracking serve
python -m services.tracking devices create --location SZX001 --kind outlet [--courier ID]
python -m services.tracking devices create-many < devices.jsonl   (JSON lines in, tokens out)
python -m services.tracking devices revoke DEVICE_ID
"""

from __future__ import annotations

import argparse
import json
import sys

from fairwind.mongo.client import create_client
from fairwind.runtime import cli
from fairwind.runtime.cli import dispatch, service_parser
from services.tracking.bootstrap import bootstrap
from services.tracking.consumer import event_consumer
from services.tracking.devices import DeviceRegistry
from services.tracking.parking import expirer
from services.tracking.settings import TrackingSettings
from services.tracking.store import Devices, Places


async def serve(settings: TrackingSettings) -> None:
    app = await bootstrap(settings)
    await cli.serve(
        settings,
        app,
        event_consumer(app.platform, app.service),
        api=app.api,
        grpc=app.grpc,
        workers=[expirer(app.service)],
    )


async def devices(settings: TrackingSettings, args: argparse.Namespace) -> int:
    client = create_client(settings)
    db = client[settings.database_name]
    store = DeviceRegistry(Devices(db), Places(db), cache_s=0)
    try:
        if args.action == "create":
            issued = await store.create(args.location, args.kind, args.city or "", args.courier)
            print(issued.token)
            print(
                f"device {issued.device_id} at {args.location}: store the token now, it is "
                "not shown again",
                file=sys.stderr,
            )
            return 0
        if args.action == "create-many":
            return await _create_many(store)
        if not await store.revoke(args.device_id):
            print(f"no active device {args.device_id!r}", file=sys.stderr)
            return 1
        print(f"revoked {args.device_id}")
        return 0
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        await client.close()


async def _create_many(store: DeviceRegistry) -> int:
    """One device per JSON line on stdin ({"location", "kind", "city", "courier"}); prints
    one JSON line per device with its token. For provisioning a site or a simulation."""
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            spec = json.loads(line)
            issued = await store.create(
                spec["location"], spec["kind"], spec.get("city", ""), spec.get("courier")
            )
        except (ValueError, KeyError, TypeError) as exc:
            print(f"error: line {number}: {exc!r}", file=sys.stderr)
            return 2
        record = {"location": spec["location"], "device_id": issued.device_id}
        print(json.dumps(record | {"token": issued.token}), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser, commands = service_parser(
        "services.tracking", __doc__, "scan and tracking API, gRPC, consumers, outbox relay"
    )
    device = commands.add_parser("devices", help="handheld and scanner tokens").add_subparsers(
        dest="action", required=True
    )
    create = device.add_parser("create", help="issue a device token (printed once)")
    create.add_argument("--location", required=True, help="outlet or hub code")
    create.add_argument("--kind", choices=["outlet", "hub"], required=True)
    create.add_argument("--city", help="network city code")
    create.add_argument("--courier", help="courier id for a handheld")
    device.add_parser(
        "create-many", help="issue tokens for JSON lines on stdin (location, kind, city, courier)"
    )
    device.add_parser("revoke", help="revoke a device").add_argument("device_id")
    return dispatch(parser.parse_args(argv), TrackingSettings(), serve, devices)


if __name__ == "__main__":
    sys.exit(main())
