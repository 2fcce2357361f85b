"""The order a poll's events are handled in: each key's events in partition order, all
else together.

A poll brings records from many partitions. What must keep its order is one key's events
(one waybill's created, then cancelled): Kafka keeps them in one partition, in order.
Events of different keys need no order between them, even in one partition: a routes
partition alternates RoutePlanned and PickupDispatched of different waybills, and cutting
it into runs of one type made batches of one event each. So every event gets a wave: one
after its key's previous event in the partition (a keyless event orders its whole
partition around it), and a wave hands each handler all its events at once: one query and
one transaction for the OrderCreated of twelve partitions.

Within a wave, kinds go in ``rank`` order (the consumer's handler order): events of one key
on different topics (an order on ``orders``, its route on ``routes``) have no order Kafka
keeps, and a handler declared first (the order) then spares the later one (the route) a
wait for it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
K = TypeVar("K")


def waves(
    partitions: Sequence[Sequence[T]],
    kind_of: Callable[[T], K],
    key_of: Callable[[T], Hashable | None],
    rank: Sequence[K] = (),
) -> Iterator[dict[K, list[T]]]:
    """Per wave, the items to handle next, by kind, kinds in ``rank`` order (unranked kinds
    after, as they came). A key's next item in a partition comes a wave after its previous
    one, or in the same batch after it when of the same kind; a keyless item comes a wave
    after everything before it in its partition, and a wave before everything after it."""
    levels: list[list[T]] = []
    for items in partitions:
        for item, level in zip(items, _levels(items, kind_of, key_of), strict=True):
            if level == len(levels):
                levels.append([])
            levels[level].append(item)
    order = {kind: index for index, kind in enumerate(rank)}
    for level_items in levels:
        wave: dict[K, list[T]] = {}
        for item in level_items:
            wave.setdefault(kind_of(item), []).append(item)
        ranked = sorted(wave, key=lambda kind: order.get(kind, len(order)))
        yield {kind: wave[kind] for kind in ranked}


def _levels(
    items: Sequence[T], kind_of: Callable[[T], K], key_of: Callable[[T], Hashable | None]
) -> list[int]:
    last: dict[Hashable, tuple[int, K]] = {}  # per key: its last item's wave and kind
    floor = 0  # the wave after the partition's last keyless item
    top = -1  # the partition's highest wave so far
    levels: list[int] = []
    for item in items:
        key, kind = key_of(item), kind_of(item)
        if key is None:
            level = top + 1
            floor = level + 1
        else:
            previous, previous_kind = last.get(key, (-1, None))
            # A key's run of one kind stays in one batch, in order (a handler applies a
            # batch's events of one key as they came).
            level = previous if previous_kind == kind and previous >= floor else previous + 1
            level = max(floor, level)
            last[key] = (level, kind)
        top = max(top, level)
        levels.append(level)
    return levels
