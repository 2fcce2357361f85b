"""A small time-bounded, size-bounded cache for answers a process may repeat for a while
(a partner's key, a device's token, a customer's tier, a coverage answer)."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    """Entries live ``ttl_s`` at most; past ``capacity`` the oldest writes make room.

    ``get`` answers None for an absent or expired entry, so a cache that must remember a
    negative answer stores a value that says so (``TokenStore`` stores a wrapped None)."""

    def __init__(
        self,
        ttl_s: float,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.ttl_s = ttl_s
        self.capacity = capacity
        self.clock = clock
        self._items: dict[Hashable, tuple[float, V]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] < self.clock():
            del self._items[key]
            return None
        return item[1]

    def put(self, key: Hashable, value: V, ttl_s: float | None = None) -> None:
        """Remember ``value`` for ``ttl_s`` (the cache's own TTL if not given, never more)."""
        ttl_s = self.ttl_s if ttl_s is None else min(ttl_s, self.ttl_s)
        if ttl_s <= 0:
            return
        self._items.pop(key, None)  # a rewrite counts as the newest write
        if len(self._items) >= self.capacity:
            # A tenth at a time, so a full cache does not pay an eviction on every write.
            for stale in list(self._items)[: self.capacity // 10 or 1]:
                del self._items[stale]
        self._items[key] = (self.clock() + ttl_s, value)

    def discard(self, key: Hashable) -> None:
        self._items.pop(key, None)
