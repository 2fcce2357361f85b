"""Running event handlers off Kafka: at-least-once, idempotent, poison-proof.

For each poll the runner decodes every record by its ``ce_type``, skips events its group
has already handled (one dedupe query per poll, on ``ce_id``), calls the handler for
the message type with retries and exponential backoff, sends records that cannot be decoded
or keep failing to ``<topic>.dlq`` with error headers, and commits the offsets only once
every record of the poll is handled or dead-lettered. Records of one partition are handled
in order. ``stop()`` drains: the poll in hand finishes and is committed.

With ``commit_interval_s`` above zero, handled offsets are committed at most that often,
whenever a poll comes back empty, and when the runner stops, instead of after every
poll. At a low rate a poll brings one record, and a commit per record (per group) was a
large share of the broker's work. A crash loses no event either way: what was handled but
not committed comes back, and the dedupe store makes the second delivery a no-op.

Two kinds of handler:
- a per-event ``Handler`` gets one event at a time (partitions side by side);
- a ``Batched`` handler gets the events of its type from one poll at once, every
  partition's together (``waves.py``: each key's order is kept, types go in the order the
  handlers are given), so it can do one query, one bulk write and one transaction for all. If the
  batch fails, it is tried once more, then split in halves until the failing event stands
  alone; that one gets the full retry policy and is dead-lettered if it keeps failing. A
  batch handler should be all-or-nothing (one transaction), so that splitting never
  re-applies a neighbour; if it is not, it must be idempotent, as every handler here is.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError
from google.protobuf.message import Message

from fairwind.events.catalog import PayloadError, UnknownEventType
from fairwind.events.codec import Event, EventCodec
from fairwind.events.deadletter import Origin, dead_letter_headers, error_text
from fairwind.events.dedupe import DedupeStore
from fairwind.events.envelope import EnvelopeError
from fairwind.events.kafka import dlq_topic
from fairwind.events.waves import waves
from fairwind.metrics import KitMetrics
from fairwind.observability import correlation

log = logging.getLogger(__name__)

Handler = Callable[[Event[Any]], Awaitable[None]]
BatchHandler = Callable[[Sequence[Event[Any]]], Awaitable[None]]
Record: TypeAlias = ConsumerRecord  # aiokafka ships no type information
Item = tuple[Record, Event[Message]]


@dataclass(frozen=True, slots=True)
class Batched:
    """A handler taking a poll's events of one type at once (each key's in order)."""

    handle: BatchHandler


class PermanentError(Exception):
    """Raised by a handler when retrying cannot help: the event is dead-lettered at once."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    initial_backoff_s: float = 0.05
    max_backoff_s: float = 2.0

    def backoff(self, failed_attempts: int) -> float:
        return float(min(self.max_backoff_s, self.initial_backoff_s * 2 ** (failed_attempts - 1)))


@dataclass(frozen=True, slots=True)
class _Failure:
    reason: str
    error: BaseException
    attempts: int


