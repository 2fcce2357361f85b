"""The local infrastructure from the command line: up --detach, use it, down; on either
broker, and Tansu chosen by itself where there is no Java."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import MongoClient

from fairwind.infra.broker import planned_broker
from fairwind.infra.kafka import ApacheKafka
from fairwind.infra.processes import port_open

pytestmark = pytest.mark.integration
PROFILES = {"kafka": "kafka", "tansu": "embedded"}


def infra_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fairwind.infra", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=env,
    )


def exports_of(up: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return dict(line.removeprefix("export ").split("=", 1) for line in up.stdout.splitlines())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("broker", ["kafka", "tansu"])
async def test_up_prints_usable_urls_and_down_leaves_nothing(tmp_path: Path, broker: str) -> None:
    if broker == "kafka" and not isinstance(planned_broker(), ApacheKafka):
        pytest.skip("Apache Kafka cannot run here (no JDK), or Tansu was asked for")
    up = infra_cli("up", "--detach", "--data-dir", str(tmp_path), "--broker", broker)
    assert up.returncode == 0, up.stderr
    exports = exports_of(up)
    assert exports["FAIRWIND_BROKER_PROFILE"] == PROFILES[broker]
    kind = "broker: Apache Kafka 4." if broker == "kafka" else "broker: Tansu, memory only"
    assert kind in up.stderr
    recorded = json.loads((tmp_path / "infra.json").read_text())
    pids = [entry["pid"] for entry in recorded.values()]
    try:
        admin = AIOKafkaAdminClient(bootstrap_servers=exports["FAIRWIND_KAFKA_BOOTSTRAP"])
        await admin.start()
        await admin.close()
        mongo: MongoClient[dict[str, object]]
        with MongoClient(exports["FAIRWIND_MONGO_URL"], serverSelectionTimeoutMS=5000) as mongo:
            assert mongo.admin.command("hello")["isWritablePrimary"]
    finally:
        down = infra_cli("down", "--data-dir", str(tmp_path))
    assert down.returncode == 0, down.stderr
    assert not any(alive(pid) for pid in pids)
    ports = [int(entry["port"]) for entry in recorded.values()]
    assert not any(port_open("127.0.0.1", port) for port in ports)
    assert not (tmp_path / "infra.json").exists()


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        result = infra_cli("up", "--detach", "--data-dir", str(tmp_path), "--kafka-port", str(busy))
    assert result.returncode == 1
    assert f"port {busy} for kafka is already in use" in result.stderr


def test_without_java_the_broker_is_tansu(tmp_path: Path) -> None:
    no_java = tmp_path / "bin"
    no_java.mkdir()
    env = os.environ | {"PATH": str(no_java), "FAIRWIND_LOCAL_BROKER": "auto"}
    up = infra_cli("up", "--detach", "--data-dir", str(tmp_path / "infra"), env=env)
    try:
        assert up.returncode == 0, up.stderr
        assert "broker: Tansu, memory only" in up.stderr
        assert exports_of(up)["FAIRWIND_BROKER_PROFILE"] == "embedded"
    finally:
        assert infra_cli("down", "--data-dir", str(tmp_path / "infra"), env=env).returncode == 0
