"""The unit of work: a service's writes and the events they cause, in one transaction.

    async with svc.uow() as uow:
        await uow.orders.insert(doc)        # repositories bound to the unit's session
        uow.emit(event)                     # stored in the outbox by the same commit

On leaving the block without an error the events go to the outbox, the transaction commits,
the relay is woken and the ``after_commit`` callbacks run; on an error nothing is stored.
``uow.run(work)`` is the same with the body run again on a transient error (a write
conflict with a concurrent writer of the same documents), for flows that read and then
write shared documents.

A service subclasses ``UnitOfWork`` to add its repositories, and hands the subclass to
``Transactions``. Handlers depend on ``Units`` (what both offer), so unit tests hand them
``FakeTransactions`` (``fairwind.testing``) with in-memory repositories instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Generic, Protocol, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from fairwind.events.codec import EncodedEvent
from fairwind.mongo.outbox import Outbox

Document = dict[str, Any]
T = TypeVar("T")


class UnitOfWork:
    """One transaction's staged events and what to do once it committed; subclasses bind
    their repositories to the transaction's session."""

    def __init__(self) -> None:
        self.events: list[EncodedEvent] = []
        self._after_commit: list[Callable[[], None]] = []

    def emit(self, *events: EncodedEvent) -> None:
        """Events stored in the outbox by this unit's commit, published by the relay."""
        self.events.extend(events)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the unit committed (metrics, live-update fan-out)."""
        self._after_commit.append(callback)

    def committed(self) -> None:
        for callback in self._after_commit:
            callback()


U = TypeVar("U", bound=UnitOfWork)
U_co = TypeVar("U_co", bound=UnitOfWork, covariant=True)


class Units(Protocol[U_co]):
    """What handlers use: a unit as a context manager, or ``run`` with retries."""

    def __call__(self) -> AbstractAsyncContextManager[U_co]: ...

    async def run(self, work: Callable[[U_co], Awaitable[T]]) -> T: ...


class Transactions(Generic[U]):
    """Opens units of work of type ``unit`` on one service's database."""

    def __init__(
        self,
        client: AsyncMongoClient[Document],
        db: AsyncDatabase[Document],
        outbox: Outbox,
        unit: Callable[[AsyncDatabase[Document], AsyncClientSession], U],
    ) -> None:
        self.client = client
        self.db = db
        self.outbox = outbox
        self.unit = unit

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[U]:
        async with self.client.start_session() as session:
            await session.start_transaction()
            unit = self.unit(self.db, session)
            try:
                yield unit
                await self.outbox.add(unit.events, session)
                await session.commit_transaction()
            except BaseException:
                if session.in_transaction:
                    await session.abort_transaction()
                raise
        self._committed(unit)

    async def run(self, work: Callable[[U], Awaitable[T]]) -> T:
        """``work(uow)`` in a unit, run again from the start on a transient error."""
        units: list[U] = []

        async def attempt(session: AsyncClientSession) -> T:
            units[:] = [self.unit(self.db, session)]
            result = await work(units[0])
            await self.outbox.add(units[0].events, session)
            return result

        async with self.client.start_session() as session:
            result = await session.with_transaction(attempt)
        self._committed(units[0])
        return result

    def _committed(self, unit: U) -> None:
        if unit.events:
            self.outbox.notify()
        unit.committed()
