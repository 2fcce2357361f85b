"""``make run``'s launcher: starts, says where things listen, stops clean on Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from devstack.env import LOCAL_PARTITIONS, service_env, stack_env
from devstack.plan import PORT_PLAN, ports_of, runnable_services
from fairwind.infra.processes import port_open
from fairwind.settings import ServiceSettings

pytestmark = pytest.mark.integration


def test_only_services_with_an_entrypoint_are_started(tmp_path: Path) -> None:
    for name in ("orders", "routing", "crm"):
        (tmp_path / name).mkdir()
    (tmp_path / "orders" / "__main__.py").write_text("")
    (tmp_path / "crm" / "__main__.py").write_text("")
    assert runnable_services(tmp_path) == ["orders", "crm"]


def test_each_service_gets_its_own_ports_and_the_infrastructure() -> None:
    env = service_env("tracking", {"FAIRWIND_KAFKA_BOOTSTRAP": "127.0.0.1:1"})
    assert env["FAIRWIND_SERVICE_NAME"] == "tracking"
    assert env["FAIRWIND_HTTP_PORT"] == str(PORT_PLAN["tracking"].http)
    assert env["FAIRWIND_KAFKA_BOOTSTRAP"] == "127.0.0.1:1"
    ports = [p for plan in PORT_PLAN.values() for p in (plan.http, plan.grpc, plan.metrics)]
    assert len(ports) == len(set(ports))


def test_a_stack_shares_its_tracking_address_and_link_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FAIRWIND_LINK_SECRET", raising=False)
    shared = stack_env(offset=300)
    tracking = PORT_PLAN["tracking"].http + 300
    assert shared["FAIRWIND_PUBLIC_TRACKING_URL"] == f"http://127.0.0.1:{tracking}/v1/track/"
    assert len(shared["FAIRWIND_LINK_SECRET"]) >= 32
    assert stack_env()["FAIRWIND_LINK_SECRET"] != shared["FAIRWIND_LINK_SECRET"]  # per run
    monkeypatch.setenv("FAIRWIND_LINK_SECRET", "operator-chosen-secret")
    assert stack_env()["FAIRWIND_LINK_SECRET"] == "operator-chosen-secret"


def test_a_local_stack_has_fewer_partitions_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAIRWIND_KAFKA_PARTITIONS", raising=False)
    assert stack_env()["FAIRWIND_KAFKA_PARTITIONS"] == str(LOCAL_PARTITIONS)
    assert ServiceSettings().kafka_partitions > LOCAL_PARTITIONS  # a cluster's default
    monkeypatch.setenv("FAIRWIND_KAFKA_PARTITIONS", "12")
    assert stack_env()["FAIRWIND_KAFKA_PARTITIONS"] == "12"


def test_services_and_ctrl_c_stops_everything_and_frees_the_ports(tmp_path: Path) -> None:
    offset = 11000  # beside a `make run` that may be up on this machine
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstack",
            "--data-dir",
            str(tmp_path),
            "--port-offset",
            str(offset),
            "--no-sim",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line)
        if "services.crm customers" in line:  # the last hint of the banner
            break
    text = "".join(lines)
    # Keep reading: a launcher whose output pipe is full blocks, and so do its services.
    drained: list[str] = []
    reader = threading.Thread(target=lambda: drained.extend(process.stdout or ()), daemon=True)
    reader.start()
    assert "Fairwind is running" in text, text
    kafka_port = int(re.search(r"Kafka broker\s+127\.0\.0\.1:(\d+)", text).group(1))  # type: ignore[union-attr]
    mongo_port = int(re.search(r"mongodb://127\.0\.0\.1:(\d+)", text).group(1))  # type: ignore[union-attr]
    assert port_open("127.0.0.1", kafka_port)
    assert port_open("127.0.0.1", mongo_port)
    orders = ports_of("orders", offset).http
    assert f"API http://127.0.0.1:{orders}/docs" in text
    assert f"gRPC 127.0.0.1:{ports_of('routing', offset).grpc}" in text
    assert "customers import" in text  # without the simulator, a hint that works alone
    deadline = time.monotonic() + 60
    while not port_open("127.0.0.1", orders):  # every service with an entrypoint starts
        assert time.monotonic() < deadline, "the orders service did not start"
        time.sleep(0.1)
    with urllib.request.urlopen(f"http://127.0.0.1:{orders}/healthz", timeout=5) as answer:
        assert answer.status == 200

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    reader.join(timeout=10)
    assert "stopped." in "".join(drained)
    assert not port_open("127.0.0.1", kafka_port)
    assert not port_open("127.0.0.1", mongo_port)
    assert not port_open("127.0.0.1", orders)
