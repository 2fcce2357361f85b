"""The SLA worker takes its partition count from input topics that exist already."""

from __future__ import annotations

import pytest

from fairwind.events.kafka import ensure_topics, partition_counts
from fairwind.infra.pytest_plugin import InfraEndpoints
from services.sla.__main__ import matching_partitions
from services.sla.settings import SlaSettings

pytestmark = pytest.mark.integration


@pytest.fixture
def sla_settings(infra: InfraEndpoints, unique_name: str) -> SlaSettings:
    return infra.service_settings(SlaSettings, unique_name, kafka_partitions=4)


async def test_existing_inputs_decide_the_partition_count(
    sla_settings: SlaSettings, unique_name: str
) -> None:
    inputs = [f"{unique_name}.a.v1", f"{unique_name}.b.v1"]
    assert await partition_counts(sla_settings, inputs) == {}
    assert (await matching_partitions(sla_settings, inputs)).kafka_partitions == 4  # none yet

    await ensure_topics(sla_settings, dict.fromkeys(inputs, 6))
    assert await partition_counts(sla_settings, [*inputs, "absent"]) == dict.fromkeys(inputs, 6)
    assert (await matching_partitions(sla_settings, inputs)).kafka_partitions == 6


async def test_inputs_that_disagree_stop_the_worker(
    sla_settings: SlaSettings, unique_name: str
) -> None:
    inputs = [f"{unique_name}.a.v1", f"{unique_name}.b.v1"]
    await ensure_topics(sla_settings, {inputs[0]: 2, inputs[1]: 3})
    with pytest.raises(SystemExit, match="differ in partition count"):
        await matching_partitions(sla_settings, inputs)
