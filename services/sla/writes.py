"""A record cache over a Faust table for one batch of events, as Kafka Streams keeps one
before each commit: reads see the batch's own writes, and each key reaches the table and its
changelog once per batch, however many of the batch's events changed it.

Faust acks a ``take_events`` batch only after the agent's body returns, and commits offsets
only after the producer has sent what was buffered before, so flushing at the end of the body
keeps the changelog at least as far on as the committed offsets (no state lost on a crash).
A write names its partition (the partition of the events that made it) because the batch
holds events of several partitions, and Faust would otherwise take the current event's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

_DELETED = object()
# (topic, key, value, partition): a record for the producer, sent without waiting for it.
Send = Callable[[str, bytes, bytes | None, int], Awaitable[None]]


class BatchWrites:
    def __init__(self, table: Any) -> None:
        self.table = table
        self._dirty: dict[Any, tuple[int, Any]] = {}

    def get(self, key: Any) -> Any:
        """The batch's own value for ``key`` if it wrote one, else the table's (its default
        for a missing key)."""
        written = self._dirty.get(key)
        if written is None:
            return self.table.get(key)
        return None if written[1] is _DELETED else written[1]

    def set(self, partition: int, key: Any, value: Any) -> None:
        self._dirty[key] = (partition, value)

    def delete(self, partition: int, key: Any) -> None:
        self._dirty[key] = (partition, _DELETED)

    async def flush(self, send: Send) -> None:
        """Into the table's store, and one changelog record per key, serialized as the
        table's own writes are (its recovery reads them back).

        Sent through the producer itself, not Faust's per-record buffer behind
        ``table[key] = value``: that buffer's bookkeeping cost a worker more than its own
        work. The commit waits for the producer all the same. (A RocksDB store would also
        need the sent offsets recorded; this worker keeps its tables in memory.)"""
        table = self.table
        topic = table.changelog_topic
        name, store = topic.get_topic_name(), table.data
        for key, (partition, value) in self._dirty.items():
            raw_key, _ = topic.prepare_key(key, table.key_serializer)
            if value is _DELETED:
                store.pop(key, None)
                await send(name, raw_key, None, partition)
            else:
                store[key] = value
                raw_value, _ = topic.prepare_value(value, table.value_serializer)
                await send(name, raw_key, raw_value, partition)
        self._dirty.clear()

    def discard(self) -> None:
        """A batch that failed part-way leaves nothing behind: its events are read again."""
        self._dirty.clear()
