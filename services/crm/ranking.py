"""Re-ranking: every customer's trailing-90-day revenue, the quintiles, the tier changes.

Each chunk of customers is written in one transaction together with the SegmentChanged
events of the customers in it that changed tier (transactional outbox; the relay publishes
them on fairwind.crm.v1, key = customer id). The current tiers are read inside the
transaction, so two rankers running at once (the serving process and the admin command)
cannot both announce the same change: the second one's write conflicts, MongoDB retries it,
and the retry sees the tier already changed.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fairwind.runtime.lifecycle import Worker, periodic
from fairwind.v1 import crm_pb2
from services.crm import convert
from services.crm.accounts.assignment import AssignmentPlan, apply_assignment, plan_assignment
from services.crm.domain.classification import (
    Ranked,
    TierChange,
    Totals,
    business_day,
    counts_by_tier,
    rank,
    standing,
    tier_changes,
    window_start,
)
from services.crm.handlers import CrmService, wall_interval
from services.crm.store import CrmUnit, baseline_of

log = logging.getLogger(__name__)
PRUNE_AFTER_DAYS = 30  # buckets this long past the window are deleted


@dataclass(frozen=True)
class RankResult:
    ranking: list[Ranked]
    changes: list[TierChange]
    totals: dict[str, Totals]


async def rerank(svc: CrmService) -> RankResult:
    started = time.perf_counter()
    now = svc.clock.now()
    today = business_day(now)  # the UTC date, like the buckets (the clock may be in +08:00)
    window = await svc.store.days.window_totals(today)
    totals: dict[str, Totals] = {}
    async for doc in svc.store.customers.ranking_inputs():
        totals[doc["_id"]] = standing(baseline_of(doc), window.get(doc["_id"], Totals()), today)
    ranking = rank({cid: t.revenue_fen for cid, t in totals.items()})
    plan = await plan_assignment(svc, ranking)  # key accounts to managers (assignment.py)
    changes: list[TierChange] = []
    size = svc.settings.rerank_chunk
    for start in range(0, len(ranking), size):
        chunk = ranking[start : start + size]
        write = functools.partial(_write, svc, chunk=chunk, totals=totals, now=now, plan=plan)
        changes += await svc.uow.run(write)
    await svc.store.days.prune(window_start(today) - timedelta(days=PRUNE_AFTER_DAYS))
    for tier, count in counts_by_tier(ranking).items():
        svc.metrics.customers.labels(tier).set(count)
    for change in changes:
        svc.metrics.segment_changes.labels(change.previous or "none", change.ranked.tier).inc()
    svc.metrics.rerank.observe(time.perf_counter() - started)
    log.info("re-ranked", extra={"customers": len(ranking), "tier_changes": len(changes)})
    return RankResult(ranking, changes, totals)


async def _write(
    svc: CrmService,
    uow: CrmUnit,
    chunk: list[Ranked],
    totals: dict[str, Totals],
    now: datetime,
    plan: AssignmentPlan,
) -> list[TierChange]:
    current = await uow.customers.tiers_of([r.customer_id for r in chunk])
    known = [r for r in chunk if r.customer_id in current]
    changes = tier_changes(known, current)
    await uow.customers.rank(known, totals, now)
    managers = await apply_assignment(uow, plan, known, changes)
    await uow.tier_history.record(changes, now)  # the tier-movements report's history
    people = await uow.churn.people_of([c.ranked.customer_id for c in changes])
    population = len(totals)
    uow.emit(
        *(
            svc.codec.encode(
                _segment_changed(
                    svc,
                    change,
                    population,
                    now,
                    managers.get(change.ranked.customer_id),
                    people.get(change.ranked.customer_id),
                ),
                change.ranked.customer_id,
            )
            for change in changes
        )
    )
    return changes


def _segment_changed(
    svc: CrmService,
    change: TierChange,
    population: int,
    now: datetime,
    manager: dict[str, Any] | None = None,
    person: dict[str, Any] | None = None,
) -> crm_pb2.SegmentChanged:
    ranked = change.ranked
    manager, person = manager or {}, person or {}
    return crm_pb2.SegmentChanged(
        customer_id=ranked.customer_id,
        from_tier=convert.tier_code(change.previous),
        to_tier=convert.tier_code(ranked.tier),
        revenue_90d=convert.money(ranked.revenue_fen, svc.settings.currency),
        rank=ranked.rank,
        ranked_customers=population,
        key_account=ranked.key_account,
        changed_at=convert.stamp(now),
        account_manager_id=manager.get("_id", ""),
        account_manager_name=manager.get("name", ""),
        account_manager_email=manager.get("email", ""),
        customer_name=person.get("name") or "",
        company=person.get("company") or "",
        emails=person.get("emails") or [],
    )


def reranker(svc: CrmService) -> Worker:
    """Re-rank at start, then every ``rerank_interval_s`` of business time."""

    async def work() -> None:
        await rerank(svc)

    return periodic("reranker", work, wall_interval(svc, svc.settings.rerank_interval_s))
