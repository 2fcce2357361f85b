"""What mongod did over a span, from ``serverStatus``: operations by kind, transactions
committed and journal syncs, so a benchmark can print them per item."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient


async def counters(client: AsyncMongoClient[dict[str, Any]]) -> dict[str, int]:
    status = await client.admin.command("serverStatus")
    ops = {kind: int(n) for kind, n in status["opcounters"].items()}
    return ops | {
        "transactions": int(status["transactions"]["totalCommitted"]),
        "journal syncs": int(status["wiredTiger"]["log"]["log sync operations"]),
    }


def per_item(after: dict[str, int], before: dict[str, int], items: int) -> str:
    """``insert 3.1, query 7.0, ...`` per item, the kinds that moved."""
    items = max(items, 1)
    moved = {kind: after[kind] - before.get(kind, 0) for kind in after}
    return ", ".join(f"{kind} {n / items:.1f}" for kind, n in moved.items() if n)
