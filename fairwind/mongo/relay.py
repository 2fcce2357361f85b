"""The outbox relay: publishes stored events in order and marks them published.

Exactly once across crashes, without broker transactions (the embedded broker has none):
before each batch the relay sets ``inflight`` in its state document; after the broker has
acknowledged the batch it marks the records and stores the last offset per partition in one
MongoDB transaction. A relay that starts and finds ``inflight`` set (its predecessor died
between publishing and marking) reads the partitions from those offsets to their end and
marks every record it finds there, so nothing is published twice and nothing is skipped.

One relay per service holds a lease (renewed as it works) so replicas do not race.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from fairwind.events.kafka import read_to_end
from fairwind.events.publisher import EventPublisher, Receipt
from fairwind.metrics import KitMetrics
from fairwind.mongo.outbox import Outbox, from_document

log = logging.getLogger(__name__)

STATE_ID = "relay"
ReaderFactory = Callable[[], AIOKafkaConsumer]


class LeaseLost(RuntimeError):
    """Another relay took over; this one must stop."""


class OutboxRelay:
    def __init__(
        self,
        outbox: Outbox,
        publisher: EventPublisher,
        reader_factory: ReaderFactory,
        *,
        owner: str | None = None,
        batch_size: int = 500,
        poll_interval_s: float = 0.2,
        lease: timedelta = timedelta(seconds=15),
        metrics: KitMetrics | None = None,
        exact_end_offsets: bool = False,
    ) -> None:
        self.outbox = outbox
        self.publisher = publisher
        self.reader_factory = reader_factory
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.lease = lease
        self.metrics = metrics
        # True on Apache Kafka: recovery reads to the end offsets instead of until quiet.
        self.exact_end_offsets = exact_end_offsets
        self._offsets: dict[tuple[str, int], int] = {}
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()
        self.outbox.notify()

    async def run(self) -> None:
        """Wait for the lease, recover if needed, then relay until stopped."""
        while not await self.try_acquire():
            if await self._sleep(self.lease.total_seconds() / 3):
                return
        await self.recover()
        failures = 0
        while not self._stopping.is_set():
            try:
                published = await self.relay_once()
            except LeaseLost:
                raise
            except Exception:
                # Broker or database trouble: back off, then recover whatever the failed
                # batch left half-published before trying again. Nothing is lost meanwhile.
                failures += 1
                log.exception("outbox relay failed; retrying", extra={"failures": failures})
                if await self._sleep(min(30.0, 0.5 * 2 ** min(failures, 6))):
                    return
                await self.recover()
                continue
            failures = 0
            if published == 0:
                await self.outbox.wait_for_records(self.poll_interval_s)

    async def try_acquire(self) -> bool:
        now = datetime.now(UTC)
        try:
            state = await self.outbox.state.find_one_and_update(
                {"_id": STATE_ID, "$or": [{"owner": self.owner}, {"lease_until": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "lease_until": now + self.lease}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False  # another live relay holds the lease
        if state is None:
            return False
        self._offsets = {
            (o["topic"], o["partition"]): o["offset"] for o in state.get("offsets", [])
        }
        return True

    async def relay_once(self) -> int:
        """Publish up to one batch; returns how many records were published."""
        docs = await self.outbox.pending(self.batch_size)
        if not docs:
            await self._renew()
            return 0
        await self._set_state({"inflight": True})
        receipt = await self.publisher.send([from_document(d) for d in docs])
        await self._mark_published([d["_id"] for d in docs], receipt)
        if self.metrics is not None:
            for item in receipt.delivered():
                self.metrics.outbox_relayed.labels(item.topic).inc()
            self.metrics.outbox_backlog.set(await self.outbox.backlog())
        return len(docs)

    async def recover(self) -> int:
        """Mark records a crashed predecessor published but did not mark. Returns the count."""
        state = await self.outbox.state.find_one({"_id": STATE_ID}) or {}
        if not state.get("inflight"):
            return 0
        topics = await self.outbox.records.distinct("topic", {"published_at": None})
        found = await self._published_ids(topics)
        now = datetime.now(UTC)
        result = await self.outbox.records.update_many(
            {"published_at": None, "event_id": {"$in": sorted(found)}},
            {"$set": {"published_at": now, "recovered": True}},
        )
        await self._set_state({"inflight": False, "offsets": self._offset_list()})
        log.warning(
            "outbox relay recovered after a crash",
            extra={"already_published": result.modified_count},
        )
        return result.modified_count

    async def _published_ids(self, topics: list[str]) -> set[str]:
        """Event ids on each topic after the last offsets we recorded."""
        found: set[str] = set()
        if not topics:
            return found
        reader = self.reader_factory()
        await reader.start()
        try:
            partitions = [
                TopicPartition(topic, p)
                for topic in topics
                for p in sorted(await self.publisher.producer.partitions_for(topic))
            ]
            start = {tp: self._offsets.get((tp.topic, tp.partition), -1) + 1 for tp in partitions}
            async for record in read_to_end(reader, start, exact=self.exact_end_offsets):
                found.update(v.decode() for k, v in record.headers if k == "ce_id")
                self._advance(record.topic, record.partition, record.offset)
        finally:
            await reader.stop()
        return found

    async def _mark_published(self, ids: list[Any], receipt: Receipt) -> None:
        for (topic, partition), offset in receipt.last_offsets().items():
            self._advance(topic, partition, offset)
        now = datetime.now(UTC)

        async def mark(session: AsyncClientSession) -> None:
            await self.outbox.records.update_many(
                {"_id": {"$in": ids}}, {"$set": {"published_at": now}}, session=session
            )
            await self._set_state(
                {"inflight": False, "offsets": self._offset_list()}, session=session
            )

        async with self.outbox.records.database.client.start_session() as session:
            await session.with_transaction(mark)

    async def _renew(self) -> None:
        await self._set_state({})

    async def _set_state(
        self, fields: dict[str, Any], session: AsyncClientSession | None = None
    ) -> None:
        update = fields | {"lease_until": datetime.now(UTC) + self.lease}
        result = await self.outbox.state.update_one(
            {"_id": STATE_ID, "owner": self.owner}, {"$set": update}, session=session
        )
        if result.matched_count == 0:
            raise LeaseLost(f"relay {self.owner} lost its lease")

    def _advance(self, topic: str, partition: int, offset: int) -> None:
        # The latest acknowledged offset, not the highest ever: an in-memory broker that
        # restarted begins again at 0, and recovery must then read from there.
        self._offsets[(topic, partition)] = offset

    def _offset_list(self) -> list[dict[str, Any]]:
        return [
            {"topic": t, "partition": p, "offset": o} for (t, p), o in sorted(self._offsets.items())
        ]

    async def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopped first; True if stopping."""
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            return False
        return True
