"""Apache Kafka as one local KRaft process (broker and controller), from jars Maven fetched.

``fetch_jars()`` runs ``mvn dependency:copy-dependencies`` on ``maven/pom.xml`` into
``.fairwind/kafka-<version>/libs`` (the Makefile's install step calls it once). The broker
keeps its log under ``<data_dir>/kafka/logs``, formatted on first start only, so records
survive a restart, also on other ports: the controller's address comes from the
configuration (a static quorum), not from the formatted storage.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from fairwind.infra.processes import InfraError, free_port, spawn
from fairwind.settings import BrokerProfile

KAFKA_VERSION = "4.1.1"
MIN_JAVA = 17  # Kafka 4 brokers need Java 17
POM = Path(__file__).parent / "maven" / "pom.xml"
_PROJECT_ROOT = Path(__file__).resolve().parents[2]
# A modest heap for a 2-core development box; records live in the page cache, not the heap.
JVM_OPTIONS = (
    "-Xms256m",
    "-Xmx512m",
    "-XX:MaxDirectMemorySize=256m",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    "-Xlog:cds*=error",
)
LOG4J2 = """\
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c{1})%n
rootLogger.level = warn
rootLogger.appenderRef.console.ref = console
logger.started.name = kafka.server.KafkaRaftServer
logger.started.level = info
"""
_CLEAN_EXIT = (0, 143)  # 143: the JVM's exit after SIGTERM ran its shutdown hooks


def kafka_home() -> Path:
    """Where the jars (and the class-data archive) of the pinned version live."""
    configured = os.environ.get("FAIRWIND_KAFKA_HOME")
    if configured:
        return Path(configured)
    return _PROJECT_ROOT / ".fairwind" / f"kafka-{KAFKA_VERSION}"


def jars_present(home: Path) -> bool:
    return (home / "libs" / f"kafka_2.13-{KAFKA_VERSION}.jar").is_file()


def fetch_jars(home: Path) -> None:
    """Fetch the pinned Kafka and its dependencies with Maven, unless they are there.

    Into a folder of its own first, renamed when complete: a failed or concurrent fetch
    never leaves half a classpath behind."""
    if jars_present(home):
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise InfraError("Maven (mvn) is not on PATH, so Kafka's jars cannot be fetched")
    home.mkdir(parents=True, exist_ok=True)
    partial = home / f"libs.partial-{os.getpid()}"
    command = [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies"]
    command += [f"-DoutputDirectory={partial}", "-DincludeScope=runtime"]
    command += [f"-Dkafka.version={KAFKA_VERSION}"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    except subprocess.TimeoutExpired as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise InfraError("mvn did not fetch Kafka's jars within 15 minutes") from exc
    if result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        tail = (result.stdout + result.stderr).strip().splitlines()[-5:]
        raise InfraError(f"mvn could not fetch Kafka {KAFKA_VERSION}: " + " / ".join(tail))
    try:
        partial.rename(home / "libs")
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)  # another fetch finished first
    if not jars_present(home):
        raise InfraError(f"mvn finished but {home / 'libs'} has no Kafka {KAFKA_VERSION}")


def server_properties(log_dir: Path, host: str, port: int, controller_port: int) -> dict[str, str]:
    """The configuration of a one-node cluster on a small box."""
    return {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{host}:{controller_port}",
        "controller.listener.names": "CONTROLLER",
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port}",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(log_dir),
        # One replica of everything: acks=all means this broker's log has the record.
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # Fewer coordinator partitions than the 50 of a cluster: first use is quicker.
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.num.partitions": "10",
        # As in production (docker-compose too): every topic is made on purpose, with its
        # partitions. Otherwise a Faust worker's first metadata request can create a table's
        # changelog with the default count before Faust creates it with the source's.
        "auto.create.topics.enable": "false",
        "num.partitions": "3",
        # A new group's first member does not wait for others that will never come.
        "group.initial.rebalance.delay.ms": "0",
        "num.network.threads": "2",
        "num.io.threads": "4",
        # The suite makes thousands of small partitions; indexes are mapped at this size.
        "log.index.size.max.bytes": str(1 << 20),
    }


def render_properties(values: dict[str, str]) -> str:
    return "".join(f"{key}={value}\n" for key, value in values.items())


def new_cluster_id() -> str:
    """A random Kafka UUID in its base64url form (what ``kafka-storage random-uuid`` prints).

    Never one starting with "-": the storage tool would read it as an option and refuse
    to format (Kafka's own ``Uuid.randomUuid`` skips those for the same reason)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


@dataclass
class ApacheKafka:
    """The pinned Apache Kafka, run from ``home/libs``."""

    home: Path = field(default_factory=kafka_home)
    _pending_archives: dict[int, Path] = field(default_factory=dict, repr=False)

    @property
    def description(self) -> str:
        return f"Apache Kafka {KAFKA_VERSION} (KRaft)"

    @property
    def profile(self) -> BrokerProfile:
        return BrokerProfile.KAFKA

    @property
    def ready_timeout_s(self) -> float:
        return 90.0

    def spawn(
        self, data_dir: Path, host: str, port: int, *, tie_to_parent: bool
    ) -> subprocess.Popen[bytes]:
        if not jars_present(self.home):
            raise InfraError(f"Kafka's jars are not in {self.home / 'libs'}: fetch them first")
        config = self._configure(data_dir / "kafka", host, port)
        if not (data_dir / "kafka" / "logs" / "meta.properties").exists():
            self._format(config, data_dir / "kafka.log")
        pending = self.home / f"classes.jsa.{os.getpid()}-{port}.partial"
        # Only a launcher that stays attached sees the exit and can keep the archive.
        archive = self._class_archive(pending if tie_to_parent else None)
        process = spawn(
            [*self._java(config, archive), "kafka.Kafka", config],
            data_dir / "kafka.log",
            tie_to_parent=tie_to_parent,
        )
        if archive and archive[0].startswith("-XX:ArchiveClassesAtExit"):
            self._pending_archives[process.pid] = pending
        return process

    def exited(self, process: subprocess.Popen[bytes]) -> None:
        """Keep the class-data archive a cleanly stopped first broker wrote at exit."""
        pending = self._pending_archives.pop(process.pid, None)
        if pending is None or not pending.exists():
            return
        if process.returncode in _CLEAN_EXIT:
            os.replace(pending, self.home / "classes.jsa")
        else:
            pending.unlink(missing_ok=True)  # possibly cut short by the kill

    def _configure(self, directory: Path, host: str, port: int) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        values = server_properties(directory / "logs", host, port, free_port(host))
        config = directory / "server.properties"
        config.write_text(render_properties(values))
        (directory / "log4j2.properties").write_text(LOG4J2)
        return config

    def _format(self, config: Path, log_path: Path) -> None:
        command = [*self._java(config, self._class_archive(None)), "kafka.tools.StorageTool"]
        command += ["format"]
        command += ["-t", new_cluster_id(), "-c", str(config)]
        with log_path.open("ab") as log_file:
            result = subprocess.run(command, stdout=log_file, stderr=subprocess.STDOUT, check=False)
        if result.returncode != 0:
            raise InfraError(f"formatting Kafka's storage failed; see {log_path}")

    def _class_archive(self, pending: Path | None) -> list[str]:
        """Class-data sharing: the JVM maps the classes a previous broker loaded instead of
        loading them again from the jars (start-up about 40 % shorter)."""
        archive = self.home / "classes.jsa"
        if archive.is_file():
            return [f"-XX:SharedArchiveFile={archive}"]
        if pending is None:
            return []
        with contextlib.suppress(FileNotFoundError):
            pending.unlink()
        return [f"-XX:ArchiveClassesAtExit={pending}"]

    def _java(self, config: Path, archive: list[str]) -> list[str]:
        log4j = f"-Dlog4j2.configurationFile={config.with_name('log4j2.properties')}"
        return ["java", *JVM_OPTIONS, *archive, log4j, "-cp", str(self.home / "libs" / "*")]
