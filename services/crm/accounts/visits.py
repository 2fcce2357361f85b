"""Due visits and the manager's portfolio (reads only).

Key accounts (Q1) are due a visit every ``visit_interval_days`` (rules in
``domain_visits``). A portfolio is every account a manager holds (key accounts and pinned
others), biggest revenue first, with the figures of the last re-rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.crm.accounts.managers import NotFound
from services.crm.domain.visits import DueVisit, VisitState, due_visits
from services.crm.handlers import CrmService

Document = dict[str, Any]


@dataclass(frozen=True)
class DueList:
    as_of: datetime
    interval_days: int
    due: list[tuple[DueVisit, Document]]  # with the customer's document


async def _manager(svc: CrmService, manager_id: str) -> Document:
    manager = await svc.store.managers.get(manager_id)
    if manager is None:
        raise NotFound(f"No manager {manager_id!r}.")
    return manager


async def due_list(svc: CrmService, manager_id: str | None = None) -> DueList:
    """The key accounts due a visit (of one manager, or all); NotFound for an unknown
    manager."""
    if manager_id is not None:
        await _manager(svc, manager_id)
    docs = {d["_id"]: d for d in await svc.store.assignments.key_accounts(manager_id)}
    now = svc.clock.now()
    interval = svc.settings.visit_interval_days
    states = (
        VisitState(d["_id"], d.get("revenue_90d_fen", 0), d.get("last_visit_at"))
        for d in docs.values()
    )
    due = due_visits(states, now, interval)
    return DueList(now, interval, [(d, docs[d.customer_id]) for d in due])


async def portfolio(svc: CrmService, manager_id: str) -> tuple[Document, list[Document]]:
    """The manager and their accounts, biggest revenue first; NotFound if unknown."""
    manager = await _manager(svc, manager_id)
    return manager, await svc.store.assignments.portfolio(manager_id)


def visit_due(doc: Document, now: datetime, interval_days: int) -> bool:
    """Whether a key account is due a visit now (False for other tiers)."""
    if doc.get("tier") != "Q1":
        return False
    state = VisitState(doc["_id"], doc.get("revenue_90d_fen", 0), doc.get("last_visit_at"))
    return bool(due_visits([state], now, interval_days))
