"""The order a poll's events are handled in: per partition in offset order, across
partitions together.

A poll brings records from many partitions. Records of one partition must be handled in
order (one waybill's created, then cancelled); records of different partitions never share
a key, so they need no order between them. ``waves`` cuts each partition into runs of one
event type and hands out, wave after wave, every partition's next run, merged by type: a
batch handler then gets the OrderCreated of all twelve partitions of a poll in one call (one
query, one transaction) instead of twelve small ones.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from itertools import groupby
from typing import TypeVar

T = TypeVar("T")
K = TypeVar("K")


def waves(
    partitions: Sequence[Sequence[T]], kind_of: Callable[[T], K]
) -> Iterator[dict[K, list[T]]]:
    """Per wave, the items to handle next, by kind; a partition's next run of items only
    comes in a later wave than its previous one."""
    pending = [deque(list(run) for _, run in groupby(items, key=kind_of)) for items in partitions]
    pending = [runs for runs in pending if runs]
    while pending:
        wave: dict[K, list[T]] = {}
        for runs in pending:
            run = runs.popleft()
            wave.setdefault(kind_of(run[0]), []).extend(run)
        yield wave
        pending = [runs for runs in pending if runs]
