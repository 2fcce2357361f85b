"""Group commit: concurrent writes share one MongoDB transaction.

Every request that writes an aggregate and its outbox records would otherwise pay a whole
transaction (a few round trips and a journal flush). A committer queues writes while a
transaction is in flight and commits the queue together in the next one, so under load
one transaction carries tens of writes, and at low load a write goes out alone at once (no
timer, no added latency). If a group fails (say one write breaks a unique index), each of
its writes is retried alone, so only the offending one gets the error.

Two forms, one behaviour:
- ``UnitCommitter(units, write)``: ``write(uow, items)`` writes a group through a unit of
  work (``fairwind.mongo.uow``): repositories bound to its session, ``uow.emit`` for the
  events; the unit stores them in the outbox and wakes the relay.
- ``GroupCommitter(client, write_many)``: ``write_many(session, items)`` writes a group
  and its outbox records on a bare session; ``after_commit`` runs after each commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession

from fairwind.mongo.outbox import in_transaction
from fairwind.mongo.uow import UnitOfWork, Units

T = TypeVar("T")
U = TypeVar("U", bound=UnitOfWork)
WriteMany = Callable[[AsyncClientSession, list[T]], Awaitable[None]]


class _Groups(Generic[T]):
    """The queue, its flusher and the culprit search, whatever a group is written with."""

    def __init__(self, max_group: int) -> None:
        self.max_group = max_group
        self._queue: list[tuple[T, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.groups = 0  # transactions committed, for tests and metrics
        self.items = 0

    async def submit(self, item: T) -> None:
        """Returns once ``item`` is committed; raises what writing it alone raised."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    async def _write(self, items: list[T]) -> None:
        raise NotImplementedError

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

    def _committed(self, count: int) -> None:
        self.groups += 1
        self.items += count


class UnitCommitter(_Groups[T], Generic[U, T]):
    """Group commit through a unit of work: each group is one ``units.run`` (run again on
    a transient error), written by ``write(uow, items)``."""

    def __init__(
        self,
        units: Units[U],
        write: Callable[[U, list[T]], Awaitable[None]],
        *,
        max_group: int = 256,
    ) -> None:
        super().__init__(max_group)
        self.units = units
        self.write = write

    async def _write(self, items: list[T]) -> None:
        async def work(uow: U) -> None:
            await self.write(uow, items)

        await self.units.run(work)


class GroupCommitter(_Groups[T]):
    """Group commit on a bare session: ``write_many`` adds its own outbox records."""

    def __init__(
        self,
        client: AsyncMongoClient[dict[str, Any]],
        write_many: WriteMany[T],
        *,
        max_group: int = 256,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(max_group)
        self.client = client
        self.write_many = write_many
        self.after_commit = after_commit

    async def _write(self, items: list[T]) -> None:
        async def work(session: AsyncClientSession) -> None:
            await self.write_many(session, items)

        await in_transaction(self.client, work)

    def _committed(self, count: int) -> None:
        super()._committed(count)
        if self.after_commit is not None:
            self.after_commit()


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return  # the submitter was cancelled; the write itself stands
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
