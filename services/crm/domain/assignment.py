"""Which account manager looks after which key account (pure: no I/O, no clock).

Account managers are relationships, so the assignment is stable: an account keeps its
manager from one re-rank to the next unless a rule below moves it.

1. A pin (set by hand) holds while its manager is active, whatever the account's tier and
   the manager's capacity. A pin to a manager who is no longer active is void: the pin is
   dropped and a key account is placed as if new.
2. An account that left Q1 loses its automatic manager; a pinned one keeps it.
3. A key account keeps its active manager, unless the manager holds more accounts than
   their capacity (the smallest accounts above it are placed again) or the balance is
   badly off (below).
4. New key accounts (no manager, or one no longer active) are placed largest revenue first
   (ties by customer id), each with the manager who has the least assigned revenue and room
   under their capacity (ties by manager id). No manager with room: no manager.
5. Badly off: a manager's assigned revenue exceeds the mean over the active managers by
   more than ``tolerance_pct`` percent. Then, the most loaded first, that manager's smallest
   automatic accounts (ties by customer id) move one at a time to the least loaded manager
   with room, while the manager stays over the line and a move leaves the receiver below
   what the giver had (every move strictly evens the two, so this ends). Assigned revenue
   counts every account a manager holds, pinned ones and non-key ones included; the
   balance itself leaves pinned accounts alone.

Applying the result and computing again with the same figures moves nothing.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Account:
    """A key account, or a customer that currently has a manager."""

    customer_id: str
    revenue_fen: int
    manager_id: str | None
    pinned: bool
    key_account: bool = True


@dataclass(frozen=True, slots=True)
class ManagerSlot:
    """An active manager; ``capacity`` is the most accounts they take (None: no limit)."""

    manager_id: str
    capacity: int | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an account ends up, and why: pinned, kept, new, rebalanced, capacity,
    left_key_accounts, no_manager."""

    customer_id: str
    manager_id: str | None
    pinned: bool
    reason: str


@dataclass
class _Load:
    slot: ManagerSlot
    revenue_fen: int = 0
    accounts: int = 0

    def has_room(self) -> bool:
        return self.slot.capacity is None or self.accounts < self.slot.capacity


def assign(
    accounts: Iterable[Account], managers: Iterable[ManagerSlot], tolerance_pct: int = 25
) -> dict[str, Placement]:
    """The placement of every account given (rules in the module docstring)."""
    loads = {m.manager_id: _Load(m) for m in managers}
    placed: dict[str, Placement] = {}
    movable: dict[str, list[Account]] = {manager_id: [] for manager_id in loads}
    pool: list[tuple[Account, str]] = []
    revenue: dict[str, int] = {}
    for account in accounts:
        revenue[account.customer_id] = account.revenue_fen
        manager_id = account.manager_id if account.manager_id in loads else None
        if account.pinned and manager_id is not None:
            _take(loads, placed, account, manager_id, True, "pinned")
        elif not account.key_account:
            placed[account.customer_id] = Placement(
                account.customer_id, None, False, "left_key_accounts"
            )
        elif manager_id is not None:
            movable[manager_id].append(account)
        else:
            pool.append((account, "new"))
    for manager_id, held in movable.items():
        # Largest first, so that capacity sends the smallest accounts elsewhere.
        held.sort(key=lambda a: (-a.revenue_fen, a.customer_id))
        for account in held:
            if loads[manager_id].has_room():
                _take(loads, placed, account, manager_id, False, "kept")
            else:
                pool.append((account, "capacity"))
    pool.sort(key=lambda item: (-item[0].revenue_fen, item[0].customer_id))
    # The managers with room by (assigned revenue, id); only the one popped changes.
    open_ = [(m.revenue_fen, m.slot.manager_id) for m in loads.values() if m.has_room()]
    heapq.heapify(open_)
    for account, reason in pool:
        if not open_:
            placed[account.customer_id] = Placement(account.customer_id, None, False, "no_manager")
            continue
        _, manager_id = heapq.heappop(open_)
        _take(loads, placed, account, manager_id, False, reason)
        if loads[manager_id].has_room():
            heapq.heappush(open_, (loads[manager_id].revenue_fen, manager_id))
    _rebalance(loads, placed, revenue, tolerance_pct)
    return placed


def _take(
    loads: dict[str, _Load],
    placed: dict[str, Placement],
    account: Account,
    manager_id: str,
    pinned: bool,
    reason: str,
) -> None:
    load = loads[manager_id]
    load.revenue_fen += account.revenue_fen
    load.accounts += 1
    placed[account.customer_id] = Placement(account.customer_id, manager_id, pinned, reason)


def _least_loaded(loads: Iterable[_Load], exclude: str | None) -> _Load | None:
    candidates = [m for m in loads if m.has_room() and m.slot.manager_id != exclude]
    return min(candidates, key=lambda m: (m.revenue_fen, m.slot.manager_id), default=None)


def _rebalance(
    loads: dict[str, _Load], placed: dict[str, Placement], revenue: dict[str, int], pct: int
) -> None:
    if len(loads) < 2:
        return
    total = sum(load.revenue_fen for load in loads.values())
    count = len(loads)
    # Each manager's automatic accounts, smallest first (ties by customer id).
    held: dict[str, list[tuple[int, str]]] = {manager_id: [] for manager_id in loads}
    for p in placed.values():
        if p.manager_id is not None and not p.pinned:
            held[p.manager_id].append((revenue[p.customer_id], p.customer_id))
    for accounts in held.values():
        accounts.sort()

    def over(load: _Load) -> bool:  # load > mean * (1 + pct/100), in integers
        return load.revenue_fen * count * 100 > total * (100 + pct)

    while True:
        moved = False
        for giver in sorted(loads.values(), key=lambda m: (-m.revenue_fen, m.slot.manager_id)):
            if not over(giver):
                break
            giver_id = giver.slot.manager_id
            receiver = _least_loaded(loads.values(), exclude=giver_id)
            if not held[giver_id] or receiver is None:
                continue
            amount, customer_id = held[giver_id][0]
            if amount <= 0 or receiver.revenue_fen + amount >= giver.revenue_fen:
                continue
            held[giver_id].pop(0)
            bisect.insort(held[receiver.slot.manager_id], (amount, customer_id))
            giver.revenue_fen -= amount
            giver.accounts -= 1
            receiver.revenue_fen += amount
            receiver.accounts += 1
            placed[customer_id] = Placement(
                customer_id, receiver.slot.manager_id, False, "rebalanced"
            )
            moved = True
            break
        if not moved:
            return


def changed(placements: Iterable[Placement], current: dict[str, Account]) -> list[Placement]:
    """The placements that differ from the accounts' current manager or pin."""
    result = []
    for placement in placements:
        before = current.get(placement.customer_id)
        now = (placement.manager_id, placement.pinned)
        if before is None or (before.manager_id, before.pinned) != now:
            result.append(placement)
    return result
