"""Typed settings shared by every service.

Values come from the environment (prefix ``FAIRWIND_``) or a ``.env`` file. Nothing here is
built at import time: services call ``ServiceSettings()`` (or their subclass) inside
``bootstrap()`` so tests can pass their own values.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from fairwind.clock import PlatformClock


class BrokerProfile(StrEnum):
    """Which broker we talk to: Apache Kafka (any, including the local one), or Tansu, the
    local fallback, whose workarounds only the ``embedded`` profile applies."""

    KAFKA = "kafka"
    EMBEDDED = "embedded"


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclass to add a service's own fields."""

    model_config = SettingsConfigDict(
        env_prefix="FAIRWIND_", env_file=".env", extra="ignore", frozen=True
    )

    service_name: str = Field(default="fairwind", pattern=r"^[a-z][a-z0-9_-]{0,39}$")

    kafka_bootstrap: str = "127.0.0.1:9092"
    broker_profile: BrokerProfile = BrokerProfile.KAFKA
    kafka_client_id: str | None = None
    # Unset: the broker profile's values. Tests on the embedded broker use shorter ones,
    # because it holds JoinGroup for half the session timeout.
    kafka_session_timeout_ms: int | None = Field(default=None, ge=1000)
    kafka_heartbeat_interval_ms: int | None = Field(default=None, ge=100)
    # Consumers commit handled offsets at most this often (and when idle or stopping); 0
    # commits after every poll. Redelivery after a crash is absorbed by the dedupe store.
    kafka_commit_interval_ms: int = Field(default=1000, ge=0)
    # Partitions of each event topic a service creates when it is missing. They bound how
    # many replicas of a consumer share the work; each one also costs the broker work on
    # every fetch that names it.
    kafka_partitions: int = Field(default=12, ge=1)

    mongo_url: str = "mongodb://127.0.0.1:27017/?replicaSet=rs0"
    mongo_db: str | None = None

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)
    grpc_host: str = "127.0.0.1"
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=9100, ge=0, le=65535)

    log_level: str = "INFO"
    log_json: bool = True

    consumer_max_attempts: int = Field(default=5, ge=1, le=50)
    consumer_backoff_initial_s: float = Field(default=0.05, gt=0)
    consumer_backoff_max_s: float = Field(default=2.0, gt=0)
    shutdown_grace_s: float = Field(default=10.0, ge=0)

    # Business time (see fairwind/clock.py). Unset: the wall clock. A simulation starts
    # every service with the same three values so they agree on a compressed day.
    clock_speed: float = Field(default=1.0, gt=0, le=100_000)
    clock_origin: AwareDatetime | None = None
    clock_anchor: AwareDatetime | None = None

    @model_validator(mode="after")
    def _check_consistency(self) -> ServiceSettings:
        if self.consumer_backoff_max_s < self.consumer_backoff_initial_s:
            raise ValueError("consumer_backoff_max_s must be >= consumer_backoff_initial_s")
        session, heartbeat = self.kafka_session_timeout_ms, self.kafka_heartbeat_interval_ms
        if session is not None and heartbeat is not None and heartbeat * 3 > session:
            raise ValueError("kafka_heartbeat_interval_ms must be at most a third of the session")
        if (self.clock_origin is None) != (self.clock_anchor is None):
            raise ValueError("clock_origin and clock_anchor are set together")
        return self

    def platform_clock(self) -> PlatformClock:
        return PlatformClock(self.clock_speed, self.clock_origin, self.clock_anchor)

    @property
    def database_name(self) -> str:
        """Each service owns its database: ``fairwind_<service>`` unless set."""
        return self.mongo_db or f"fairwind_{self.service_name.replace('-', '_')}"

    @property
    def client_id(self) -> str:
        return self.kafka_client_id or f"fairwind-{self.service_name}"

    @property
    def embedded(self) -> bool:
        return self.broker_profile is BrokerProfile.EMBEDDED

    def producer_options(self) -> dict[str, Any]:
        """aiokafka producer options for the active broker profile."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.kafka_bootstrap,
            "client_id": self.client_id,
            "linger_ms": 5,
            "max_batch_size": 1 << 20,
        }
        if self.embedded:
            # The embedded broker has no idempotent producer and no transactions.
            options |= {"acks": 1, "enable_idempotence": False}
        else:
            options |= {"acks": "all", "enable_idempotence": True}
        return options

    def consumer_options(self, group_id: str) -> dict[str, Any]:
        """aiokafka consumer options: manual commits, offsets from the start for new groups."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.kafka_bootstrap,
            "client_id": self.client_id,
            "group_id": group_id,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "max_poll_records": 500,
        }
        if self.embedded:
            # The embedded broker holds JoinGroup for session_timeout/2.
            options |= {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000}
        else:
            options |= {"session_timeout_ms": 30000, "heartbeat_interval_ms": 3000}
        if self.kafka_session_timeout_ms is not None:
            options["session_timeout_ms"] = self.kafka_session_timeout_ms
        if self.kafka_heartbeat_interval_ms is not None:
            options["heartbeat_interval_ms"] = self.kafka_heartbeat_interval_ms
        return options

    def faust_options(self) -> dict[str, Any]:
        """Options for ``faust.App`` matching the broker profile."""
        # Faust sends each changelog write at once unless told to linger: one produce request
        # per table write costs the worker more than its own processing.
        options: dict[str, Any] = {
            "broker": f"kafka://{self.kafka_bootstrap}",
            "producer_linger": 0.005,
        }
        if self.embedded:
            # Larger producer batches make table recovery after restart wrong on this broker.
            options |= {
                "broker_session_timeout": 6,
                "broker_heartbeat_interval": 1,
                "producer_max_batch_size": 1,
            }
        return options
