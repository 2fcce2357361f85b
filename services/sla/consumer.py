"""The SLA worker's agent: one stream over the order, route and tracking topics (plus a tick
topic for timers), moving each shipment's clocks in the ``sla-shipments`` table, counting
outcomes in ``sla-counts-local``, publishing SlaAtRisk / Breached / Met, and dead-lettering
what it cannot use with the kit's headers. Timers fire on ticks, in the partition's own
stream, so their table writes stay in the partition's changelog order.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fairwind.events.batches import Outgoing, submit
from fairwind.events.catalog import PayloadError, UnknownEventType
from fairwind.events.deadletter import Origin, dead_letter_headers
from fairwind.events.envelope import EnvelopeError
from fairwind.events.kafka import dlq_topic
from fairwind.events.partitioning import partition_for
from fairwind.v1 import orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.sla.clock import tick_time, tick_value
from services.sla.domain import Shipment
from services.sla.metrics import BatchCounter
from services.sla.processing import Unprocessable, count_key, outcome_id, outcome_message
from services.sla.stored import State, encode_state, load_state
from services.sla.timers import TimerIndex
from services.sla.views import compliance_snapshot
from services.sla.writes import BatchWrites

if TYPE_CHECKING:
    from services.sla.bootstrap import SlaApp

log = logging.getLogger(__name__)
HANDLED = (
    orders_pb2.OrderCreated,
    orders_pb2.OrderCancelled,
    routes_pb2.RoutePlanned,
    routes_pb2.RouteReplanned,
    tracking_pb2.ShipmentStatusChanged,
)
TICK_HEADER = "fw-sla-tick"
PUBLISHED = ("at_risk", "breached", "met")
COUNTED = ("met", "breached", "unbreached")
# Hands records to the producer (queued, not waited for: Faust's commit waits for them).
Produce = Callable[[list[Outgoing]], Awaitable[None]]


class SlaAgent:
    """What the stream, the ticks and the snapshot timer do, over the app's tables."""

    def __init__(self, sla: SlaApp, produce: Produce | None = None) -> None:
        self.settings = sla.settings
        self.app = sla.app
        self.codec = sla.codec
        self.clock = sla.clock
        self.metrics = sla.metrics
        self.processor = sla.processor
        self.shipments = sla.shipments
        self.counts = sla.counts
        self.ticks = sla.ticks
        self.ticks_name = sla.ticks_name
        self.input_names = sla.input_names
        self.produce: Produce = produce or self._produce
        self.timers = TimerIndex()
        self.outgoing: list[Outgoing] = []  # the batch's dead letters
        self._outcomes: list[tuple[Any, str]] = []  # the batch's messages to publish
        self._outcome_ids: list[str] = []
        self.states = BatchWrites(sla.shipments, load_state, encode_state)
        self.tallies = BatchWrites(sla.local_counts)
        self.marks = BatchWrites(sla.clock_marks)
        self._writes = (self.states, self.tallies, self.marks)
        self.handled = 0  # messages whose batch is done (tests wait on it)
        self._indexed: set[int] = set()
        self._newest_event: datetime | None = None
        self._events = BatchCounter(sla.metrics.events)
        self._outcome_kinds = BatchCounter(sla.metrics.outcomes)
        self._counters = (self._events, self._outcome_kinds)

    async def process(self, stream: Any) -> None:
        """Events in batches: each shipment, count and clock mark changed in a batch is
        written once, at its end (see writes.py), which a backlog's full batches gain most
        from; a quiet stream's batch closes after ``batch_within_s``."""
        settings = self.settings
        batches = stream.take_events(settings.batch_max, within=settings.batch_within_s)
        async for batch in batches:
            await self.handle_batch([event.message for event in batch])

    async def handle_batch(self, messages: list[Any]) -> None:
        """What the batch produced (outcomes, dead letters, changelogs) goes to the producer
        in one batch per partition; the tables' stores take the writes once it has them."""
        try:
            for message in messages:
                self.on_message(message)
            records = self.outgoing
            if self._outcomes:  # one envelope time for the batch
                encoded = self.codec.encode_many(self._outcomes, event_ids=self._outcome_ids)
                records += [Outgoing(e.topic, e.key, e.value, e.headers) for e in encoded]
            for writes in self._writes:
                records += writes.records()
            await self.produce(records)
        except BaseException:
            for writes in self._writes:
                writes.discard()
            for counter in self._counters:
                counter.discard()
            raise
        finally:
            self.outgoing, self._outcomes, self._outcome_ids = [], [], []
        for writes in self._writes:
            writes.apply()
        for counter in self._counters:
            counter.commit()
        if self._newest_event is not None:
            self.metrics.lag.set((datetime.now(UTC) - self._newest_event).total_seconds())
        self.handled += len(messages)

    def on_message(self, message: Any) -> None:
        if message.partition not in self._indexed:
            self._index(message.partition)
        headers = _headers(message.headers)
        if headers and headers[0][0] == TICK_HEADER:  # a tick carries that header alone
            self.on_tick(message.partition, message.value)
        else:
            self.on_event(message, headers)

    def on_event(self, message: Any, headers: list[tuple[str, bytes]]) -> None:
        try:
            decoded = self.codec.decode(message.topic, message.key, message.value, headers)
        except (EnvelopeError, UnknownEventType, PayloadError) as exc:
            self.dead_letter(message, headers, "undecodable", exc)
            return
        if not isinstance(decoded.message, HANDLED) or not decoded.key:
            return
        waybill = decoded.key
        try:
            state, outcomes = self.processor.handle(self.states.get(waybill), decoded)
        except Unprocessable as exc:
            self.dead_letter(message, headers, exc.reason, exc)
            return
        partition = message.partition
        if state is not None:
            self.states.set(partition, waybill, state)
            self.timers.schedule(partition, waybill, self.processor.due(state))  # _remember
        if outcomes:
            self.emit(partition, waybill, state, outcomes)
        self._events.add(type(decoded.message).__name__)
        self._newest_event = decoded.envelope.time

    def on_tick(self, partition: int, value: bytes | None = None) -> None:
        """Timers run here, in the stream of the partition, so table writes are allowed.

        In event mode a tick carries its sender's clock: a worker whose own partitions are
        quiet moves on with the others."""
        if self.clock.mode == "event":
            self._mark_clock(partition, tick_time(value))
        now = self.clock.timer_now()
        if now is None:
            return
        for waybill in self.timers.pop_due(partition, now):
            state = self.states.get(waybill)
            if state is None:
                continue
            if not isinstance(state, Shipment):  # only early events, waiting for their order
                if self.processor.expire(state):
                    self.drop_orphan(partition, waybill, state)
                else:  # looked at again on every tick until the order or the wait ends
                    self.timers.schedule(partition, waybill, now)
                continue
            state, outcomes = self.processor.tick(state)
            if outcomes:
                self.states.set(partition, waybill, state)
            self._remember(partition, waybill, state)
            self.emit(partition, waybill, state, outcomes)

    def drop_orphan(self, partition: int, waybill: str, state: dict[str, Any]) -> None:
        """Early events whose order never came: dead-lettered, then forgotten."""
        for early in state["pending"]:
            headers = [("ce_type", early["ce_type"].encode()), ("ce_specversion", b"1.0")]
            record = _Orphan(self.input_names[-1], waybill.encode(), bytes.fromhex(early["value"]))
            self.dead_letter(
                record,
                headers,
                "unknown_waybill",
                LookupError(f"no order for {waybill} within the grace"),
            )
        self.states.delete(partition, waybill)

    def _remember(self, partition: int, waybill: str, state: State) -> None:
        self.timers.schedule(partition, waybill, self.processor.due(state))

    def on_revoked(self, sender: Any, *args: Any, **kwargs: Any) -> None:
        self.forget_partitions(args[0] if args else ())

    def forget_partitions(self, revoked: Iterable[Any]) -> None:
        """A revoked partition may come back changed by another worker: its timer index is
        rebuilt from the table on its next tick."""
        for tp in revoked:
            if tp.topic == self.ticks_name or tp.topic in self.input_names:
                self._indexed.discard(tp.partition)
                self.timers.forget(tp.partition)

    def _mark_clock(self, partition: int, seen: datetime | None) -> None:
        """Take the clock a tick carries, and record in the partition's mark where the clock
        stands: written in the same step as the breaches this tick may count, so a restart
        never resumes behind them."""
        if seen is not None:
            self.clock.saw(seen)
        newest = self.clock.newest
        if newest is not None and self.marks.get(partition) != newest.isoformat():
            self.marks.set(partition, partition, newest.isoformat())

    def _index(self, partition: int) -> None:
        """After a restart or rebalance: rebuild the timer index from the recovered table,
        and move the event clock on to where the partition's mark left it."""
        mark = tick_time((self.marks.get(partition) or "").encode())
        if mark is not None and self.clock.mode == "event":
            self.clock.saw(mark)
        count = self.settings.kafka_partitions
        for waybill, raw in self.shipments.items():
            if partition_for(waybill.encode(), count) != partition:
                continue
            state = load_state(raw)
            if state is not None:
                self._remember(partition, waybill, state)
        self._indexed.add(partition)

    def emit(
        self, partition: int, waybill: str, shipment: State | None, outcomes: list[Any]
    ) -> None:
        if not outcomes or not isinstance(shipment, Shipment):
            return
        tallies, kinds = self.tallies, self._outcome_kinds
        for outcome in outcomes:
            kind = outcome.kind
            if kind in PUBLISHED:  # a correction is told by the SlaMet that follows
                self._outcomes.append((outcome_message(shipment, outcome), waybill))
                self._outcome_ids.append(outcome_id(waybill, outcome))
            kinds.add(outcome.sla, kind)
            if kind in COUNTED:
                key = count_key(partition, shipment, outcome)
                value = tallies.get(key) + 1
                tallies.set(partition, key, value)
                self.counts.merge(key, value)  # read-your-writes

    async def _produce(self, records: list[Outgoing]) -> None:
        # Faust's own aiokafka producer, so its commit (which flushes it) waits for these.
        producer: Any = self.app.producer
        await submit(producer._ensure_producer(), records)

    def dead_letter(
        self, message: Any, headers: list[tuple[str, bytes]], reason: str, error: BaseException
    ) -> None:
        self.metrics.rejected.labels(reason).inc()
        origin = Origin(
            str(message.topic),
            getattr(message, "partition", -1),
            getattr(message, "offset", -1),
            self.app.conf.id,
        )
        dead = dead_letter_headers(headers, origin, reason, error, attempts=1)
        self.outgoing.append(Outgoing(dlq_topic(origin.topic), message.key, message.value, dead))

    # --- timers ----------------------------------------------------------------------------

    async def send_ticks(self) -> None:
        if self.clock.mode == "event" and self.clock.newest is None:
            return  # a tick without a clock tells no one anything, and would hide the last one
        value = tick_value(self.clock)
        for partition in range(self.settings.kafka_partitions):
            await self.ticks.send(
                key=b"tick", value=value, partition=partition, headers=[(TICK_HEADER, b"1")]
            )

    async def publish_snapshot(self) -> None:
        try:
            await self._snapshot()
        except Exception:  # a failed snapshot must not stop the worker
            log.exception("compliance snapshot failed")

    async def _snapshot(self) -> None:
        snapshot = compliance_snapshot(self.counts.items(), self.clock.now(), datetime.now(UTC))
        for row in snapshot.rows:
            if row.dimension == sla_pb2.COMPLIANCE_DIMENSION_OUTLET and row.met + row.breached:
                sla = sla_pb2.SlaKind.Name(row.sla).removeprefix("SLA_KIND_").lower()
                self.metrics.compliance.labels(sla, row.dimension_value).set(row.compliance_ratio)
        encoded = self.codec.encode(snapshot, "compliance")
        await self.produce([Outgoing(encoded.topic, encoded.key, encoded.value, encoded.headers)])


@dataclass(frozen=True)
class _Orphan:
    topic: str
    key: bytes
    value: bytes


def _headers(raw: Any) -> list[tuple[str, bytes]]:
    """The record's headers as (name, bytes) pairs: as the consumer gives them, when they
    are (the usual case), else converted."""
    if raw is None:
        return []
    if isinstance(raw, list | tuple):
        for _, value in raw:  # a loop: ``all`` over a generator costs twice as much
            if type(value) is not bytes:
                break
        else:
            return raw  # type: ignore[return-value]  # a tuple of pairs reads the same
    items = raw.items() if isinstance(raw, dict) else raw
    return [
        (name, value if isinstance(value, bytes) else str(value).encode()) for name, value in items
    ]
