"""Command line of the notify service.

python -m services.notify serve    # event consumer, e-mail sender, outbox relay, /metrics
"""

from __future__ import annotations

import sys

from fairwind.runtime import cli
from fairwind.runtime.cli import dispatch, service_parser
from services.notify.bootstrap import bootstrap
from services.notify.consumer import event_consumer
from services.notify.sending import sender
from services.notify.settings import NotifySettings


async def serve(settings: NotifySettings) -> None:
    app = await bootstrap(settings)
    await cli.serve(
        settings,
        app,
        event_consumer(app.platform, app.service),
        workers=[sender(app.service, app.outbound)],
    )


def main(argv: list[str] | None = None) -> int:
    parser, _ = service_parser("services.notify", __doc__, "event consumer, relay, /metrics")
    return dispatch(parser.parse_args(argv), NotifySettings(), serve)


if __name__ == "__main__":
    sys.exit(main())
