"""Before the day: API keys for the partners and tokens for the handhelds and hub scanners,
issued with the services' own admin commands (as an operator would), never their code."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from sim.world import Hub, Outlet


class ProvisioningError(RuntimeError):
    pass


async def _admin(
    service: str, args: list[str], stdin: str | None = None, env: dict[str, str] | None = None
) -> str:
    env = (env or dict(os.environ)) | {
        "FAIRWIND_SERVICE_NAME": service,
        "FAIRWIND_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"services.{service}",
        *args,
        env=env,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate(stdin.encode() if stdin is not None else None)
    if process.returncode != 0:
        raise ProvisioningError(f"{service} {' '.join(args)}: {err.decode().strip()}")
    return out.decode()


async def partner_key(partner: str, rate: float, env: dict[str, str] | None = None) -> str:
    scopes = "orders:read,orders:write,webhooks:manage"
    created = ["keys", "create", "--partner", partner, "--scopes", scopes]
    key = (await _admin("orders", created, env=env)).strip()
    await _admin(
        "orders",
        ["partners", "rate-limit", partner, "--rate", str(rate), "--burst", str(int(rate * 2))],
        env=env,
    )
    return key


async def device_tokens(
    outlets: list[Outlet], hubs: list[Hub], env: dict[str, str] | None = None
) -> dict[str, str]:
    lines = [{"location": o.code, "kind": "outlet", "city": o.city_code} for o in outlets] + [
        {"location": h.code, "kind": "hub", "city": h.city_code} for h in hubs
    ]
    out = await _admin(
        "tracking",
        ["devices", "create-many"],
        "\n".join(json.dumps(line) for line in lines),
        env=env,
    )
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {record["location"]: record["token"] for record in records}


async def provision(
    partners: list[str],
    outlets: list[Outlet],
    hubs: list[Hub],
    rate: float = 1000,
    env: dict[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """API keys by partner and device tokens by location. ``env`` reaches the databases
    (default: this process's environment)."""
    keys, devices = await asyncio.gather(
        asyncio.gather(*(partner_key(p, rate, env) for p in partners)),
        device_tokens(outlets, hubs, env),
    )
    return dict(zip(partners, keys, strict=True)), devices


# The partners' history before the day, for the CRM archive: a quarter's orders at each
# partner's share of a network-wide volume, so the partners rank (and are tiered) by share.
ARCHIVE_DAYS = 90
ARCHIVE_DAILY_ORDERS = 2_000
ARCHIVE_MEAN_PRICE_CNY = 18.0


def archive(partners: list[tuple[str, float]]) -> list[dict[str, Any]]:
    """One archive record per partner (customer id = partner id, as ``keys create`` has it)."""
    records: list[dict[str, Any]] = []
    for number, (name, share) in enumerate(partners, start=1):
        shipments = round(ARCHIVE_DAYS * ARCHIVE_DAILY_ORDERS * share)
        records.append(
            {
                "customer_id": name,
                "name": f"{name.title()} shipping desk",
                "company": f"{name.title()} Ltd.",
                "phones": [f"+8675588{number:06d}"],  # desk lines, not the senders' mobiles
                "emails": [f"shipping@{name}.example"],
                "revenue_90d_cny": round(shipments * ARCHIVE_MEAN_PRICE_CNY, 2),
                "shipments_90d": shipments,
            }
        )
    return records


# The network's account managers: CRM gives each key account one of them, and they hear of
# its late parcels and churn risk by e-mail (in the local mail sink under `make run`).
MANAGERS = [
    {"id": "am-li", "name": "李敏", "email": "li.min@fairwind.example", "phone": "+8613800000101"},
    {
        "id": "am-zhou",
        "name": "周强",
        "email": "zhou.qiang@fairwind.example",
        "phone": "+8613800000102",
    },
]


async def customer_tiers(
    partners: list[tuple[str, float]], env: dict[str, str] | None = None
) -> dict[str, str]:
    """Imports the partners' archive into CRM (which ranks them at once) and the account
    managers (who get the key accounts); tiers by partner."""
    lines = "\n".join(json.dumps(record) for record in archive(partners))
    out = await _admin("crm", ["customers", "import"], lines, env=env)
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    managers = "\n".join(json.dumps(m, ensure_ascii=False) for m in MANAGERS)
    await _admin("crm", ["managers", "import"], managers, env=env)
    return {record["customer_id"]: record["tier"] for record in records}
