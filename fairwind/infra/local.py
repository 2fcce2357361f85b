"""Real infrastructure as local processes: a Kafka-protocol broker (Apache Kafka in KRaft
mode where a JDK is, Tansu otherwise; see ``broker.py``) and mongod as a one-node replica set.

No Docker: Kafka's jars come from Maven, Tansu and mongod from pip packages (the
``embedded`` extra). mongod and Apache Kafka keep their data in ``data_dir``; Tansu keeps
it in memory.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fairwind.infra.broker import Broker, BrokerProcess, broker_line, select_broker
from fairwind.infra.mongod import mongo_url, spawn_mongod, wait_mongod
from fairwind.infra.processes import InfraError, claim_port, terminate
from fairwind.settings import BrokerProfile

log = logging.getLogger(__name__)

PID_FILE = "infra.json"


def forget_broker_records(data_dir: Path) -> None:
    """The next broker started on ``data_dir`` starts empty (mongod keeps its data)."""
    shutil.rmtree(data_dir / "kafka", ignore_errors=True)


@dataclass
class LocalInfra:
    """Start with ``start()`` (or ``with``); stop with ``stop()``. Ports 0 mean pick free ones.
    ``broker`` unset: the one ``select_broker()`` chooses for this machine."""

    data_dir: Path
    kafka_port: int = 0
    mongo_port: int = 0
    host: str = "127.0.0.1"
    tie_to_parent: bool = True
    broker: Broker | None = None
    _kafka: BrokerProcess | None = field(default=None, repr=False)
    _mongod: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def mongo_url(self) -> str:
        return mongo_url(self.host, self.mongo_port)

    @property
    def profile(self) -> BrokerProfile:
        return self._chosen().profile

    @property
    def broker_line(self) -> str:
        """``broker: Apache Kafka 4.1.1 (KRaft)`` or ``broker: Tansu, memory only``."""
        return broker_line(self._chosen())

    def env(self) -> dict[str, str]:
        """The variables services and tests read to find this infrastructure."""
        return {
            "FAIRWIND_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "FAIRWIND_MONGO_URL": self.mongo_url,
            "FAIRWIND_BROKER_PROFILE": self.profile.value,
        }

    def __enter__(self) -> LocalInfra:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> LocalInfra:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.kafka_port = claim_port(self.host, self.kafka_port, "kafka")
        self.mongo_port = claim_port(self.host, self.mongo_port, "mongod")
        kafka = BrokerProcess(
            self._chosen(), self.data_dir, self.kafka_port, self.host, self.tie_to_parent
        )
        try:
            self._mongod = spawn_mongod(
                self.data_dir, self.host, self.mongo_port, tie_to_parent=self.tie_to_parent
            )
            self._kafka = kafka
            kafka.spawn()
            # Both start at once: mongod takes ~0.7 s, Tansu ~0.1 s, Apache Kafka a few.
            with ThreadPoolExecutor(max_workers=1) as pool:
                kafka_ready = pool.submit(kafka.wait_ready)
                wait_mongod(self._mongod, self.host, self.mongo_port)
                kafka_ready.result()
        except BaseException:
            self.stop()
            raise
        self._write_pid_file()
        log.info("local infrastructure ready; %s", self.broker_line, extra=self.env())
        return self

    def stop(self) -> None:
        """Stop mongod cleanly (SIGTERM flushes its journal), then the broker."""
        mongod, self._mongod = self._mongod, None
        if mongod is not None and mongod.poll() is None:
            terminate(mongod.pid, timeout_s=15)
            mongod.wait(timeout=5)
        kafka, self._kafka = self._kafka, None
        if kafka is not None:
            kafka.stop()
        (self.data_dir / PID_FILE).unlink(missing_ok=True)

    @staticmethod
    def stop_detached(data_dir: Path) -> list[int]:
        """Stop processes started by a detached launcher, by the PIDs it recorded."""
        pid_file = data_dir / PID_FILE
        if not pid_file.exists():
            return []
        recorded: dict[str, Any] = json.loads(pid_file.read_text())
        stopped = [int(p["pid"]) for p in recorded.values() if terminate(int(p["pid"]), 30)]
        pid_file.unlink(missing_ok=True)
        return stopped

    def _chosen(self) -> Broker:
        if self.broker is None:
            self.broker = select_broker()
        return self.broker

    def _write_pid_file(self) -> None:
        kafka, mongod = self._kafka, self._mongod
        if kafka is None or mongod is None:
            raise InfraError("the infrastructure is not running")
        recorded = {
            "kafka": {"pid": kafka.pid, "port": kafka.port, "broker": kafka.broker.description},
            "mongod": {"pid": mongod.pid, "port": self.mongo_port},
        }
        (self.data_dir / PID_FILE).write_text(json.dumps(recorded, indent=2))
