"""Key accounts to account managers: the re-rank's part, and the override by hand.

The re-rank plans the assignment once (``plan_assignment``: the active managers, every
customer that has a manager, and the new Q1), then each chunk transaction writes the moves
of its customers (``apply_assignment``), re-reading their manager inside the transaction:
a move is applied only if the customer still has the manager and pin the plan saw, so a
change made by hand meanwhile wins. (A manager given by hand during the re-rank to a
customer the plan saw without one is not named on that re-rank's SegmentChanged.) The
rules are in ``domain_assignment``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from services.crm.accounts.managers import Conflict, NotFound
from services.crm.domain.assignment import Account, ManagerSlot, assign
from services.crm.domain.classification import Ranked, TierChange
from services.crm.handlers import CrmService
from services.crm.store import CrmUnit
from services.crm.store.assignments import Reassignment

Document = dict[str, Any]


@dataclass(frozen=True)
class AssignmentPlan:
    moves: dict[str, Reassignment] = field(default_factory=dict)
    managers: dict[str, Document] = field(default_factory=dict)  # active ones, by id
    managed: frozenset[str] = frozenset()  # customers that had a manager


async def plan_assignment(svc: CrmService, ranking: Sequence[Ranked]) -> AssignmentPlan:
    """What the new ranking changes in who manages whom (and names gone stale)."""
    managers = {m["_id"]: m for m in await svc.store.managers.listing(active=True)}
    current = {doc["_id"]: doc async for doc in svc.store.assignments.managed()}
    if not managers and not current:
        return AssignmentPlan()  # nobody to give accounts to, nobody to take them from
    accounts: list[Account] = []
    for ranked in ranking:
        doc = current.get(ranked.customer_id)
        if ranked.key_account or doc is not None:
            accounts.append(
                Account(
                    ranked.customer_id,
                    ranked.revenue_fen,
                    doc.get("account_manager_id") if doc else None,
                    bool(doc and doc.get("manager_pinned")),
                    ranked.key_account,
                )
            )
    slots = [ManagerSlot(m["_id"], m.get("capacity")) for m in managers.values()]
    placements = assign(accounts, slots, svc.settings.manager_balance_tolerance_pct)
    moves: dict[str, Reassignment] = {}
    for p in placements.values():
        doc = current.get(p.customer_id) or {}
        seen = (doc.get("account_manager_id"), bool(doc.get("manager_pinned")))
        name = managers[p.manager_id]["name"] if p.manager_id else ""
        if (*seen, doc.get("account_manager_name") or "") != (p.manager_id, p.pinned, name):
            moves[p.customer_id] = Reassignment(
                p.customer_id, seen[0], seen[1], p.manager_id, name, p.pinned
            )
    return AssignmentPlan(moves, managers, frozenset(current))


async def apply_assignment(
    uow: CrmUnit, plan: AssignmentPlan, chunk: Sequence[Ranked], changes: Sequence[TierChange]
) -> dict[str, Document]:
    """Write the plan's moves for ``chunk`` in its transaction; the active manager of each
    customer in ``changes`` afterwards, for their SegmentChanged."""
    moves = [plan.moves[r.customer_id] for r in chunk if r.customer_id in plan.moves]
    announced = [change.ranked.customer_id for change in changes]
    # Customers the plan saw without a manager and leaves so are not read again: a first
    # ranking announces every customer, and reading them all would cost a query a chunk.
    wanted = {m.customer_id for m in moves} | (plan.managed & set(announced))
    states = await uow.assignments.states(wanted)
    applied = [m for m in moves if _still_as_seen(states.get(m.customer_id), m)]
    await uow.assignments.reassign(applied)
    after = {cid: (states.get(cid) or {}).get("account_manager_id") for cid in announced}
    after |= {m.customer_id: m.manager_id for m in applied if m.customer_id in after}
    return {cid: plan.managers[mid] for cid, mid in after.items() if mid in plan.managers}


def _still_as_seen(state: Document | None, move: Reassignment) -> bool:
    if state is None:
        return False
    now = (state.get("account_manager_id"), bool(state.get("manager_pinned")))
    return now == (move.seen_manager, move.seen_pinned)


async def set_manager(svc: CrmService, customer_id: str, manager_id: str, pinned: bool) -> Document:
    """Give a customer a manager by hand; NotFound (customer, manager) or Conflict
    (inactive manager) change nothing. The manager document."""

    async def put(uow: CrmUnit) -> Document:
        if not await uow.assignments.known([customer_id]):
            raise NotFound(f"No customer {customer_id!r}.")
        manager = await uow.managers.get(manager_id)
        if manager is None:
            raise NotFound(f"No manager {manager_id!r}.")
        if not manager.get("active"):
            raise Conflict(f"Manager {manager_id!r} is not active.")
        await uow.assignments.set_manager(
            customer_id, manager_id, manager["name"], pinned, svc.clock.now()
        )
        return manager

    return await svc.uow.run(put)


async def clear_manager(svc: CrmService, customer_id: str) -> None:
    """Take the manager and the pin away; the next re-rank assigns a key account again."""

    async def drop(uow: CrmUnit) -> bool:
        before = await uow.assignments.set_manager(customer_id, None, "", False, svc.clock.now())
        return before is not None

    if not await svc.uow.run(drop):
        raise NotFound(f"No customer {customer_id!r}.")
