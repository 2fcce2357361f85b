"""Command line of the crm service.

python -m services.crm serve
python -m services.crm customers import < customers.jsonl   (JSON lines in, tiers out)
python -m services.crm customers rank                        (re-rank now, print changes)
python -m services.crm customers show CUSTOMER_ID
python -m services.crm customers churn                       (score key accounts now, raise alerts)
python -m services.crm customers reindex-names               (company keys for caller ID)
python -m services.crm managers import < managers.jsonl     (account managers, then re-rank)

An import line: {"customer_id": "acme", "name": "...", "company": "...", "phones": ["+86..."],
"emails": ["..."], "revenue_90d_cny": 123456.0, "shipments_90d": 800}
"""

from __future__ import annotations

import argparse
import json
import sys

from fairwind.runtime import cli
from fairwind.runtime.cli import dispatch, service_parser
from services.crm.accounts.importing import managers_command
from services.crm.archive import BadImport, import_customers, parse
from services.crm.archive_handlers import archive_figures
from services.crm.bootstrap import admin_service, bootstrap
from services.crm.callers import reindex_names
from services.crm.churn import churn_scorer, score_accounts
from services.crm.complaints import complaints_90d
from services.crm.consumer import event_consumer
from services.crm.handlers import CrmService, live_totals
from services.crm.ranking import rerank, reranker
from services.crm.settings import CrmSettings
from services.crm.surveys import refresher
from services.crm.views import profile_view


async def serve(settings: CrmSettings) -> None:
    app = await bootstrap(settings)
    await cli.serve(
        settings,
        app,
        event_consumer(app.platform, app.service),
        api=app.api,
        grpc=app.grpc,
        workers=[reranker(app.service), refresher(app.service), churn_scorer(app.service)],
    )


async def customers(settings: CrmSettings, args: argparse.Namespace) -> int:
    if args.command == "managers":
        return await managers_command(settings, args)
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
        if args.action == "reindex-names":
            print(f"reindexed {await reindex_names(svc)} customers", file=sys.stderr)
            return 0
        if args.action == "rank":
            return await _rank(svc)
        if args.action == "churn":
            return await _churn(svc)
        return await _show(svc, args.customer_id)


async def _churn(svc: CrmService) -> int:
    scored = await score_accounts(svc)
    for item in sorted(scored, key=lambda s: -s.score.risk):
        _emit(
            {
                "customer_id": item.customer_id,
                "risk": round(item.score.risk, 3),
                "drivers": item.score.codes,
                "raised": item.raised,
            }
        )
    raised = sum(1 for s in scored if s.raised)
    print(f"scored {len(scored)} accounts, {raised} alerts raised", file=sys.stderr)
    return 0


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
    totals, count = await live_totals(svc, doc), await complaints_90d(svc, doc)
    view = profile_view(doc, totals, svc.settings.currency, complaints_90d=count)
    _emit(view | await archive_figures(svc, customer_id))
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
    customer.add_parser("churn", help="score the key accounts' churn risk now, raise alerts")
    customer.add_parser("reindex-names", help="recompute the company keys caller ID matches")
    managers = commands.add_parser("managers", help="account managers").add_subparsers(
        dest="action", required=True
    )
    managers.add_parser("import", help="upsert managers from JSON lines on stdin, re-rank")
    return dispatch(parser.parse_args(argv), CrmSettings(), serve, customers)


if __name__ == "__main__":
    sys.exit(main())
