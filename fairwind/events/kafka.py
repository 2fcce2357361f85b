"""Building aiokafka clients from settings, and topic administration."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Mapping

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from fairwind.events.catalog import EventCatalog
from fairwind.settings import ServiceSettings

DLQ_SUFFIX = ".dlq"
_ALREADY_EXISTS = TopicAlreadyExistsError.errno


def dlq_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


def make_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    return AIOKafkaProducer(**settings.producer_options())


def make_consumer(settings: ServiceSettings, group_id: str, *topics: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(*topics, **settings.consumer_options(group_id))


def make_reader(settings: ServiceSettings) -> AIOKafkaConsumer:
    """A group-less consumer for reading partitions by hand (assign + seek)."""
    options = settings.consumer_options(group_id="") | {"group_id": None}
    return AIOKafkaConsumer(**options)


async def read_to_end(
    reader: AIOKafkaConsumer,
    start: Mapping[TopicPartition, int],
    *,
    exact: bool,
    poll_ms: int = 500,
) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """The records of ``reader``'s partitions from ``start``'s offsets to their end.

    ``exact``: up to the end offsets the broker gives when the read starts (Apache Kafka).
    Otherwise until two polls in a row bring nothing, since the embedded broker's
    ``end_offsets()`` can be wrong (``not settings.embedded`` says which)."""
    reader.assign(list(start))
    for tp, offset in start.items():
        reader.seek(tp, offset)
    if exact:
        ends = await reader.end_offsets(list(start))
        behind = [tp for tp, offset in start.items() if offset < ends[tp]]
        while behind:
            for records in (await reader.getmany(*behind, timeout_ms=poll_ms)).values():
                for record in records:
                    yield record
            behind = [tp for tp in behind if await reader.position(tp) < ends[tp]]
        return
    empty_polls = 0
    while empty_polls < 2:
        batch = await reader.getmany(timeout_ms=poll_ms)
        empty_polls = 0 if batch else empty_polls + 1
        for records in batch.values():
            for record in records:
                yield record


async def ensure_topics(
    settings: ServiceSettings,
    partitions: Mapping[str, int],
    replication_factor: int = 1,
    *,
    compacted: Collection[str] = (),
) -> None:
    """Create the topics that do not exist yet (existing ones are left as they are);
    those in ``compacted`` keep the latest record per key (``cleanup.policy=compact``).
    Returns once the broker's metadata shows them all."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap, client_id=settings.client_id
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name,
                num_partitions=count,
                replication_factor=replication_factor,
                topic_configs={"cleanup.policy": "compact"} if name in compacted else None,
            )
            for name, count in partitions.items()
            if name not in existing
        ]
        if wanted:
            response = await admin.create_topics(wanted)
            # Another process may have been first; any other error is one.
            failed = [e for e in response.topic_errors if e[1] not in (0, _ALREADY_EXISTS)]
            if failed:
                raise KafkaError(f"could not create topics: {failed}")
            await _until_visible(admin, [topic.name for topic in wanted])
    finally:
        await admin.close()


async def partition_counts(settings: ServiceSettings, names: Collection[str]) -> dict[str, int]:
    """How many partitions each of ``names`` has, for those that exist."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap, client_id=settings.client_id
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics()) & set(names)
        described = await admin.describe_topics(sorted(existing)) if existing else []
    finally:
        await admin.close()
    return {t["topic"]: len(t["partitions"]) for t in described if t["error_code"] == 0}


async def _until_visible(admin: AIOKafkaAdminClient, names: list[str]) -> None:
    """Until the metadata lists every topic with its partitions: a client that asks just
    after the creation may not find one yet, and Faust then takes a table's changelog for
    one without partitions."""
    deadline = asyncio.get_running_loop().time() + 30
    pending = set(names)
    while pending:
        described = await admin.describe_topics(sorted(pending))
        pending -= {t["topic"] for t in described if t["error_code"] == 0 and t["partitions"]}
        if pending and asyncio.get_running_loop().time() > deadline:
            raise KafkaError(f"topics created but not visible within 30 s: {sorted(pending)}")
        if pending:
            await asyncio.sleep(0.1)


async def ensure_catalog_topics(
    settings: ServiceSettings, catalog: EventCatalog, partitions: int = 3, dlq_partitions: int = 1
) -> None:
    """Every topic of ``catalog`` and its dead-letter topic."""
    topics = catalog.topics()
    await ensure_topics(
        settings,
        dict.fromkeys(topics, partitions) | dict.fromkeys(map(dlq_topic, topics), dlq_partitions),
    )
