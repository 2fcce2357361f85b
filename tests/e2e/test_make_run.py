"""``make run`` with the simulator: the live summary appears, and Ctrl-C stops the
simulator, every service, mongod and the broker, leaving no process and no port behind."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devstack.plan import PORT_PLAN
from fairwind.infra.processes import port_open

pytestmark = pytest.mark.e2e
OFFSET = 14000


def processes_mentioning(marker: str) -> list[int]:
    """PIDs whose command line or environment mentions ``marker``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            text = (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in text:
            found.append(int(proc.name))
    return found


def test_make_run_simulates_and_ctrl_c_leaves_nothing(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstack",
            "--data-dir",
            str(tmp_path),
            "--port-offset",
            str(OFFSET),
            "--speed",
            "1440",
            "--orders",
            "40",
            "--live-every",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 180
    for line in process.stdout:
        lines.append(line)
        if re.search(r"sim\s+\| sim \w{3} \d\d:\d\d \| booked\s+[1-9]", line):
            break  # the simulator is booking parcels and the summary is live
        assert time.monotonic() < deadline, "".join(lines[-30:])
    text = "".join(lines)
    assert "Simulated day from" in text
    mongo = re.search(r"mongodb://127\.0\.0\.1:(\d+)", text)
    assert mongo is not None
    ports = [int(mongo.group(1))] + [
        port + OFFSET for plan in PORT_PLAN.values() for port in (plan.http, plan.grpc)
    ]

    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=90)
    assert process.returncode == 0, rest
    assert "stopped." in rest
    assert processes_mentioning(str(tmp_path)) == []
    assert processes_mentioning(f"127.0.0.1:{mongo.group(1)}") == []
    assert [port for port in ports if port_open("127.0.0.1", port)] == []
