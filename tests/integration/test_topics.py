"""Topic administration on the real broker: missing topics made with their partitions and
visible at once, existing ones left alone, changelog-style topics compacted (Kafka)."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from fairwind.events.kafka import ensure_topics
from fairwind.infra.pytest_plugin import InfraEndpoints
from fairwind.settings import BrokerProfile, ServiceSettings

pytestmark = pytest.mark.integration


async def partitions(admin: AIOKafkaAdminClient, *names: str) -> dict[str, int]:
    return {t["topic"]: len(t["partitions"]) for t in await admin.describe_topics(list(names))}


async def cleanup_policies(admin: AIOKafkaAdminClient, *names: str) -> dict[str, str]:
    """Each topic's ``cleanup.policy`` (Tansu does not answer DescribeConfigs)."""
    wanted = {"cleanup.policy": None}
    responses = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name, wanted) for name in names]
    )
    return {
        resource[3]: {entry[0]: entry[1] for entry in resource[4]}["cleanup.policy"]
        for response in responses
        for resource in response.resources
    }


async def test_missing_topics_are_made_and_existing_ones_kept(
    infra: InfraEndpoints, settings: ServiceSettings, unique_name: str
) -> None:
    events, changelog = f"{unique_name}.v1", f"{unique_name}-table-changelog"
    await ensure_topics(settings, {events: 4})
    await ensure_topics(settings, {events: 8, changelog: 5}, compacted={changelog})

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        # Visible as soon as ensure_topics returns; the existing topic keeps its 4.
        assert await partitions(admin, events, changelog) == {events: 4, changelog: 5}
        if infra.broker_profile is BrokerProfile.KAFKA:
            policies = await cleanup_policies(admin, events, changelog)
            assert policies == {events: "delete", changelog: "compact"}
    finally:
        await admin.close()
