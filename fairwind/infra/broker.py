"""The local Kafka-protocol broker: which one (Apache Kafka where a JDK is, Tansu otherwise)
and one process handle for either.

``FAIRWIND_LOCAL_BROKER`` (``auto``, ``kafka`` or ``tansu``) overrides the choice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from aiokafka.admin import AIOKafkaAdminClient

from fairwind.infra.kafka import MIN_JAVA, ApacheKafka, fetch_jars, jars_present, kafka_home
from fairwind.infra.processes import InfraError, claim_port, port_open, terminate, wait_until
from fairwind.infra.tansu import Tansu
from fairwind.settings import BrokerProfile

log = logging.getLogger(__name__)
CHOICE_VARIABLE = "FAIRWIND_LOCAL_BROKER"


class Broker(Protocol):
    """How to start one kind of broker; ``BrokerProcess`` runs it."""

    @property
    def description(self) -> str: ...

    @property
    def profile(self) -> BrokerProfile: ...

    @property
    def ready_timeout_s(self) -> float: ...

    def spawn(
        self, data_dir: Path, host: str, port: int, *, tie_to_parent: bool
    ) -> subprocess.Popen[bytes]: ...

    def exited(self, process: subprocess.Popen[bytes]) -> None:
        """Called once the process has ended."""


class BrokerKind(StrEnum):
    KAFKA = "kafka"
    TANSU = "tansu"


@dataclass(frozen=True)
class Toolchain:
    """What this machine offers for running Apache Kafka."""

    java_major: int | None  # None: no java on PATH
    jars: bool  # the pinned version's jars are fetched
    maven: bool  # mvn is on PATH (so they can be)


def choose(requested: str, tools: Toolchain) -> BrokerKind:
    """Apache Kafka wherever it can run, Tansu otherwise; ``requested`` may insist."""
    wanted = requested.strip().lower() or "auto"
    if wanted == BrokerKind.TANSU:
        return BrokerKind.TANSU
    if wanted not in (BrokerKind.KAFKA, "auto"):
        raise InfraError(f"{CHOICE_VARIABLE} must be auto, kafka or tansu, not {requested!r}")
    problem = _kafka_problem(tools)
    if problem is None:
        return BrokerKind.KAFKA
    if wanted == BrokerKind.KAFKA:
        raise InfraError(f"{CHOICE_VARIABLE}=kafka, but {problem}")
    return BrokerKind.TANSU


def _kafka_problem(tools: Toolchain) -> str | None:
    if tools.java_major is None:
        return "there is no java on PATH"
    if tools.java_major < MIN_JAVA:
        return f"java is version {tools.java_major} and Kafka needs {MIN_JAVA} or newer"
    if not (tools.jars or tools.maven):
        return "Kafka's jars are not fetched and there is no mvn to fetch them"
    return None


def java_major(version_output: str) -> int | None:
    """The major version in ``java -version``'s output ("1.8.0_402" is 8, "17.0.15" is 17)."""
    found = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if found is None:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def detect_toolchain(home: Path) -> Toolchain:
    java = shutil.which("java")
    major = None
    if java is not None:
        try:
            shown = subprocess.run(
                [java, "-version"], capture_output=True, text=True, timeout=30, check=False
            )
            major = java_major(shown.stderr + shown.stdout)
        except (OSError, subprocess.TimeoutExpired):
            major = None
    return Toolchain(major, jars_present(home), shutil.which("mvn") is not None)


def planned_broker(requested: str | None = None) -> Broker:
    """The broker this machine would run, without fetching anything. ``requested`` unset:
    ``FAIRWIND_LOCAL_BROKER``, else auto."""
    wanted = _requested(requested)
    home = kafka_home()
    if choose(wanted, detect_toolchain(home)) is BrokerKind.TANSU:
        return Tansu()
    return ApacheKafka(home)


def select_broker(requested: str | None = None) -> Broker:
    """The broker this machine runs: the plan, with Kafka's jars fetched if need be."""
    broker = planned_broker(requested)
    if not isinstance(broker, ApacheKafka):
        return broker
    try:
        fetch_jars(broker.home)
    except InfraError as exc:
        if _requested(requested) == BrokerKind.KAFKA:
            raise
        log.warning("falling back to Tansu: %s", exc)
        return Tansu()
    return broker


def _requested(requested: str | None) -> str:
    wanted = os.environ.get(CHOICE_VARIABLE, "auto") if requested is None else requested
    return wanted.strip().lower() or "auto"


def broker_line(broker: Broker) -> str:
    return f"broker: {broker.description}"


@dataclass
class BrokerProcess:
    """One broker process on ``host:port`` (0 picks a free port), data under ``data_dir``."""

    broker: Broker
    data_dir: Path
    port: int = 0
    host: str = "127.0.0.1"
    tie_to_parent: bool = True
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise InfraError("the broker is not running")
        return self.process.pid

    def spawn(self) -> None:
        """Start the process; ``wait_ready()`` waits until it serves clients."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = claim_port(self.host, self.port, "kafka")
        self.process = self.broker.spawn(
            self.data_dir, self.host, self.port, tie_to_parent=self.tie_to_parent
        )

    def wait_ready(self) -> None:
        if self.process is None:
            raise InfraError("the broker was not started")
        what, timeout = self.broker.description, self.broker.ready_timeout_s
        wait_until(lambda: port_open(self.host, self.port), timeout, what, self.process)
        wait_until(lambda: asyncio.run(self._list_topics()), timeout, what, self.process)

    def start(self) -> BrokerProcess:
        self.spawn()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGTERM (a clean shutdown), SIGKILL after ``timeout_s``."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            terminate(process.pid, timeout_s=timeout_s)
        process.wait(timeout=10)
        self.broker.exited(process)

    def kill(self) -> None:
        """SIGKILL, as a crash would (tests)."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.stop()

    async def _list_topics(self) -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=2000)
        await admin.start()
        try:
            await admin.list_topics()
        finally:
            await admin.close()
        return True
