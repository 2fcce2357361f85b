"""Which local broker a machine gets, and Apache Kafka's one-node configuration."""

import base64
from pathlib import Path

import pytest

from fairwind.infra.broker import BrokerKind, Toolchain, choose, java_major
from fairwind.infra.kafka import new_cluster_id, server_properties
from fairwind.infra.processes import InfraError

READY = Toolchain(java_major=17, jars=True, maven=True)


@pytest.mark.parametrize(
    ("tools", "kind"),
    [
        (READY, BrokerKind.KAFKA),
        (Toolchain(21, jars=True, maven=False), BrokerKind.KAFKA),
        (Toolchain(17, jars=False, maven=True), BrokerKind.KAFKA),  # fetched on first start
        (Toolchain(None, jars=True, maven=True), BrokerKind.TANSU),  # Python alone
        (Toolchain(11, jars=True, maven=True), BrokerKind.TANSU),  # too old for Kafka 4
        (Toolchain(17, jars=False, maven=False), BrokerKind.TANSU),  # nothing to fetch with
    ],
)
def test_auto_picks_kafka_only_where_it_can_run(tools: Toolchain, kind: BrokerKind) -> None:
    assert choose("auto", tools) is kind
    assert choose("", tools) is kind


def test_tansu_can_be_insisted_on() -> None:
    assert choose("tansu", READY) is BrokerKind.TANSU
    assert choose(" Tansu ", READY) is BrokerKind.TANSU


def test_kafka_insisted_on_without_java_says_why() -> None:
    with pytest.raises(InfraError, match="no java on PATH"):
        choose("kafka", Toolchain(None, jars=True, maven=True))
    with pytest.raises(InfraError, match="version 11"):
        choose("kafka", Toolchain(11, jars=True, maven=True))


def test_an_unknown_broker_is_refused() -> None:
    with pytest.raises(InfraError, match="auto, kafka or tansu"):
        choose("rabbitmq", READY)


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_402"', 8),
        ("bash: java: command not found", None),
    ],
)
def test_java_major_version(output: str, major: int | None) -> None:
    assert java_major(output) == major


def test_one_node_cluster_needs_no_other_replica() -> None:
    props = server_properties(Path("/data/kafka/logs"), "127.0.0.1", 9092, 9093)
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9092"
    replication = [k for k in props if "replication.factor" in k or k.endswith("min.isr")]
    assert len(replication) >= 5
    assert all(props[k] == "1" for k in replication)
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["auto.create.topics.enable"] == "false"  # topics are made on purpose
    assert props["log.dirs"] == "/data/kafka/logs"


def test_cluster_ids_are_sixteen_random_bytes() -> None:
    ids = {new_cluster_id() for _ in range(20)}
    assert len(ids) == 20
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids)


def test_a_cluster_id_never_starts_like_an_option() -> None:
    # One in 64 random ids starts with "-", which the storage tool took for an option
    # ("argument --cluster-id/-t: expected one argument"): formatting failed at random.
    assert not any(new_cluster_id().startswith("-") for _ in range(2000))
