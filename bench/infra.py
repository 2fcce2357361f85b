"""Infrastructure for benchmarks: what FAIRWIND_* points at, or the embedded processes."""

from __future__ import annotations

import os
import platform
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fairwind.infra.embedded import EmbeddedInfra
from fairwind.settings import BrokerProfile, ServiceSettings


@contextmanager
def bench_settings(name: str) -> Iterator[ServiceSettings]:
    if os.environ.get("FAIRWIND_KAFKA_BOOTSTRAP") and os.environ.get("FAIRWIND_MONGO_URL"):
        yield ServiceSettings(service_name=name)
        return
    with tempfile.TemporaryDirectory() as tmp, EmbeddedInfra(Path(tmp)) as infra:
        yield ServiceSettings(
            service_name=name,
            kafka_bootstrap=infra.kafka_bootstrap,
            mongo_url=infra.mongo_url,
            broker_profile=BrokerProfile.EMBEDDED,
        )


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
