"""A record cache over a Faust table for one batch of events, as Kafka Streams keeps one
before each commit: reads see the batch's own writes, and each key reaches the table and its
changelog once per batch, however many of the batch's events changed it.

Faust acks a ``take_events`` batch only after the agent's body returns, and commits offsets
only after the producer has sent what was buffered before, so producing the records at the
end of the body keeps the changelog at least as far on as the committed offsets (no state
lost on a crash).
A write names its partition (the partition of the events that made it) because the batch
holds events of several partitions, and Faust would otherwise take the current event's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from fairwind.events.batches import Outgoing

_DELETED = object()


def _same(value: Any) -> Any:
    return value


def _store(table: Any) -> Any:
    """The table's values: a memory store's own dict (its mapping methods go through
    Faust's collection machinery, a third of a read's cost), else the store."""
    store = table.data
    inner = getattr(store, "data", None)
    return inner if isinstance(inner, dict) else store


class BatchWrites:
    """``load`` turns a stored value into one the batch may change (a copy). The store keeps
    the values written as they are; the changelog gets them as JSON that the tables' json
    serializer reads back, written by ``encode`` (orjson by default: a tenth of the time;
    ``json.loads`` reads the same)."""

    def __init__(
        self,
        table: Any,
        load: Callable[[Any], Any] = _same,
        encode: Callable[[Any], bytes] = orjson.dumps,
    ) -> None:
        self.table = table
        self.load = load
        self.encode = encode
        self._dirty: dict[Any, tuple[int, Any]] = {}
        self._ready: list[tuple[Any, Any]] = []
        self._values: Any = None  # the store, during a batch

    def get(self, key: Any) -> Any:
        """The batch's own value for ``key`` if it wrote one, else the table's (its default
        for a missing key), loaded afresh."""
        written = self._dirty.get(key)
        if written is None:
            # The store itself: the table's ``get`` goes through Faust's mapping machinery,
            # a third of a read's cost, for hooks a memory store does not use.
            values = self._values
            if values is None:  # looked up once per batch: the store stays during one
                values = self._values = _store(self.table)
            stored = values.get(key, _DELETED)
            if stored is _DELETED:
                return self.table.default() if self.table.default is not None else None
            return self.load(stored)
        return None if written[1] is _DELETED else written[1]

    def set(self, partition: int, key: Any, value: Any) -> None:
        self._dirty[key] = (partition, value)

    def delete(self, partition: int, key: Any) -> None:
        self._dirty[key] = (partition, _DELETED)

    def records(self) -> list[Outgoing]:
        """One changelog record per key the batch wrote, for the caller to produce with the
        batch's other records; the store takes the values at ``apply``, once they are sent.

        Not through Faust's per-record buffer behind ``table[key] = value``: that buffer's
        bookkeeping cost a worker more than its own work. Faust's commit waits for the
        producer all the same. (A RocksDB store would also need the sent offsets recorded;
        this worker keeps its tables in memory.)"""
        name = self.table.changelog_topic.get_topic_name()
        dumps, encode, ready = orjson.dumps, self.encode, self._ready
        records = []
        for key, (partition, value) in self._dirty.items():
            ready.append((key, value))
            raw = None if value is _DELETED else encode(value)
            records.append(Outgoing(name, dumps(key), raw, None, partition))
        self._dirty.clear()
        return records

    def apply(self) -> None:
        """Into the table's store, what ``records`` sent."""
        store = _store(self.table)
        self._values = None
        for key, value in self._ready:
            if value is _DELETED:
                store.pop(key, None)
            else:
                store[key] = value
        self._ready.clear()

    def discard(self) -> None:
        """A batch that failed part-way leaves nothing behind: its events are read again."""
        self._dirty.clear()
        self._ready.clear()
        self._values = None
