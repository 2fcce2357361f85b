"""The SLA worker's HTTP side as a client sees it: its OpenAPI document, a bad query as
problem+json, the Prometheus exposition, and a web port bound to loopback only."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from fairwind.infra.pytest_plugin import InfraEndpoints
from tests.integration.sla.test_sla_worker import Worker, answering

pytestmark = pytest.mark.integration
_LISTEN = "0A"


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as the kernel writes them) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if fields[3] == _LISTEN and int(port_hex, 16) == port:
                found.add(address)
    return found


async def fetch(url: str) -> tuple[int, str, bytes]:
    def get() -> tuple[int, str, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.status, answer.headers["Content-Type"], answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()

    return await asyncio.to_thread(get)


async def test_pages_are_documented_and_bound_to_loopback(infra: InfraEndpoints) -> None:
    worker = await Worker(infra, f"sla-pages-{uuid.uuid4().hex[:6]}").start()
    base = f"http://127.0.0.1:{worker.port}"
    try:
        await answering(worker)
        status, kind, body = await fetch(f"{base}/openapi.json")
        assert (status, kind.split(";")[0]) == (200, "application/json")
        assert {"/v1/compliance", "/v1/at-risk", "/metrics"} <= set(json.loads(body)["paths"])

        status, kind, body = await fetch(f"{base}/v1/compliance?window=1y")
        assert (status, kind.split(";")[0]) == (400, "application/problem+json")
        assert json.loads(body)["title"] == "invalid_query"

        status, kind, body = await fetch(f"{base}/metrics")
        assert status == 200
        assert kind.startswith("text/plain; version=")  # the exposition format, not bare text
        assert b"fairwind_sla" in body

        assert listening_addresses(worker.port) == {"0100007F"}  # 127.0.0.1, nothing else
    finally:
        await worker.stop()
