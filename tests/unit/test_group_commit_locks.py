"""fairwind.mongo.group_commit without I/O: KeyLocks (units sharing a key take turns in arrival
order, units with none in common run side by side, a cancelled waiter leaves nothing held)
and GroupCommitter's groups in flight and locks around each group."""

from __future__ import annotations

import asyncio

import pytest

from fairwind.mongo.group_commit import GroupCommitter, KeyLocks
from fairwind.mongo.uow import UnitOfWork
from fairwind.testing import FakeTransactions


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


class Gate:
    """A group write that waits until the test lets it through, noting what it wrote."""

    def __init__(self) -> None:
        self.writing: list[list[str]] = []  # groups in progress
        self.written: list[list[str]] = []
        self.open = asyncio.Event()

    async def write(self, _: UnitOfWork, items: list[str]) -> None:
        self.writing.append(items)
        await self.open.wait()
        self.writing.remove(items)
        self.written.append(items)


@pytest.mark.parametrize(("in_flight", "at_once"), [(1, [["a"]]), (2, [["a"], ["b", "c"]])])
async def test_groups_in_flight_commit_side_by_side(
    in_flight: int, at_once: list[list[str]]
) -> None:
    gate = Gate()
    committer = GroupCommitter(FakeTransactions(UnitOfWork), gate.write, in_flight=in_flight)
    first = asyncio.create_task(committer.submit("a"))
    await _settle()
    later = [asyncio.create_task(committer.submit(item)) for item in ("b", "c")]
    await _settle()
    assert gate.writing == at_once  # one in flight: "b" and "c" wait; two: they go together
    gate.open.set()
    await asyncio.gather(first, *later)
    assert sorted(item for group in gate.written for item in group) == ["a", "b", "c"]
    assert committer.items == 3


async def test_a_group_takes_its_items_keys_before_its_unit() -> None:
    """Two groups in flight with a key in common: the second waits for the first."""
    gate, locks = Gate(), KeyLocks()
    committer = GroupCommitter(
        FakeTransactions(UnitOfWork),
        gate.write,
        in_flight=2,
        hold=lambda items: locks.hold(item.split(":")[0] for item in items),
    )
    first = asyncio.create_task(committer.submit("w1:arrived"))
    await _settle()
    second = asyncio.create_task(committer.submit("w1:sorted"))
    await _settle()
    assert gate.writing == [["w1:arrived"]]
    gate.open.set()
    await asyncio.gather(first, second)
    assert gate.written == [["w1:arrived"], ["w1:sorted"]]  # in the order submitted
