"""Group commit: concurrent writes share one MongoDB transaction.

Every request that writes an aggregate and its outbox records would otherwise pay a whole
transaction (a few round trips and a journal flush). A committer queues writes while a
transaction is in flight and commits the queue together in the next one, so under load
one transaction carries tens of writes, and at low load a write goes out alone at once (no
timer, no added latency). If a group fails (say one write breaks a unique index), each of
its writes is retried alone, so only the offending one gets the error.

``GroupCommitter(units, write)``: ``write(uow, items)`` writes a group through a unit of
work (``fairwind.mongo.uow``): repositories bound to its session, ``uow.emit`` for the
events; the unit stores them in the outbox and wakes the relay. Each group is one
``units.run``, so a transient error (a write conflict) runs the group again. With
``in_flight=2`` a second group commits while the first waits for mongod (the service's
CPU and mongod's overlap); ``hold`` takes the group's keys first (``KeyLocks``), so two
groups writing one document still go in the order submitted.

``KeyLocks``: units of one process that would write the same documents wait for each
other instead of conflicting. Two transactions of a process that update one document
conflict in mongod, and the loser runs again from the start, so two concurrent batches
sharing a few hundred shipments cost four times the CPU of the same batches one after the
other. ``hold(keys)`` takes all its keys at once, or waits, in arrival order among units
that share a key; units with no key in common run side by side. Units of other processes
still conflict and run again (``uow.run``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Generic, TypeVar

from fairwind.mongo.uow import UnitOfWork, Units

T = TypeVar("T")
U = TypeVar("U", bound=UnitOfWork)


class GroupCommitter(Generic[U, T]):
    def __init__(
        self,
        units: Units[U],
        write: Callable[[U, list[T]], Awaitable[None]],
        *,
        max_group: int = 256,
        hold: Callable[[list[T]], AbstractAsyncContextManager[None]] | None = None,
        in_flight: int = 1,
    ) -> None:
        self.units = units
        self.write = write
        self.max_group = max_group
        self.hold = hold  # e.g. ``KeyLocks.hold`` of the items' keys, around each unit
        # groups committing at once: with 2, the next group is built while one commits
        self.in_flight = in_flight
        self._queue: list[tuple[T, asyncio.Future[None]]] = []
        self._flushers: set[asyncio.Task[None]] = set()
        self.groups = 0  # transactions committed, for tests and metrics
        self.items = 0

    async def submit(self, item: T) -> None:
        """Returns once ``item`` is committed; raises what writing it alone raised."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        # a flusher that found the queue empty is done at once (no await after its
        # check), so a live one still running will take this item
        self._flushers = {f for f in self._flushers if not f.done()}
        if len(self._flushers) < self.in_flight:
            self._flushers.add(asyncio.create_task(self._flush()))
        await future

    async def _flush(self) -> None:
        while self._queue:
            group, self._queue = self._queue[: self.max_group], self._queue[self.max_group :]
            await self._commit(group)

    async def _commit(self, group: list[tuple[T, asyncio.Future[None]]]) -> None:
        try:
            await self._write([item for item, _ in group])
        except Exception as exc:
            if len(group) == 1:
                _settle(group[0][1], exc)
                return
            for item, future in group:  # find the culprit: each alone
                try:
                    await self._write([item])
                except Exception as single:
                    _settle(future, single)
                else:
                    self._committed(1)
                    _settle(future, None)
            return
        self._committed(len(group))
        for _, future in group:
            _settle(future, None)

    async def _write(self, items: list[T]) -> None:
        async def work(uow: U) -> None:
            await self.write(uow, items)

        if self.hold is None:
            await self.units.run(work)
            return
        async with self.hold(items):
            await self.units.run(work)

    def _committed(self, count: int) -> None:
        self.groups += 1
        self.items += count


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return  # the submitter was cancelled; the write itself stands
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


class KeyLocks:
    """Locks by key (say a waybill) within one process, taken together."""

    def __init__(self) -> None:
        self._held: set[str] = set()
        self._waiting: list[tuple[frozenset[str], asyncio.Future[None]]] = []

    @asynccontextmanager
    async def hold(self, keys: Iterable[str]) -> AsyncIterator[None]:
        wanted = frozenset(keys)
        await self._acquire(wanted)
        try:
            yield
        finally:
            self._held -= wanted
            self._grant()

    async def _acquire(self, wanted: frozenset[str]) -> None:
        if self._free(wanted, self._waiting):
            self._held |= wanted
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (wanted, future)
        self._waiting.append(entry)
        try:
            await future
        except asyncio.CancelledError:
            if entry in self._waiting:
                self._waiting.remove(entry)
            elif not future.cancelled():  # granted just before the cancel: give it back
                self._held -= wanted
            self._grant()
            raise

    def _grant(self) -> None:
        """Wake, in arrival order, each waiter whose keys are free and shared with no
        waiter before it."""
        still: list[tuple[frozenset[str], asyncio.Future[None]]] = []
        for wanted, future in self._waiting:
            if future.done():
                continue
            if self._free(wanted, still):
                self._held |= wanted
                future.set_result(None)
            else:
                still.append((wanted, future))
        self._waiting = still

    def _free(
        self, wanted: frozenset[str], before: list[tuple[frozenset[str], asyncio.Future[None]]]
    ) -> bool:
        return self._held.isdisjoint(wanted) and all(w.isdisjoint(wanted) for w, _ in before)
