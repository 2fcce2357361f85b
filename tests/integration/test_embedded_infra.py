"""The embedded launcher: MongoDB data survives a restart, even on other ports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from fairwind.infra.embedded import EmbeddedInfra
from fairwind.infra.processes import free_port, port_open

pytestmark = pytest.mark.integration

Client = MongoClient[dict[str, Any]]


def test_data_survives_a_restart_on_new_ports(tmp_path: Path) -> None:
    with EmbeddedInfra(tmp_path) as first:
        writer: Client = MongoClient(first.mongo_url)
        with writer:
            writer.fairwind_orders.orders.insert_one({"_id": "SF1"})
        old_ports = (first.kafka_port, first.mongo_port)
    assert not any(port_open("127.0.0.1", p) for p in old_ports)

    new_port = free_port()
    while new_port == old_ports[1]:
        new_port = free_port()
    second = EmbeddedInfra(tmp_path, mongo_port=new_port)
    reader: Client = MongoClient(second.mongo_url, serverSelectionTimeoutMS=10_000)
    with second, reader as client:
        assert client.fairwind_orders.orders.find_one({"_id": "SF1"}) == {"_id": "SF1"}
        assert client.admin.command("hello")["isWritablePrimary"]
