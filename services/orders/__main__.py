"""Command line of the orders service.

python -m services.orders serve
python -m services.orders keys create --partner acme --scopes orders:read,orders:write
python -m services.orders keys revoke KEY_ID
python -m services.orders keys list [--partner acme]
python -m services.orders partners rate-limit acme --rate 20 --burst 40
"""

from __future__ import annotations

import argparse
import sys

from fairwind.mongo.client import create_client
from fairwind.runtime import cli
from fairwind.runtime.cli import dispatch, service_parser
from fairwind.runtime.lifecycle import Worker
from services.orders.bootstrap import bootstrap
from services.orders.consumer import route_consumer, status_consumer
from services.orders.keys import KeyStore
from services.orders.settings import OrdersSettings


async def serve(settings: OrdersSettings) -> None:
    app = await bootstrap(settings)
    routes = route_consumer(app.platform, app.service)
    await cli.serve(
        settings,
        app,
        status_consumer(app.platform, app.service),
        api=app.api,
        grpc=app.grpc_server,
        workers=[Worker("route-consumer", routes.run, routes.stop)],
    )


async def keys_command(settings: OrdersSettings, args: argparse.Namespace) -> int:
    client = create_client(settings)
    store = KeyStore(client[settings.database_name], cache_s=0)
    try:
        if args.command == "partners":
            if not await store.set_rate_limit(args.partner, args.rate, args.burst):
                print(f"no partner {args.partner!r}", file=sys.stderr)
                return 1
            print(f"{args.partner}: {args.rate}/s, burst {args.burst}")
        elif args.action == "create":
            scopes = {s.strip() for s in args.scopes.split(",") if s.strip()}
            issued = await store.create(args.partner, scopes, args.customer_id)
            print(issued.plain)
            print(
                f"key id {issued.key_id}: store the key now, it is not shown again", file=sys.stderr
            )
        elif args.action == "revoke":
            if not await store.revoke(args.key_id):
                print(f"no active key {args.key_id!r}", file=sys.stderr)
                return 1
            print(f"revoked {args.key_id}")
        else:
            for key in await store.list(args.partner):
                state = "revoked" if key.get("revoked_at") else "active"
                print(
                    f"{key['_id']}  {key['partner_id']:<20} {','.join(key['scopes']):<26} "
                    f"{state:<8} created {key['created_at']:%Y-%m-%d %H:%M}"
                )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        await client.close()
    return 0


def parser() -> argparse.ArgumentParser:
    root, commands = service_parser(
        "services.orders", __doc__, "run the API, the outbox relay and the event consumers"
    )
    keys = commands.add_parser("keys", help="partner API keys").add_subparsers(
        dest="action", required=True
    )
    create = keys.add_parser("create", help="create a key (printed once)")
    create.add_argument("--partner", required=True)
    create.add_argument("--scopes", default="orders:read,orders:write")
    create.add_argument("--customer-id", help="CRM customer id (default: the partner name)")
    keys.add_parser("revoke", help="revoke a key").add_argument("key_id")
    keys.add_parser("list", help="list keys").add_argument("--partner")
    partners = commands.add_parser("partners", help="partner settings").add_subparsers(
        dest="action", required=True
    )
    limit = partners.add_parser("rate-limit", help="set a partner's rate limit")
    limit.add_argument("partner")
    limit.add_argument("--rate", type=float, required=True, help="requests per second")
    limit.add_argument("--burst", type=int, required=True)
    return root


def main(argv: list[str] | None = None) -> int:
    return dispatch(parser().parse_args(argv), OrdersSettings(), serve, keys_command)


if __name__ == "__main__":
    sys.exit(main())
