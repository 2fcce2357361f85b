"""Command line of the crm service.

python -m services.crm serve
python -m services.crm customers import < customers.jsonl   (JSON lines in, tiers out)
python -m services.crm customers rank                        (re-rank now, print changes)
python -m services.crm customers show CUSTOMER_ID

An import line: {"customer_id": "acme", "name": "...", "company": "...", "phones": ["+86..."],
"emails": ["..."], "revenue_90d_cny": 123456.0, "shipments_90d": 800}
"""

from __future__ import annotations

import argparse
import json
import sys

from fairwind.runtime import cli
from fairwind.runtime.cli import dispatch, service_parser
from services.crm.archive import BadImport, import_customers, parse
from services.crm.bootstrap import admin_service, bootstrap
from services.crm.consumer import event_consumer
from services.crm.handlers import CrmService, live_totals
from services.crm.ranking import rerank, reranker
from services.crm.settings import CrmSettings
from services.crm.views import profile_view


async def serve(settings: CrmSettings) -> None:
    app = await bootstrap(settings)
    await cli.serve(
        settings,
        app,
        event_consumer(app.platform, app.service),
        api=app.api,
        grpc=app.grpc,
        workers=[reranker(app.service)],
    )


async def customers(settings: CrmSettings, args: argparse.Namespace) -> int:
    if args.action == "import":
        try:  # everything is checked before the database is touched
            batch = parse(
                sys.stdin,
                settings.default_country_code,
                settings.max_import_customers,
                settings.max_import_line_bytes,
            )
        except BadImport as exc:
            print(f"error: {exc}; nothing imported", file=sys.stderr)
            return 2
    async with admin_service(settings) as svc:
        if args.action == "import":
            result = await import_customers(svc, batch)
            tiers = {r.customer_id: r for r in result.ranking}
            for customer in batch:
                ranked = tiers[customer.customer_id]
                _emit({"customer_id": ranked.customer_id, "tier": ranked.tier, "rank": ranked.rank})
            print(
                f"imported {len(batch)} customers, {len(result.changes)} tier changes",
                file=sys.stderr,
            )
            return 0
        if args.action == "rank":
            return await _rank(svc)
        return await _show(svc, args.customer_id)


async def _rank(svc: CrmService) -> int:
    result = await rerank(svc)
    for change in result.changes:
        ranked = change.ranked
        _emit(
            {
                "customer_id": ranked.customer_id,
                "from": change.previous,
                "to": ranked.tier,
                "rank": ranked.rank,
            }
        )
    print(
        f"ranked {len(result.ranking)} customers, {len(result.changes)} tier changes",
        file=sys.stderr,
    )
    return 0


async def _show(svc: CrmService, customer_id: str) -> int:
    doc = await svc.store.customers.get(customer_id)
    if doc is None:
        print(f"no customer {customer_id!r}", file=sys.stderr)
        return 1
    _emit(profile_view(doc, await live_totals(svc, doc), svc.settings.currency))
    return 0


def _emit(record: dict[str, object]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser, commands = service_parser(
        "services.crm", __doc__, "REST and gRPC APIs, event consumer, re-ranking, relay"
    )
    customer = commands.add_parser("customers", help="the customer archive").add_subparsers(
        dest="action", required=True
    )
    customer.add_parser("import", help="upsert JSON lines from stdin, re-rank, print tiers")
    customer.add_parser("rank", help="re-rank every customer now and print the tier changes")
    customer.add_parser("show", help="print one customer's profile").add_argument("customer_id")
    return dispatch(parser.parse_args(argv), CrmSettings(), serve, customers)


if __name__ == "__main__":
    sys.exit(main())
