"""Pytest fixtures for real infrastructure, started once per test run.

Order of preference:
1. ``FAIRWIND_KAFKA_BOOTSTRAP`` and ``FAIRWIND_MONGO_URL`` set: use those (any Kafka/MongoDB).
2. ``FAIRWIND_TESTCONTAINERS=1`` and Docker reachable: Kafka (KRaft) and MongoDB containers.
3. Otherwise local processes (``LocalInfra``): Apache Kafka where a JDK is, else Tansu
   (``FAIRWIND_LOCAL_BROKER`` overrides), and mongod from the ``embedded`` extra. The run's
   header says which broker.

Tests isolate themselves with ``unique_name`` (topics, groups, databases), so one broker and
one mongod serve the whole run.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest

from fairwind.events.kafka import ensure_catalog_topics
from fairwind.infra.broker import broker_line, planned_broker, select_broker
from fairwind.infra.local import LocalInfra
from fairwind.infra.processes import InfraError
from fairwind.platform import Platform
from fairwind.rpc import GrpcServer
from fairwind.settings import BrokerProfile, ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


class ServiceApp(Protocol):
    """What every service's ``bootstrap()`` returns, as far as the tests' set-up needs."""

    @property
    def platform(self) -> Platform: ...

    async def close(self) -> None: ...


A = TypeVar("A", bound=ServiceApp)


@dataclass(frozen=True)
class InfraEndpoints:
    kafka_bootstrap: str
    mongo_url: str
    broker_profile: BrokerProfile

    def env(self) -> dict[str, str]:
        return {
            "FAIRWIND_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "FAIRWIND_MONGO_URL": self.mongo_url,
            "FAIRWIND_BROKER_PROFILE": self.broker_profile.value,
        }

    def service_settings(self, settings_class: type[S], database: str, **overrides: Any) -> S:
        """A service's settings on this infrastructure: its own database, an ephemeral gRPC
        port, and on Tansu consumer timeouts short enough that a test's group settles
        quickly (it holds JoinGroup for half the session; Kafka answers at once)."""
        values: dict[str, Any] = {
            "kafka_bootstrap": self.kafka_bootstrap,
            "mongo_url": self.mongo_url,
            "broker_profile": self.broker_profile,
            "mongo_db": database,
            "grpc_port": 0,
        }
        if self.broker_profile is BrokerProfile.EMBEDDED:
            values |= {"kafka_session_timeout_ms": 2000, "kafka_heartbeat_interval_ms": 500}
        return settings_class(**(values | overrides))


@asynccontextmanager
async def serving(app: A, grpc: GrpcServer | None = None) -> AsyncIterator[A]:
    """A bootstrapped service on the test infrastructure: its catalog's topics and DLQs made,
    its gRPC server (if given) started; afterwards stopped, its database dropped, closed."""
    await ensure_catalog_topics(app.platform.settings, app.platform.catalog)
    if grpc is not None:
        await grpc.start()
    try:
        yield app
    finally:
        if grpc is not None:
            await grpc.stop(0)
        await app.platform.mongo.drop_database(app.platform.db.name)
        await app.close()


def _from_environment() -> InfraEndpoints | None:
    kafka = os.environ.get("FAIRWIND_KAFKA_BOOTSTRAP")
    mongo = os.environ.get("FAIRWIND_MONGO_URL")
    if not (kafka and mongo):
        return None
    profile = BrokerProfile(os.environ.get("FAIRWIND_BROKER_PROFILE", BrokerProfile.KAFKA.value))
    return InfraEndpoints(kafka, mongo, profile)


def _from_containers(stack: ExitStack) -> InfraEndpoints:
    """Apache Kafka in KRaft mode and a one-node MongoDB replica set, in Docker."""
    # Imported here: testcontainers is an optional extra, needed only on this path.
    from pymongo import MongoClient  # noqa: PLC0415
    from testcontainers.core.container import DockerContainer  # noqa: PLC0415
    from testcontainers.core.waiting_utils import wait_for_logs  # noqa: PLC0415
    from testcontainers.kafka import KafkaContainer  # noqa: PLC0415

    kafka = stack.enter_context(KafkaContainer().with_kraft())
    mongo = stack.enter_context(
        DockerContainer("mongo:7")
        .with_command("--replSet rs0 --bind_ip_all")
        .with_exposed_ports(27017)
    )
    wait_for_logs(mongo, "Waiting for connections")
    host, port = mongo.get_container_host_ip(), mongo.get_exposed_port(27017)
    url = f"mongodb://{host}:{port}/?directConnection=true"
    client: MongoClient[dict[str, object]]
    with MongoClient(url) as client:
        # The member's address is the container's own view of itself; clients connect direct.
        members = [{"_id": 0, "host": "localhost:27017"}]
        client.admin.command("replSetInitiate", {"_id": "rs0", "members": members})
        deadline = time.monotonic() + 60
        while not client.admin.command("hello").get("isWritablePrimary"):
            if time.monotonic() > deadline:
                raise RuntimeError("the MongoDB container did not become primary")
            time.sleep(0.1)
    return InfraEndpoints(kafka.get_bootstrap_server(), url, BrokerProfile.KAFKA)


def pytest_report_header(config: pytest.Config) -> str:
    """Which broker the run's ``infra`` fixture uses, before any test starts."""
    if _from_environment() is not None:
        return f"broker: {os.environ['FAIRWIND_KAFKA_BOOTSTRAP']} (from FAIRWIND_KAFKA_BOOTSTRAP)"
    if os.environ.get("FAIRWIND_TESTCONTAINERS") == "1":
        return "broker: Apache Kafka (KRaft) in a container"
    try:
        return broker_line(planned_broker())
    except InfraError as exc:
        return f"broker: none ({exc})"


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfraEndpoints]:
    """Real Kafka-protocol broker and MongoDB replica set for the whole test session."""
    configured = _from_environment()
    if configured is not None:
        yield configured
        return
    with ExitStack() as stack:
        if os.environ.get("FAIRWIND_TESTCONTAINERS") == "1":
            yield _from_containers(stack)
            return
        data_dir = Path(tmp_path_factory.mktemp("infra"))
        local = stack.enter_context(LocalInfra(data_dir, broker=select_broker()))
        yield InfraEndpoints(local.kafka_bootstrap, local.mongo_url, local.profile)


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """A name no other test uses, for topics, consumer groups and databases."""
    base = "".join(c if c.isalnum() else "_" for c in request.node.name)[:24].strip("_")
    return f"t_{base}_{uuid.uuid4().hex[:8]}".lower()
