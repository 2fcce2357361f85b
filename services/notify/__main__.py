"""Command line of the notify service.

python -m services.notify serve               # partner API, consumer, senders, webhooks
python -m services.notify messages WAYBILL    # every message and webhook for a parcel (JSON lines)
"""

from __future__ import annotations

import argparse
import json
import sys

from fairwind.runtime import cli
from fairwind.runtime.cli import dispatch, service_parser
from services.notify.bootstrap import admin_store, bootstrap
from services.notify.consumer import event_consumer
from services.notify.handlers import early_sweeper
from services.notify.sending import senders
from services.notify.settings import NotifySettings
from services.notify.webhooks.dispatch import dispatcher_worker
from services.notify.webhooks.replay import replayer


async def serve(settings: NotifySettings) -> None:
    app = await bootstrap(settings)
    await cli.serve(
        settings,
        app,
        event_consumer(app.platform, app.service),
        api=app.api,
        workers=[
            *senders(app.service, app.outbound),
            dispatcher_worker(app.dispatcher),
            replayer(app.service, app.platform.publisher.producer.partitions_for),
            early_sweeper(app.service),
        ],
    )


async def messages(settings: NotifySettings, args: argparse.Namespace) -> int:
    async with admin_store(settings) as store:
        found = await store.messages.of_parcel(args.waybill)
        found += await store.deliveries.of_waybill(args.waybill)  # the partner's webhooks
    for doc in found:
        shown = {k: v for k, v in doc.items() if k not in ("address", "context", "body")}
        print(json.dumps(shown, default=str, ensure_ascii=False), flush=True)
    if not found:
        print(f"no messages for {args.waybill}", file=sys.stderr)
    return 0 if found else 1


def main(argv: list[str] | None = None) -> int:
    parser, commands = service_parser(
        "services.notify",
        __doc__,
        "partner API, event consumer, e-mail and SMS senders, webhooks, relay",
    )
    shown = commands.add_parser("messages", help="every message and webhook for a parcel")
    shown.add_argument("waybill")
    return dispatch(parser.parse_args(argv), NotifySettings(), serve, messages)


if __name__ == "__main__":
    sys.exit(main())