class ConsumerRunner:
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        group: str,
        codec: EventCodec,
        handlers: Mapping[type[Message], Handler | Batched],
        dlq_producer: AIOKafkaProducer,
        dedupe: DedupeStore,
        *,
        retry: RetryPolicy | None = None,
        metrics: KitMetrics | None = None,
        poll_timeout_ms: int = 500,
        commit_interval_s: float = 0.0,
    ) -> None:
        self.consumer = consumer
        self.group = group
        self.codec = codec
        self.handlers = dict(handlers)
        self.dlq_producer = dlq_producer
        self.dedupe = dedupe
        self.retry = retry or RetryPolicy()
        self.metrics = metrics
        self.poll_timeout_ms = poll_timeout_ms
        self.commit_interval_s = commit_interval_s
        self._stopping = asyncio.Event()
        self._handled: dict[TopicPartition, int] = {}  # next offsets, not committed yet
        self._committed_at = time.monotonic()

    def stop(self) -> None:
        """Finish the batch in hand, commit it, then return from ``run``."""
        self._stopping.set()

    async def run(self) -> None:
        await self.consumer.start()
        try:
            while not self._stopping.is_set():
                batch = await self.consumer.getmany(timeout_ms=self.poll_timeout_ms)
                if batch:
                    await self.process(batch)
                elif self._handled:
                    await self.commit()  # idle: nothing is gained by waiting
        finally:
            try:
                await self.commit()
            finally:
                await self.consumer.stop()

    async def process(self, batch: Mapping[TopicPartition, list[Record]]) -> None:
        """Handle one ``getmany`` result and commit it."""
        partitions = [await self._decoded(records) for records in batch.values()]
        # One dedupe query and one record of what was handled per poll, not per partition.
        done = await self.dedupe.seen(self.group, {e.id for items in partitions for _, e in items})
        fresh = [self._unseen(items, done) for items in partitions]
        for wave in waves(fresh, _kind, _key, rank=list(self.handlers)):
            for kind, items in wave.items():
                await self._dispatch(self.handlers.get(kind), items)
        await self.dedupe.remember(self.group, [e.id for items in fresh for _, e in items])
        self._handled.update(
            {tp: records[-1].offset + 1 for tp, records in batch.items() if records}
        )
        if time.monotonic() - self._committed_at >= self.commit_interval_s:
            await self.commit()

    async def commit(self) -> None:
        """Commit the offsets handled so far, of the partitions this runner still owns."""
        owned = self.consumer.assignment()
        offsets = {tp: offset for tp, offset in self._handled.items() if tp in owned}
        self._handled.clear()
        self._committed_at = time.monotonic()
        if not offsets:
            return
        try:
            await self.consumer.commit(offsets)
        except CommitFailedError:
            # The group rebalanced under us; the new owner gets these records again and the
            # dedupe store makes the second delivery a no-op.
            log.warning("commit failed after rebalance", extra={"group": self.group})

    async def _decoded(self, records: list[Record]) -> list[Item]:
        items: list[Item] = []
        for record in records:
            try:
                items.append((record, self._decode(record)))
            except (EnvelopeError, UnknownEventType, PayloadError) as exc:
                await self._dead_letter(record, _Failure("undecodable", exc, 0))
        return items

    def _unseen(self, items: list[Item], done: set[str]) -> list[Item]:
        fresh: list[Item] = []
        for record, event in items:
            if event.id in done:  # handled before, or twice in this poll
                self._count(record.topic, "duplicate")
            else:
                done.add(event.id)
                fresh.append((record, event))
        return fresh

    async def _dispatch(self, handler: Handler | Batched | None, run: list[Item]) -> None:
        if handler is None:
            for record, _ in run:
                self._count(record.topic, "ignored")
        elif isinstance(handler, Batched):
            await self._handle_batch(handler.handle, run, retried=False)
        else:  # one at a time within a partition, partitions side by side
            by_partition: dict[int, list[Item]] = {}
            for item in run:
                by_partition.setdefault(item[0].partition, []).append(item)
            await asyncio.gather(
                *(self._one_by_one(handler, items) for items in by_partition.values())
            )

    async def _one_by_one(self, handler: Handler, items: list[Item]) -> None:
        for record, event in items:
            await self._settle(record, await self._handle(handler, event))

    async def _handle_batch(self, handle: BatchHandler, run: list[Item], *, retried: bool) -> None:
        if len(run) == 1:
            record, event = run[0]
            failure = await self._handle(lambda one: handle([one]), event)
            await self._settle(record, failure)
            return
        started = time.perf_counter()
        try:
            await handle([event for _, event in run])
        except Exception as exc:
            log.warning(
                "batch failed; isolating the culprit",
                extra={"group": self.group, "size": len(run), "error": error_text(exc)},
            )
            self._retried(run[0][0].topic)
            if not retried:  # a passing fault (a failover, a conflict): the whole batch again
                await asyncio.sleep(self.retry.backoff(1))
                await self._handle_batch(handle, run, retried=True)
                return
            middle = len(run) // 2
            await self._handle_batch(handle, run[:middle], retried=True)
            await self._handle_batch(handle, run[middle:], retried=True)
            return
        if self.metrics is not None:
            topic = run[0][0].topic
            self.metrics.batch_handling.labels(topic, self.group).observe(
                time.perf_counter() - started
            )
            self.metrics.batch_size.labels(topic, self.group).observe(len(run))
        for record, _ in run:
            self._count(record.topic, "handled")

    async def _settle(self, record: Record, failure: _Failure | None) -> None:
        if failure is None:
            self._count(record.topic, "handled")
        else:
            await self._dead_letter(record, failure)

    def _decode(self, record: Record) -> Event[Message]:
        return self.codec.decode(
            record.topic,
            record.key,
            record.value,
            record.headers,
            partition=record.partition,
            offset=record.offset,
        )

    async def _handle(self, handler: Handler, event: Event[Message]) -> _Failure | None:
        attempt = 0
        with correlation(event.envelope.traceparent, event.id):
            while True:
                attempt += 1
                started = time.perf_counter()
                try:
                    await handler(event)
                except PermanentError as exc:
                    return _Failure("rejected", exc, attempt)
                except Exception as exc:
                    if attempt >= self.retry.max_attempts:
                        log.exception("handler failed, dead-lettering", extra=_where(event))
                        return _Failure("handler_failed", exc, attempt)
                    self._retried(event.topic)
                    await asyncio.sleep(self.retry.backoff(attempt))
                    continue
                if self.metrics is not None:
                    self.metrics.event_handling.labels(event.topic, self.group).observe(
                        time.perf_counter() - started
                    )
                return None

    async def _dead_letter(self, record: Record, failure: _Failure) -> None:
        origin = Origin(record.topic, record.partition, record.offset, self.group)
        headers = dead_letter_headers(
            record.headers, origin, failure.reason, failure.error, failure.attempts
        )
        # If this raises, nothing is committed and the record comes back: never lost.
        await self.dlq_producer.send_and_wait(
            dlq_topic(record.topic), value=record.value, key=record.key, headers=headers
        )
        log.warning(
            "event dead-lettered",
            extra={
                "topic": record.topic,
                "offset": record.offset,
                "reason": failure.reason,
                "error": error_text(failure.error),
            },
        )
        self._count(record.topic, "dead_lettered")
        if self.metrics is not None:
            self.metrics.dead_lettered.labels(record.topic, self.group, failure.reason).inc()

    def _retried(self, topic: str) -> None:
        if self.metrics is not None:
            self.metrics.handler_retries.labels(topic, self.group).inc()

    def _count(self, topic: str, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.events_consumed.labels(topic, self.group, outcome).inc()


def _where(event: Event[Message]) -> dict[str, Any]:
    return {
        "topic": event.topic,
        "partition": event.partition,
        "offset": event.offset,
        "ce_id": event.id,
        "ce_type": event.type,
    }


def _kind(item: Item) -> type[Message]:
    return type(item[1].message)


def _key(item: Item) -> str | None:
    return item[1].key
