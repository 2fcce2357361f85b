"""The kit's one ``serve``: what runs, in which order, and that the service is closed
whatever happens. Servers, the exporter and the signal loop are replaced: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from fairwind.runtime import cli
from fairwind.runtime.lifecycle import Worker
from fairwind.settings import ServiceSettings


def worker(name: str) -> Worker:
    async def run() -> None:
        return None

    return Worker(name, run, lambda: None)


class FakePlatform:
    def __init__(self, journal: list[str], fail: bool = False) -> None:
        self.journal = journal
        self.fail = fail

    async def ensure_topics(self) -> None:
        self.journal.append("topics")
        if self.fail:
            raise RuntimeError("broker down")

    def event_workers(self, consumer: Any) -> list[Worker]:
        return [worker("outbox-relay"), worker("event-consumer")]


class FakeApp:
    """Stands in for a service's bootstrapped app (typed ``Any`` where it is handed over)."""

    def __init__(self, fail: bool = False) -> None:
        self.journal: list[str] = []
        self.platform = FakePlatform(self.journal, fail)

    async def close(self) -> None:
        self.journal.append("closed")


NO_CONSUMER: Any = None  # the fake platform never looks at it


def fake(app: FakeApp) -> Any:
    return app


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the workers ``run_until_signalled`` was given, and the side steps."""
    journal: list[str] = []

    async def run_until_signalled(workers: Sequence[Worker], *, grace_s: float) -> None:
        journal.extend(w.name for w in workers)
        journal.append(f"grace {grace_s}")

    monkeypatch.setattr(cli, "run_until_signalled", run_until_signalled)
    monkeypatch.setattr(cli, "settle_memory", lambda: journal.append("settled"))
    monkeypatch.setattr(
        cli, "start_metrics_exporter", lambda port, host: journal.append(f"exporter {port}")
    )
    monkeypatch.setattr(cli, "http_worker", lambda api, host, port: (worker(f"http {port}"), None))
    monkeypatch.setattr(cli, "grpc_worker", lambda server: worker("grpc"))
    return journal


def settings() -> ServiceSettings:
    return ServiceSettings(
        service_name="demo", http_port=8001, metrics_port=9101, shutdown_grace_s=3
    )


async def test_an_http_service_serves_its_api_grpc_events_and_own_workers(
    ran: list[str],
) -> None:
    app = FakeApp()
    grpc: Any = object()
    await cli.serve(
        settings(), fake(app), NO_CONSUMER, api=object(), grpc=grpc, workers=[worker("expirer")]
    )
    assert app.journal == ["topics", "closed"]
    assert ran == [
        "settled",
        "http 8001",
        "grpc",
        "outbox-relay",
        "event-consumer",
        "expirer",
        "grace 3.0",
    ]


async def test_a_service_without_an_api_exports_metrics_itself(ran: list[str]) -> None:
    await cli.serve(settings(), fake(FakeApp()), NO_CONSUMER)
    assert ran == ["settled", "exporter 9101", "outbox-relay", "event-consumer", "grace 3.0"]


async def test_the_service_is_closed_when_start_up_fails(ran: list[str]) -> None:
    app = FakeApp(fail=True)
    with pytest.raises(RuntimeError, match="broker down"):
        await cli.serve(settings(), fake(app), NO_CONSUMER)
    assert app.journal == ["topics", "closed"]
    assert ran == []
