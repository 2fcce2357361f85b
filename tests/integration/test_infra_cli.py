"""The embedded infrastructure from the command line: up --detach, use it, down."""

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

from fairwind.infra.processes import port_open

pytestmark = pytest.mark.integration


def infra_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fairwind.infra", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_up_prints_usable_urls_and_down_leaves_nothing(tmp_path: Path) -> None:
    up = infra_cli("up", "--detach", "--data-dir", str(tmp_path))
    assert up.returncode == 0, up.stderr
    exports = dict(line.removeprefix("export ").split("=", 1) for line in up.stdout.splitlines())
    assert exports["FAIRWIND_BROKER_PROFILE"] == "embedded"
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
