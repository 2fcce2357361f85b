import pytest
from pydantic import ValidationError

from fairwind.settings import BrokerProfile, ServiceSettings


def test_defaults_point_at_local_kafka_and_mongo() -> None:
    settings = ServiceSettings(service_name="orders")
    assert settings.broker_profile is BrokerProfile.KAFKA
    assert settings.database_name == "fairwind_orders"
    assert settings.client_id == "fairwind-orders"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRWIND_KAFKA_BOOTSTRAP", "broker:9093")
    monkeypatch.setenv("FAIRWIND_MONGO_URL", "mongodb://db:27017/?replicaSet=rs0")
    monkeypatch.setenv("FAIRWIND_BROKER_PROFILE", "embedded")
    monkeypatch.setenv("FAIRWIND_HTTP_PORT", "8111")
    settings = ServiceSettings(service_name="tracking")
    assert settings.kafka_bootstrap == "broker:9093"
    assert settings.mongo_url.startswith("mongodb://db:27017")
    assert settings.embedded
    assert settings.http_port == 8111


def test_embedded_profile_applies_the_broker_workarounds() -> None:
    settings = ServiceSettings(broker_profile=BrokerProfile.EMBEDDED)
    assert settings.producer_options()["enable_idempotence"] is False
    consumer = settings.consumer_options("g")
    assert (consumer["session_timeout_ms"], consumer["heartbeat_interval_ms"]) == (6000, 1000)
    assert consumer["enable_auto_commit"] is False
    faust = settings.faust_options()
    assert faust["producer_max_batch_size"] == 1
    assert (faust["broker_session_timeout"], faust["broker_heartbeat_interval"]) == (6, 1)


def test_real_kafka_profile_uses_idempotence_and_normal_timeouts() -> None:
    settings = ServiceSettings(broker_profile=BrokerProfile.KAFKA)
    producer = settings.producer_options()
    assert producer["enable_idempotence"] is True
    assert producer["acks"] == "all"
    assert settings.consumer_options("g")["session_timeout_ms"] == 30000
    assert "producer_max_batch_size" not in settings.faust_options()


def test_session_timeouts_can_be_overridden() -> None:
    settings = ServiceSettings(
        broker_profile=BrokerProfile.EMBEDDED,
        kafka_session_timeout_ms=2000,
        kafka_heartbeat_interval_ms=500,
    )
    consumer = settings.consumer_options("g")
    assert (consumer["session_timeout_ms"], consumer["heartbeat_interval_ms"]) == (2000, 500)


def test_explicit_database_name_wins() -> None:
    assert ServiceSettings(service_name="crm", mongo_db="x").database_name == "x"


@pytest.mark.parametrize(
    "bad",
    [
        {"http_port": 70000},
        {"service_name": "Orders!"},
        {"broker_profile": "rabbit"},
        {"consumer_backoff_initial_s": 5, "consumer_backoff_max_s": 1},
        {"consumer_max_attempts": 0},
        {"kafka_session_timeout_ms": 2000, "kafka_heartbeat_interval_ms": 1000},
    ],
)
def test_invalid_settings_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ServiceSettings.model_validate(bad)


def test_settings_are_immutable() -> None:
    settings = ServiceSettings()
    with pytest.raises(ValidationError):
        settings.http_port = 1
