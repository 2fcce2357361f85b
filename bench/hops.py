"""Where an order's time goes on the way to tracking, hop by hop.

After an end-to-end run, every accepted waybill has five wall-clock instants, read from
the platform's own records rather than from instrumentation added for the benchmark:

- ``sent``: when the client's request was due (open loop), ``accepted``: its 201;
- ``ordered``: the Kafka timestamp of its OrderCreated (the orders relay's send);
- ``planned``: when routing stored its RoutePlanned in the outbox (routing's transaction);
- ``routed``: the Kafka timestamp of its RoutePlanned (the routing relay's send);
- ``visible``: when tracking's shipment got the route (the benchmark's change stream).

All processes run on one machine, so the clocks agree to well under a millisecond.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition
from pymongo import AsyncMongoClient

from fairwind.events.kafka import make_producer, make_reader, read_to_end
from fairwind.settings import ServiceSettings

HOPS = (
    ("HTTP: request -> 201 (validation, quote, transaction)", "sent", "accepted"),
    ("orders relay: 201 -> OrderCreated on the broker", "accepted", "ordered"),
    ("routing: broker -> route stored (poll, plan, transaction)", "ordered", "planned"),
    ("routing relay: stored -> RoutePlanned on the broker", "planned", "routed"),
    ("tracking: broker -> route visible (poll, transaction)", "routed", "visible"),
    ("end to end: 201 -> route visible", "accepted", "visible"),
)
ORDER_CREATED = b"fairwind.orders.v1.OrderCreated"
ROUTE_PLANNED = b"fairwind.routes.v1.RoutePlanned"
TOPICS = ("fairwind.orders.v1", "fairwind.routes.v1")


@dataclass
class Journeys:
    """The instants of each waybill (unix seconds), filled in as they are learnt."""

    instants: dict[str, dict[str, float]] = field(default_factory=dict)

    def saw(self, waybill: str, instant: str, at: float) -> None:
        self.instants.setdefault(waybill, {}).setdefault(instant, at)

    def seen(self) -> dict[str, int]:
        """How many waybills have each instant (a hop without data shows why)."""
        counts: dict[str, int] = {}
        for instants in self.instants.values():
            for name in instants:
                counts[name] = counts.get(name, 0) + 1
        return counts

    def complete(self) -> list[dict[str, float]]:
        wanted = {name for _, a, b in HOPS for name in (a, b)}
        return [i for i in self.instants.values() if wanted <= set(i)]


async def read_broker_times(
    settings: ServiceSettings, journeys: Journeys, waybills: Iterable[str]
) -> None:
    """The Kafka timestamps of each waybill's OrderCreated and first RoutePlanned."""
    wanted = set(waybills)
    producer = make_producer(settings)  # the public way to a topic's partitions
    await producer.start()
    try:
        counts = {t: len(await producer.partitions_for(t)) for t in TOPICS}
    finally:
        await producer.stop()
    for topic, kind, instant in (
        ("fairwind.orders.v1", ORDER_CREATED, "ordered"),
        ("fairwind.routes.v1", ROUTE_PLANNED, "routed"),
    ):
        reader = make_reader(settings)
        await reader.start()
        try:
            start = {TopicPartition(topic, p): 0 for p in range(counts[topic])}
            async for record in read_to_end(reader, start, exact=not settings.embedded):
                waybill = (record.key or b"").decode()
                if waybill in wanted and dict(record.headers).get("ce_type") == kind:
                    journeys.saw(waybill, instant, record.timestamp / 1000)
        finally:
            await reader.stop()


async def read_outbox_times(
    mongo: AsyncMongoClient[dict[str, Any]], journeys: Journeys, waybills: Iterable[str]
) -> None:
    """When routing stored each waybill's RoutePlanned (its outbox record's creation)."""
    keys = [w.encode() for w in waybills]
    outbox = mongo["fairwind_routing"]["outbox"]
    for start in range(0, len(keys), 5000):
        found = outbox.find(
            {"event_type": ROUTE_PLANNED.decode(), "key": {"$in": keys[start : start + 5000]}},
            {"key": 1, "created_at": 1},
        )
        async for doc in found:
            journeys.saw(bytes(doc["key"]).decode(), "planned", doc["created_at"].timestamp())


def hop_table(runs: Mapping[float, Journeys]) -> str:
    """p50 / p99 milliseconds of each hop, one column pair per offered rate."""
    rates = sorted(runs)
    head = f"| hop | {' | '.join(f'{r:.0f}/s p50 | {r:.0f}/s p99' for r in rates)} |"
    lines = [head, "|---|" + "---:|" * (2 * len(rates))]
    for label, start, end in HOPS:
        cells = []
        for rate in rates:
            spans = sorted(j[end] - j[start] for j in runs[rate].complete())
            cells += [_ms(spans, 0.5), _ms(spans, 0.99)]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    counts = " / ".join(f"{len(runs[r].complete())} at {r:.0f}/s" for r in rates)
    seen = {r: runs[r].seen() for r in rates}
    known = "; ".join(f"{r:.0f}/s: {seen[r]}" for r in rates)
    return "\n".join([*lines, f"(waybills with every instant: {counts}; instants seen {known})"])


def _ms(spans: list[float], quantile: float) -> str:
    if not spans:
        return "n/a"
    return f"{spans[min(len(spans) - 1, int(quantile * len(spans)))] * 1000:.0f} ms"
