"""``python -m services.crm managers import < managers.jsonl``: account managers in bulk.

One manager per JSON line, the fields of ``POST /v1/managers``:
``{"id": "m.li", "name": "李敏", "email": "li.min@fairwind.example", "phone": "+86...",
"capacity": 40, "active": true}``. Every line is checked before anything is written (as
``customers import`` does): on the first bad line nothing is imported. Then every manager is
upserted in one transaction (each field replaced, ``created_at`` kept) and everyone is
re-ranked at once, which hands key accounts to the new managers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable

from pydantic import ValidationError

from services.crm.accounts.managers import Document, ManagerIn, manager_doc
from services.crm.bootstrap import admin_service
from services.crm.handlers import CrmService
from services.crm.ranking import RankResult, rerank
from services.crm.settings import CrmSettings
from services.crm.store import CrmUnit


class BadManagers(ValueError):
    """The import cannot be done; the message names the line."""


def parse_managers(
    lines: Iterable[str], country_code: str, max_managers: int, max_line: int
) -> list[Document]:
    """Every manager of the JSON-lines input, or BadManagers for the first bad line."""
    managers: list[Document] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line.encode()) > max_line:
            raise BadManagers(f"line {number}: longer than {max_line} bytes")
        if len(managers) >= max_managers:
            raise BadManagers(f"line {number}: more than {max_managers} managers")
        try:
            doc = manager_doc(ManagerIn.model_validate(json.loads(line)), country_code)
        except json.JSONDecodeError as exc:
            raise BadManagers(f"line {number}: not JSON: {exc.msg}") from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in exc.errors()
            )
            raise BadManagers(f"line {number}: {problems}") from None
        except ValueError as exc:
            raise BadManagers(f"line {number}: {exc}") from None
        if doc["_id"] in seen:
            raise BadManagers(
                f"line {number}: manager {doc['_id']!r} already on line {seen[doc['_id']]}"
            )
        seen[doc["_id"]] = number
        managers.append(doc)
    if not managers:
        raise BadManagers("no managers in the input")
    return managers


async def import_managers(svc: CrmService, managers: list[Document]) -> RankResult:
    """Upsert every manager in one transaction, then re-rank: the re-rank assigns key
    accounts to new managers, takes them from inactive ones and copies changed names."""

    async def upsert(uow: CrmUnit) -> None:
        await uow.managers.upsert(managers, svc.clock.now())

    await svc.uow.run(upsert)
    return await rerank(svc)


async def managers_command(settings: CrmSettings, args: argparse.Namespace) -> int:
    """The ``managers`` admin command; the exit code (2: bad input, nothing imported)."""
    try:  # everything is checked before the database is touched
        managers = parse_managers(
            sys.stdin,
            settings.default_country_code,
            settings.max_import_managers,
            settings.max_import_line_bytes,
        )
    except BadManagers as exc:
        print(f"error: {exc}; nothing imported", file=sys.stderr)
        return 2
    async with admin_service(settings) as svc:
        result = await import_managers(svc, managers)
        loads = await svc.store.assignments.loads([m["_id"] for m in managers])
    for m in managers:
        held = loads.get(m["_id"], {}).get("accounts", 0)
        line = {"id": m["_id"], "name": m["name"], "active": m["active"], "accounts": held}
        print(json.dumps(line, ensure_ascii=False), flush=True)
    print(
        f"imported {len(managers)} managers, re-ranked {len(result.ranking)} customers",
        file=sys.stderr,
    )
    return 0
