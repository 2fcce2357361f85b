"""Scoring the key accounts' churn risk once a business day, and raising the alert.

Each account's score, drivers and reasons are kept on the customer (``churn``); an account
whose risk reaches the threshold while armed gets ``ChurnRiskRaised`` (with its account
manager's name and e-mail, so notify can alert them) in the same transaction as its new
score, so an alert is raised once even if two scorers run.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from fairwind.runtime.lifecycle import Worker, periodic
from fairwind.v1 import crm_pb2
from services.crm import convert
from services.crm.domain.churn import (
    ChurnRules,
    ChurnScore,
    Experience,
    alerting,
    history_of,
    score,
)
from services.crm.domain.classification import business_day
from services.crm.handlers import CrmService, wall_interval
from services.crm.store import CrmUnit
from services.crm.store.revenue import midnight

Document = dict[str, Any]
log = logging.getLogger(__name__)
CHUNK = 500


@dataclass(frozen=True, slots=True)
class Scored:
    customer_id: str
    score: ChurnScore
    previous: float
    raised: bool


def rules_of(svc: CrmService) -> ChurnRules:
    s = svc.settings
    return ChurnRules(threshold=s.churn_threshold, rearm_below=s.churn_rearm_below)


async def score_accounts(svc: CrmService) -> list[Scored]:
    """Score every customer of ``churn_tiers`` now; the alerts raised are marked."""
    rules = rules_of(svc)
    now = svc.clock.now()
    today = business_day(now)
    accounts = await svc.store.churn.accounts(svc.settings.churn_tiers)
    ids = [doc["_id"] for doc in accounts]
    first = today - timedelta(days=rules.recent_days + rules.baseline_days)
    daily = await svc.store.churn.daily(ids, first)
    seen = await svc.store.churn.experience(
        ids, midnight(today - timedelta(days=rules.experience_days))
    )
    results = [
        _score(doc, daily.get(doc["_id"], {}), seen.get(doc["_id"], {}), today, rules)
        for doc in accounts
    ]
    scored: list[Scored] = []
    for start in range(0, len(results), CHUNK):
        chunk = results[start : start + CHUNK]
        scored += await svc.uow.run(functools.partial(_keep, svc, chunk=chunk, now=now))
    for item in scored:
        svc.metrics.churn_scored.labels("raised" if item.raised else "scored").inc()
    log.info(
        "churn scored",
        extra={"accounts": len(scored), "raised": sum(1 for s in scored if s.raised)},
    )
    return scored


def _score(
    doc: Document, buckets: dict[date, float], seen: dict[str, int], today: date, rules: ChurnRules
) -> tuple[Document, ChurnScore]:
    imported = doc.get("imported")
    baseline = (imported["shipments"], imported["as_of"].date()) if imported else None
    first_seen = business_day(doc["created_at"]) if doc.get("created_at") else today
    satisfaction = doc.get("satisfaction") or {}
    experience = Experience(
        breaches=seen.get("sla_breach", 0),
        failed_deliveries=seen.get("failed_delivery", 0) + seen.get("exception", 0),
        complaints=seen.get("complaints", 0),
        satisfaction=satisfaction.get("score_90d"),
        answers=satisfaction.get("answers_90d", 0),
    )
    return doc, score(history_of(buckets, first_seen, baseline), experience, today, rules)


async def _keep(
    svc: CrmService, uow: CrmUnit, chunk: Sequence[tuple[Document, ChurnScore]], now: datetime
) -> list[Scored]:
    """The chunk's scores, and the alerts of the accounts still armed (read again inside
    the transaction, so a concurrent scorer's alert is seen)."""
    rules = rules_of(svc)
    current = {
        doc["_id"]: doc for doc in await uow.churn.accounts_by_id([d["_id"] for d, _ in chunk])
    }
    managers = await uow.churn.managers(
        [d.get("account_manager_id") or "" for d in current.values()]
    )
    kept: list[tuple[str, Document]] = []
    scored: list[Scored] = []
    for doc, result in chunk:
        before = (current.get(doc["_id"]) or doc).get("churn") or {}
        decided = alerting(result.risk, before.get("armed", True), rules)
        churn = {
            "risk": round(result.risk, 4),
            "drivers": result.codes,
            "reasons": result.reasons,
            "scored_at": now,
            "armed": decided.armed,
            "raised_at": now if decided.raise_alert else before.get("raised_at"),
        }
        kept.append((doc["_id"], churn))
        if decided.raise_alert:
            manager = managers.get(current.get(doc["_id"], doc).get("account_manager_id") or "")
            uow.emit(svc.codec.encode(_raised(doc, result, before, manager, now), doc["_id"]))
        scored.append(Scored(doc["_id"], result, before.get("risk", 0.0), decided.raise_alert))
    await uow.churn.keep(kept)
    return scored


def _raised(
    doc: Document,
    result: ChurnScore,
    before: Document,
    manager: Document | None,
    now: datetime,
) -> crm_pb2.ChurnRiskRaised:
    return crm_pb2.ChurnRiskRaised(
        customer_id=doc["_id"],
        churn_risk=result.risk,
        previous_churn_risk=before.get("risk", 0.0),
        drivers=result.codes,
        reasons=result.reasons,
        tier=convert.tier_code(doc.get("tier")),
        key_account=bool(doc.get("key_account")),
        account_manager_id=manager["_id"] if manager else "",
        account_manager_name=(manager or {}).get("name", ""),
        account_manager_email=(manager or {}).get("email", ""),
        customer_name=doc.get("name") or "",
        company=doc.get("company") or "",
        raised_at=convert.stamp(now),
    )


def churn_scorer(svc: CrmService) -> Worker:
    """Score once each business day, on the first round of the day: only complete days
    count, so scoring more often would repeat the same figures."""
    scored_day: list[date] = []

    async def work() -> None:
        today = business_day(svc.clock.now())
        if scored_day and scored_day[-1] == today:
            return
        await score_accounts(svc)
        scored_day[:] = [today]

    return periodic("churn-scorer", work, wall_interval(svc, svc.settings.rerank_interval_s))
