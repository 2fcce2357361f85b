"""The orders service's small time-bounded cache (tiers, coverage): pure, with its own clock."""

from __future__ import annotations

from services.orders.clients import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_lives_for_its_own_ttl_at_most_the_caches() -> None:
    clock = Clock()
    cache: TtlCache[str] = TtlCache(300, clock=clock)
    cache.put("known", "Q1")
    cache.put("unknown", "Q3", ttl_s=30)  # a customer CRM does not know yet
    cache.put("capped", "Q2", ttl_s=3600)
    clock.now += 31
    assert (cache.get("known"), cache.get("unknown"), cache.get("capped")) == ("Q1", None, "Q2")
    clock.now += 270
    assert (cache.get("known"), cache.get("capped")) == (None, None)


def test_a_zero_ttl_caches_nothing() -> None:
    cache: TtlCache[str] = TtlCache(300, clock=Clock())
    cache.put("unknown", "Q3", ttl_s=0)
    assert cache.get("unknown") is None
    off: TtlCache[str] = TtlCache(0, clock=Clock())
    off.put("known", "Q1")
    assert off.get("known") is None


def test_the_oldest_entries_make_room() -> None:
    cache: TtlCache[int] = TtlCache(300, capacity=10, clock=Clock())
    for n in range(11):
        cache.put(n, n)
    assert cache.get(0) is None
    assert cache.get(10) == 10
