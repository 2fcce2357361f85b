"""KeyLocks (fairwind.mongo.batching): units sharing a key take turns in arrival order,
units with none in common run side by side, and a cancelled waiter leaves nothing held."""

from __future__ import annotations

import asyncio

import pytest

from fairwind.mongo.batching import KeyLocks


async def _holder(
    locks: KeyLocks, keys: set[str], log: list[str], name: str, release: asyncio.Event
) -> None:
    async with locks.hold(keys):
        log.append(f"{name} in")
        await release.wait()
        log.append(f"{name} out")


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_units_with_no_key_in_common_run_side_by_side() -> None:
    locks, log, release = KeyLocks(), list[str](), asyncio.Event()
    tasks = [
        asyncio.create_task(_holder(locks, {"a", "b"}, log, "first", release)),
        asyncio.create_task(_holder(locks, {"c"}, log, "second", release)),
    ]
    await _settle()
    assert log == ["first in", "second in"]
    release.set()
    await asyncio.gather(*tasks)


async def test_a_unit_sharing_a_key_waits_until_the_holder_leaves() -> None:
    locks, log = KeyLocks(), list[str]()
    first_done, second_done = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(_holder(locks, {"a", "b"}, log, "first", first_done))
    await _settle()
    second = asyncio.create_task(_holder(locks, {"b", "c"}, log, "second", second_done))
    await _settle()
    assert log == ["first in"]
    first_done.set()
    await _settle()
    assert log == ["first in", "first out", "second in"]
    second_done.set()
    await asyncio.gather(first, second)


async def test_waiters_are_served_in_arrival_order_among_those_sharing_a_key() -> None:
    """A wide unit is not starved by narrow ones arriving after it: a later unit whose key
    the wide one also waits for queues behind it, even when that key is free."""
    locks, log = KeyLocks(), list[str]()
    releases = {name: asyncio.Event() for name in ("narrow", "wide", "late")}
    narrow = asyncio.create_task(_holder(locks, {"a"}, log, "narrow", releases["narrow"]))
    await _settle()
    wide = asyncio.create_task(_holder(locks, {"a", "b"}, log, "wide", releases["wide"]))
    await _settle()
    late = asyncio.create_task(_holder(locks, {"b"}, log, "late", releases["late"]))
    await _settle()
    assert log == ["narrow in"]  # "b" is free, but "wide" asked for it first
    releases["narrow"].set()
    await _settle()
    assert log[-1] == "wide in"
    releases["wide"].set()
    await _settle()
    assert log[-1] == "late in"
    releases["late"].set()
    await asyncio.gather(narrow, wide, late)


async def test_a_cancelled_waiter_holds_nothing_and_blocks_no_one() -> None:
    locks, log = KeyLocks(), list[str]()
    first_done, never = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(_holder(locks, {"a"}, log, "first", first_done))
    await _settle()
    waiter = asyncio.create_task(_holder(locks, {"a", "b"}, log, "waiter", never))
    await _settle()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    third_done = asyncio.Event()
    third = asyncio.create_task(_holder(locks, {"b"}, log, "third", third_done))
    await _settle()
    assert log == ["first in", "third in"]  # "b" was never taken by the cancelled waiter
    first_done.set()
    third_done.set()
    await asyncio.gather(first, third)
    async with locks.hold({"a", "b"}):  # everything was given back
        pass


async def test_a_unit_that_fails_gives_its_keys_back() -> None:
    locks = KeyLocks()
    with pytest.raises(RuntimeError):
        async with locks.hold({"a"}):
            raise RuntimeError("the unit failed")
    async with asyncio.timeout(1):
        async with locks.hold({"a"}):
            pass


async def test_a_waiter_cancelled_just_after_being_granted_gives_its_keys_back() -> None:
    locks, log, never = KeyLocks(), list[str](), asyncio.Event()
    async with locks.hold({"a"}):
        waiter = asyncio.create_task(_holder(locks, {"a"}, log, "waiter", never))
        await _settle()
    waiter.cancel()  # granted on leaving the block, cancelled before it ran
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert log == []
    async with asyncio.timeout(1):
        async with locks.hold({"a"}):
            pass
