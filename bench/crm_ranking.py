"""Re-ranking the seeded archive with ``services.crm.ranking.rerank``, beside its ceiling.

First rank: every customer gets its first tier (every customer written, a SegmentChanged
each). Steady re-rank: after a few customers moved (three per mille: small ones with a big
day, big ones with refunds), so few tiers change but the ranks below the movers shift.

The ceiling is what a re-rank must do, in raw pymongo: the same two reads (the window's
buckets grouped per customer, the customers' baselines) in full, and the same writes (each
chunk's tiers read, its customers updated, its events stored, one transaction of
``rerank_chunk`` customers) on a sample of the customers, scaled to all of them. The
sample's updates change the same indexed fields the re-rank changed (rank, tier, revenue;
to other values, so no update is a no-op) and are put back untimed afterwards. A sample,
not a copy of the collection: a second 100,000 customers with every index would double
what MongoDB's cache must hold, and that alone fails the re-rank on this box.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from bson import ObjectId
from pymongo import UpdateOne

from bench.crm_data import Population, midnight
from bench.summary import Figure, record
from fairwind.mongo.outbox import Outbox
from services.crm.domain.classification import TIERS, DayDelta, Ranked, business_day, window_start
from services.crm.handlers import CrmService
from services.crm.ranking import RankResult, rerank

Document = dict[str, Any]
MOVERS_PER_MILLE = 3
SAMPLE_EVERY = 20  # the ceiling writes one customer in this many
# At 100,000 customers a first rank in transactions of 500 fails on the local mongod
# (0.25 GB cache: "Cache full ... WriteConflict" until the retries run out); 100 passes.
FALLBACK_CHUNK = 100


@dataclass(frozen=True)
class Timed:
    wall_s: float
    cpu_s: float


@dataclass(frozen=True)
class Attempt:
    result: RankResult | None
    spent: Timed
    error: str = ""


async def timed_rerank(svc: CrmService) -> Attempt:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        result = await rerank(svc)
    except Exception as exc:  # a benchmark reports a failure and goes on
        spent = Timed(time.perf_counter() - wall, time.process_time() - cpu)
        return Attempt(None, spent, f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    return Attempt(result, Timed(time.perf_counter() - wall, time.process_time() - cpu))


async def move_a_few(svc: CrmService, pop: Population) -> int:
    """A good day for some small customers, refunds for some big ones; how many moved."""
    today = business_day(svc.clock.now())
    ordered = sorted(pop.customers, key=lambda c: c.weight)
    half = max(1, len(ordered) * MOVERS_PER_MILLE // 2_000)
    deltas = [DayDelta(c.customer_id, today, 2_000_000, 50) for c in ordered[:half]]
    deltas += [DayDelta(c.customer_id, today, -200_000, -5) for c in ordered[-half:]]
    await svc.store.days.add(deltas)
    return 2 * half


async def outbox_since(svc: CrmService, marker: ObjectId) -> list[Document]:
    db = svc.store.customers.collection.database
    return await db["outbox"].find({"_id": {"$gt": marker}}).to_list()


def _set(r: Ranked, result: RankResult, stamp: Any, shift: int = 0) -> Document:
    """The fields ``Customers.rank`` sets; ``shift`` moves rank, tier and revenue away."""
    totals = result.totals[r.customer_id]
    tier = TIERS[(TIERS.index(r.tier) + 1) % len(TIERS)] if shift else r.tier
    return {
        "tier": tier,
        "revenue_rank": r.rank + shift,
        "key_account": tier == TIERS[0],
        "revenue_90d_fen": r.revenue_fen + shift,
        "shipments_90d": totals.shipments,
        "orders_per_week": totals.orders_per_week,
        "ranked_at": stamp,
    }


async def rank_ceiling(
    svc: CrmService, result: RankResult, events: list[Document]
) -> tuple[Timed, Timed]:
    """(reads, writes scaled to every customer) as the module doc says."""
    db = svc.store.customers.collection.database
    today = business_day(svc.clock.now())
    wall, cpu = time.perf_counter(), time.process_time()
    pipeline: list[Document] = [
        {"$match": {"day": {"$gte": midnight(window_start(today))}}},
        {
            "$group": {
                "_id": "$customer_id",
                "revenue_fen": {"$sum": "$revenue_fen"},
                "shipments": {"$sum": "$shipments"},
            }
        },
    ]
    cursor = await db["revenue_days"].aggregate(pipeline, hint={"$natural": 1})
    await cursor.to_list()
    await db["customers"].find({}, {"_id": 1, "imported": 1}).to_list()
    reads = Timed(time.perf_counter() - wall, time.process_time() - cpu)
    sample = result.ranking[::SAMPLE_EVERY]
    sampled = {r.customer_id.encode() for r in sample}
    copies = [
        e | {"_id": ObjectId(), "event_id": f"{e['event_id']}-c"}
        for e in events
        if e["key"] in sampled
    ]
    scratch = Outbox(db, "outbox_ceiling")
    await scratch.create_indexes()
    stamp, shift, size = svc.clock.now(), len(result.ranking), svc.settings.rerank_chunk
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(sample), size):
        chunk = sample[start : start + size]
        ids = [r.customer_id for r in chunk]
        updates = [
            UpdateOne({"_id": r.customer_id}, {"$set": _set(r, result, stamp, shift)})
            for r in chunk
        ]
        keys = {i.encode() for i in ids}
        share = [e for e in copies if e["key"] in keys]

        async def write(session: Any, i: Any = ids, u: Any = updates, e: Any = share) -> None:
            await db["customers"].find({"_id": {"$in": i}}, {"tier": 1}, session=session).to_list()
            await db["customers"].bulk_write(u, ordered=False, session=session)
            if e:
                await scratch.records.insert_many(e, session=session)

        async with db.client.start_session() as session:
            await session.with_transaction(write)
    scale = len(result.ranking) / max(1, len(sample))
    writes = Timed((time.perf_counter() - wall) * scale, (time.process_time() - cpu) * scale)
    back = [UpdateOne({"_id": r.customer_id}, {"$set": _set(r, result, stamp)}) for r in sample]
    for start in range(0, len(back), size):
        await db["customers"].bulk_write(back[start : start + size], ordered=False)
    return reads, writes


async def report_ranking(svc: CrmService, pop: Population) -> None:
    """Both re-ranks with the service's settings; a re-rank that fails is reported, then
    tried again in chunks of ``FALLBACK_CHUNK`` customers (the steady one uses whichever
    worked)."""
    n = len(pop.customers)
    for label in ("first rank", "steady re-rank"):
        moved = await move_a_few(svc, pop) if label != "first rank" else 0
        marker = ObjectId()
        attempt = await timed_rerank(svc)
        chunk = svc.settings.rerank_chunk
        if attempt.result is None:
            print(
                f"rerank {label:15} {n:,} customers, rerank_chunk {chunk}: FAILED after "
                f"{attempt.spent.wall_s:.1f} s ({attempt.spent.cpu_s:.2f} CPU-s here): "
                f"{attempt.error}"
            )
            if chunk == FALLBACK_CHUNK:
                continue
            svc = replace(
                svc, settings=svc.settings.model_copy(update={"rerank_chunk": FALLBACK_CHUNK})
            )
            chunk, marker = FALLBACK_CHUNK, ObjectId()
            attempt = await timed_rerank(svc)
        spent, result = attempt.spent, attempt.result
        if result is None:
            print(f"rerank {label:15} rerank_chunk {chunk}: FAILED too: {attempt.error}")
            continue
        reads, writes = await rank_ceiling(svc, result, await outbox_since(svc, marker))
        ceiling = reads.wall_s + writes.wall_s
        print(
            f"rerank {label:15} {n:,} customers ({moved} moved), rerank_chunk {chunk}, "
            f"{len(result.changes):,} tier changes: {spent.wall_s:.2f} s ({spent.cpu_s:.2f} "
            f"CPU-s here); ceiling {ceiling:.2f} s (reads {reads.wall_s:.2f} s, writes "
            f"{writes.wall_s:.2f} s from a 1-in-{SAMPLE_EVERY} sample): "
            f"{ceiling / spent.wall_s:.2f} of it; target <= 2 s"
        )
        record(
            Figure(
                "crm",
                f"rerank {n:,} customers, {label} (chunk {chunk})",
                n / spent.wall_s,
                "customers/s",
                "<= 2 s (>= 50,000/s)",
                "raw reads + writes",
                n / ceiling,
            )
        )
