"""Infrastructure for benchmarks: what FAIRWIND_* points at, or the local processes
(Apache Kafka where a JDK is, Tansu otherwise; the figures say which)."""

from __future__ import annotations

import os
import platform
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fairwind.infra.local import LocalInfra
from fairwind.settings import ServiceSettings


@contextmanager
def bench_settings(name: str) -> Iterator[ServiceSettings]:
    if os.environ.get("FAIRWIND_KAFKA_BOOTSTRAP") and os.environ.get("FAIRWIND_MONGO_URL"):
        yield ServiceSettings(service_name=name)
        return
    with tempfile.TemporaryDirectory() as tmp, local_infra(Path(tmp)) as infra:
        yield ServiceSettings(
            service_name=name,
            kafka_bootstrap=infra.kafka_bootstrap,
            mongo_url=infra.mongo_url,
            broker_profile=infra.profile,
        )


@contextmanager
def local_infra(data_dir: Path) -> Iterator[LocalInfra]:
    """Started local infrastructure, having printed which broker it is."""
    infra = LocalInfra(data_dir)
    print(f"  {infra.broker_line}", flush=True)
    with infra:
        yield infra


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
