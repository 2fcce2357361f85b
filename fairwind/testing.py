"""Test doubles of the kit's own I/O parts, for handler unit tests without MongoDB.

``FakeTransactions`` stands in for ``fairwind.mongo.uow.Transactions``: it hands out units
a test builds (with in-memory repositories) and keeps what each committed unit emitted.
A unit whose block raises is not committed: its events are dropped (its fake repositories
are the test's to roll back, if the test cares)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

from fairwind.events.codec import EncodedEvent
from fairwind.mongo.uow import UnitOfWork

U = TypeVar("U", bound=UnitOfWork)
T = TypeVar("T")


class FakeTransactions(Generic[U]):
    def __init__(self, unit: Callable[[], U]) -> None:
        self.unit = unit
        self.committed: list[U] = []

    @property
    def events(self) -> list[EncodedEvent]:
        """Every event of every committed unit, in commit order."""
        return [event for unit in self.committed for event in unit.events]

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[U]:
        unit = self.unit()
        yield unit
        self._commit(unit)

    async def run(self, work: Callable[[U], Awaitable[T]]) -> T:
        unit = self.unit()
        result = await work(unit)
        self._commit(unit)
        return result

    def _commit(self, unit: U) -> None:
        self.committed.append(unit)
        unit.committed()


class ManualClock:
    """A ``time.monotonic`` stand-in that moves only when a test sets ``now``."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
