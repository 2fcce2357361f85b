"""Running event handlers off Kafka: at-least-once, idempotent, poison-proof.

For each batch the runner decodes every record by its ``ce_type``, skips events its group
has already handled (dedupe on ``ce_id``), calls the handler for the message type with
retries and exponential backoff, sends records that cannot be decoded or keep failing to
``<topic>.dlq`` with error headers, and commits the offsets only once every record of the
batch is handled or dead-lettered. Partitions of a batch are handled concurrently, records
of one partition in order. ``stop()`` drains: the current batch finishes and is committed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError
from google.protobuf.message import Message

from fairwind.events.catalog import PayloadError, UnknownEventType
from fairwind.events.codec import Event, EventCodec
from fairwind.events.dedupe import DedupeStore
from fairwind.events.envelope import EnvelopeError
from fairwind.events.kafka import dlq_topic
from fairwind.metrics import KitMetrics
from fairwind.observability import correlation

log = logging.getLogger(__name__)

Handler = Callable[[Event[Any]], Awaitable[None]]
Record: TypeAlias = ConsumerRecord  # aiokafka ships no type information
_MAX_ERROR_TEXT = 2000


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
        handlers: Mapping[type[Message], Handler],
        dlq_producer: AIOKafkaProducer,
        dedupe: DedupeStore,
        *,
        retry: RetryPolicy | None = None,
        metrics: KitMetrics | None = None,
        poll_timeout_ms: int = 500,
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
        self._stopping = asyncio.Event()

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
        finally:
            await self.consumer.stop()

    async def process(self, batch: Mapping[TopicPartition, list[Record]]) -> None:
        """Handle one ``getmany`` result and commit it."""
        await asyncio.gather(*(self._process_partition(records) for records in batch.values()))
        offsets = {tp: records[-1].offset + 1 for tp, records in batch.items() if records}
        try:
            await self.consumer.commit(offsets)
        except CommitFailedError:
            # The group rebalanced under us; the new owner gets these records again and the
            # dedupe store makes the second delivery a no-op.
            log.warning("commit failed after rebalance", extra={"group": self.group})

    async def _process_partition(self, records: list[Record]) -> None:
        events: list[tuple[Record, Event[Message]]] = []
        for record in records:
            try:
                events.append((record, self._decode(record)))
            except (EnvelopeError, UnknownEventType, PayloadError) as exc:
                await self._dead_letter(record, _Failure("undecodable", exc, 0))
        done = await self.dedupe.seen(self.group, {event.id for _, event in events})
        finished: list[str] = []
        for record, event in events:
            if event.id in done:
                self._count(record.topic, "duplicate")
                continue
            handler = self.handlers.get(type(event.message))
            if handler is None:
                self._count(record.topic, "ignored")
            else:
                failure = await self._handle(handler, event)
                if failure is None:
                    self._count(record.topic, "handled")
                else:
                    await self._dead_letter(record, failure)
            done.add(event.id)
            finished.append(event.id)
        await self.dedupe.remember(self.group, finished)

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
                    if self.metrics is not None:
                        self.metrics.handler_retries.labels(event.topic, self.group).inc()
                    await asyncio.sleep(self.retry.backoff(attempt))
                    continue
                if self.metrics is not None:
                    self.metrics.event_handling.labels(event.topic, self.group).observe(
                        time.perf_counter() - started
                    )
                return None

    async def _dead_letter(self, record: Record, failure: _Failure) -> None:
        error = f"{type(failure.error).__name__}: {failure.error}"[:_MAX_ERROR_TEXT]
        headers = [
            *(record.headers or ()),
            ("dlq_reason", failure.reason.encode()),
            ("dlq_error", error.encode()),
            ("dlq_attempts", str(failure.attempts).encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_consumer_group", self.group.encode()),
            ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
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
                "error": error,
            },
        )
        self._count(record.topic, "dead_lettered")
        if self.metrics is not None:
            self.metrics.dead_lettered.labels(record.topic, self.group, failure.reason).inc()

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
