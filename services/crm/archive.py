"""Importing the customer archive a VIP information system holds (JSON lines).

Every line is checked before anything is written: bad input changes nothing. The imported
90-day revenue and shipments are stored as the customer's baseline (``imported``), replaced
on every import, so importing the same file twice does not double anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from services.crm.archive_models import MAX_CONTACTS, ContactIn, contacts_of
from services.crm.domain import phones
from services.crm.domain.classification import ArchiveEntry, fen
from services.crm.handlers import CrmService
from services.crm.ranking import RankResult, rerank

CustomerId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:@-]{1,64}$")]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
]


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    customer_id: CustomerId
    name: Annotated[str, StringConstraints(max_length=100)] = ""
    company: Annotated[str, StringConstraints(max_length=200)] = ""
    phones: list[Annotated[str, StringConstraints(max_length=32)]] = Field(
        default_factory=list, max_length=20
    )
    emails: list[Email] = Field(default_factory=list, max_length=20)
    revenue_90d_cny: float = Field(ge=0, le=1e12, allow_inf_nan=False)
    shipments_90d: int = Field(default=0, ge=0, le=1_000_000_000)
    # Named people, the main contact first; given, they replace the stored ones.
    contacts: list[ContactIn] | None = Field(default=None, max_length=MAX_CONTACTS)
    # The city the customer ships from; given, orders no longer decide it.
    city: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class BadImport(ValueError):
    """The input cannot be imported; the message names the line."""


def parse(
    lines: Iterable[str], country_code: str, max_customers: int, max_line: int
) -> list[ArchiveEntry]:
    """Every customer of the input, or BadImport for the first bad line."""
    customers: list[ArchiveEntry] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line.encode()) > max_line:
            raise BadImport(f"line {number}: longer than {max_line} bytes")
        if len(customers) >= max_customers:
            raise BadImport(f"line {number}: more than {max_customers} customers")
        try:
            spec = CustomerIn.model_validate(json.loads(line))
            numbers = list(dict.fromkeys(phones.normalise(p, country_code) for p in spec.phones))
            contacts = None if spec.contacts is None else contacts_of(spec.contacts, country_code)
        except json.JSONDecodeError as exc:
            raise BadImport(f"line {number}: not JSON: {exc.msg}") from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in exc.errors()
            )
            raise BadImport(f"line {number}: {problems}") from None
        except ValueError as exc:
            raise BadImport(f"line {number}: {exc}") from None
        if spec.customer_id in seen:
            raise BadImport(
                f"line {number}: customer {spec.customer_id!r} already on line "
                f"{seen[spec.customer_id]}"
            )
        seen[spec.customer_id] = number
        customers.append(
            ArchiveEntry(
                spec.customer_id,
                spec.name,
                spec.company,
                numbers,
                list(dict.fromkeys(spec.emails)),
                fen(spec.revenue_90d_cny),
                spec.shipments_90d,
                contacts,
                spec.city,
            )
        )
    if not customers:
        raise BadImport("no customers in the input")
    return customers


async def import_customers(svc: CrmService, customers: list[ArchiveEntry]) -> RankResult:
    """Upsert the archive entries, then re-rank everyone at once."""
    await svc.store.customers.import_archive(customers, svc.clock.now())
    return await rerank(svc)
