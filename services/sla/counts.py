"""Every worker's view of all the compliance counters.

A worker increments the counters of its own partitions in the partitioned table
``sla-counts-local``. To answer for the whole network, each worker also follows that table's
changelog topic (``<app id>-sla-counts-local-changelog``), all partitions, with a group-less
consumer (``assign`` + seek to the beginning), and keeps what it reads in a ``CountsView``.
Its own increments go into the view as well, so it reads its writes at once.

Counters only grow, so merging is a maximum: a record read late, twice, or after the
worker's own newer increment changes nothing. A tombstone (no value) removes the key.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import MutableMapping

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from fairwind.events.kafka import make_reader
from fairwind.settings import ServiceSettings

log = logging.getLogger(__name__)


def changelog_topic(app_id: str, table: str) -> str:
    """The name Faust gives a table's changelog topic."""
    return f"{app_id}-{table}-changelog"


def merge(view: MutableMapping[str, int], key: str, value: int | None) -> None:
    """Merge one counter value into ``view``: the larger value wins; None deletes."""
    if value is None:
        view.pop(key, None)
    else:
        view[key] = max(view.get(key, value), value)


def decode_change(key: bytes | None, value: bytes | None) -> tuple[str, int | None] | None:
    """A changelog record of the counters table (Faust's default ``json`` serializer for
    keys and values; a deletion has no value), or None if it is not one."""
    if key is None:
        return None
    try:
        name = json.loads(key)
        count = None if value is None else json.loads(value)
    except ValueError:  # includes undecodable bytes
        return None
    if not isinstance(name, str):
        return None
    if count is None or (isinstance(count, int) and not isinstance(count, bool)):
        return name, count
    return None


class CountsView:
    """The counters of every partition, as far as this worker has read them."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def merge(self, key: str, value: int | None) -> None:
        merge(self._counts, key, value)

    def items(self) -> list[tuple[str, int]]:
        return list(self._counts.items())

    def __len__(self) -> int:
        return len(self._counts)


async def topic_partitions(settings: ServiceSettings, topic: str) -> list[TopicPartition]:
    """The partitions of ``topic``, in order; none if it does not exist (yet)."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap, client_id=settings.client_id
    )
    await admin.start()
    try:
        # All topics: asking for this one by name could have the broker create it.
        topics = await admin.describe_topics()
    finally:
        await admin.close()
    found = next((t for t in topics if t.get("topic") == topic), None)
    if not found or found.get("error_code") or not found.get("partitions"):
        return []
    return sorted(
        (TopicPartition(topic, p["partition"]) for p in found["partitions"]),
        key=lambda tp: tp.partition,
    )


class ChangelogReader:
    """Follows the counters' changelog into a ``CountsView`` until cancelled."""

    def __init__(
        self,
        settings: ServiceSettings,
        topic: str,
        view: CountsView,
        *,
        retry_s: float = 1.0,
        poll_ms: int = 500,
    ) -> None:
        self.settings = settings
        self.topic = topic
        self.view = view
        self.retry_s = retry_s
        self.poll_ms = poll_ms
        self.read = 0  # records merged, for tests and logs

    async def run(self) -> None:
        """Read from the beginning; after an error, start again (merging is idempotent)."""
        while True:
            try:
                await self._follow()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("counts changelog reader failed; retrying", exc_info=True)
                await asyncio.sleep(self.retry_s)

    async def partitions(self) -> list[TopicPartition]:
        """The changelog's partitions, once the topic exists (Faust creates it)."""
        while True:
            found = await topic_partitions(self.settings, self.topic)
            if found:
                return found
            await asyncio.sleep(self.retry_s)

    async def _follow(self) -> None:
        partitions = await self.partitions()
        consumer = make_reader(self.settings)
        await consumer.start()
        try:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            while True:
                batches = await consumer.getmany(timeout_ms=self.poll_ms)
                for records in batches.values():
                    for record in records:
                        change = decode_change(record.key, record.value)
                        if change is None:
                            log.debug("not a counter record at offset %s", record.offset)
                            continue
                        self.view.merge(*change)
                        self.read += 1
        finally:
            await consumer.stop()
