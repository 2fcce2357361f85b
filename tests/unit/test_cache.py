"""The kit's time- and size-bounded cache: pure, with its own clock."""

from __future__ import annotations

import pytest

from fairwind.cache import TtlCache
from fairwind.testing import ManualClock


def test_an_entry_lives_for_its_own_ttl_at_most_the_caches() -> None:
    clock = ManualClock()
    cache: TtlCache[str] = TtlCache(300, clock=clock)
    cache.put("known", "Q1")
    cache.put("unknown", "Q3", ttl_s=30)  # a customer CRM does not know yet
    cache.put("capped", "Q2", ttl_s=3600)
    clock.now += 31
    assert (cache.get("known"), cache.get("unknown"), cache.get("capped")) == ("Q1", None, "Q2")
    clock.now += 270
    assert (cache.get("known"), cache.get("capped")) == (None, None)


def test_an_expired_entry_is_dropped_when_read() -> None:
    clock = ManualClock()
    cache: TtlCache[str] = TtlCache(30, clock=clock)
    cache.put("a", "x")
    clock.now += 31
    assert cache.get("a") is None
    assert len(cache) == 0


def test_a_zero_ttl_caches_nothing() -> None:
    cache: TtlCache[str] = TtlCache(300, clock=ManualClock())
    cache.put("unknown", "Q3", ttl_s=0)
    assert cache.get("unknown") is None
    off: TtlCache[str] = TtlCache(0, clock=ManualClock())
    off.put("known", "Q1")
    assert off.get("known") is None
    assert len(off) == 0


def test_the_oldest_entries_make_room() -> None:
    cache: TtlCache[int] = TtlCache(300, capacity=10, clock=ManualClock())
    for n in range(11):
        cache.put(n, n)
    assert cache.get(0) is None
    assert cache.get(10) == 10


def test_the_size_stays_bounded() -> None:
    cache: TtlCache[int] = TtlCache(300, capacity=100, clock=ManualClock())
    for n in range(10_000):
        cache.put(n, n)
        assert len(cache) <= 100
    assert cache.get(9_999) == 9_999


def test_a_rewrite_is_the_newest_entry() -> None:
    cache: TtlCache[int] = TtlCache(300, capacity=3, clock=ManualClock())
    for key in ("a", "b", "c"):
        cache.put(key, 1)
    cache.put("a", 2)  # "b" is now the oldest write
    cache.put("d", 1)
    assert (cache.get("a"), cache.get("b"), cache.get("d")) == (2, None, 1)


def test_discard_forgets_at_once() -> None:
    cache: TtlCache[str] = TtlCache(300, clock=ManualClock())
    cache.put("a", "x")
    cache.discard("a")
    cache.discard("never there")
    assert cache.get("a") is None


def test_capacity_must_hold_something() -> None:
    with pytest.raises(ValueError, match="capacity"):
        TtlCache(300, capacity=0)
