"""Caller ID for the call centre: who is calling, by phone number or by name and company,
with what the agent should see at once (profile, recent orders, open complaints). The
gRPC and REST entrypoints both call these.

By name: candidates come from indexes, then are scored in Python (services/crm/domain/matching.py).
First the close ones: the best-ranked customers of exactly the normalised company, those
whose company starts with it, and, with a name, the customers with that exact contact name
whose company has every bigram of it (at most ``caller_candidates`` each). Only if there
are none, the fuzzy ones: per bigram (at most ``MAX_GRAMS``) the best-ranked customers
sharing it (``caller_candidates`` shared out, at least ``MIN_PER_GRAM`` each) and, with a
name, the customers with that contact name whose company shares any bigram. With a name
and no company: the customers with that exact contact name (``PERSON_CANDIDATES``,
best-ranked first). The best match at or above ``caller_match_threshold`` is the caller;
the next ones at or above it are the candidates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from services.crm import complaints
from services.crm.domain import matching, phones
from services.crm.domain.classification import Totals
from services.crm.handlers import CrmService, live_totals

Document = dict[str, Any]
DEFAULT_RECENT, MAX_RECENT = 10, 50
DEFAULT_CANDIDATES, MAX_CANDIDATES = 3, 10
MAX_GRAMS = 8
PERSON_CANDIDATES = 200
MIN_PER_GRAM = 5


@dataclass
class CallerCard:
    """What the agent sees about the customer on the line."""

    customer: Document
    totals: Totals
    recent_orders: list[Document]
    open_issues: list[str]
    complaints_90d: int


@dataclass
class NameMatch:
    card: CallerCard
    best: matching.Match
    # The next best matches with the documents they were scored on.
    others: list[tuple[matching.Match, Document]] = field(default_factory=list)


def recent_limit(requested: int) -> int:
    if requested < 0:
        raise ValueError("recent_orders_limit must not be negative")
    return min(requested or DEFAULT_RECENT, MAX_RECENT)


def candidates_limit(requested: int) -> int:
    if requested < 0:
        raise ValueError("max_candidates must not be negative")
    return min(requested or DEFAULT_CANDIDATES, MAX_CANDIDATES)


async def card(svc: CrmService, doc: Document, recent: int) -> CallerCard:
    """The customer's card: its reads run at once, the lookup waits for the slowest only."""
    customer_id = doc["_id"]
    totals, orders, issues, count = await asyncio.gather(
        live_totals(svc, doc),
        svc.store.orders.recent(customer_id, recent),
        complaints.open_issues(svc, doc),
        complaints.complaints_90d(svc, doc),
    )
    return CallerCard(doc, totals, orders, issues, count)


async def by_phone(svc: CrmService, raw: str, recent_orders_limit: int) -> CallerCard | None:
    """The caller with this number (the best-ranked if several share it); None if nobody
    has it. ValueError for something that is not a number or a negative limit."""
    limit = recent_limit(recent_orders_limit)
    doc = await svc.store.customers.by_phone(
        phones.normalise(raw, svc.settings.default_country_code)
    )
    return None if doc is None else await card(svc, doc, limit)


def _check(name: str, company: str) -> None:
    if not name.strip() and not company.strip():
        raise ValueError("give a name or a company (or both)")
    if len(name) > matching.MAX_QUERY or len(company) > matching.MAX_QUERY:
        raise ValueError(f"name and company are at most {matching.MAX_QUERY} characters")


def _spread(grams: Sequence[str], most: int) -> list[str]:
    """At most ``most`` of the grams, spread evenly over the name (a long name still asks
    the index a bounded number of times)."""
    if len(grams) <= most:
        return list(grams)
    step = (len(grams) - 1) / (most - 1)
    return list(dict.fromkeys(grams[round(i * step)] for i in range(most)))


async def candidates(svc: CrmService, query: matching.CallerQuery) -> list[Document]:
    """The customers worth scoring: few, from indexes (see the module doc)."""
    customers = svc.store.customers
    limit = svc.settings.caller_candidates
    grams = _spread(matching.company_grams(query.key), MAX_GRAMS)
    names = matching.name_variants(query.name) if query.name else []
    if not query.key:
        return _merge([await customers.by_person(names, PERSON_CANDIDATES)] if names else [])
    close = [customers.by_company_key(query.key, limit)]
    if matching.informative(query.key):
        close.append(customers.by_prefix(query.key[: matching.MAX_PREFIX], limit))
    if names:  # the caller's own company among the many that contain its words
        close.append(customers.by_person(names, limit, {"company_grams": {"$all": grams}}))
    found = _merge(await asyncio.gather(*close))
    if found:
        return found
    # Nothing has what the caller said: the customers sharing any of its bigrams.
    per_gram = max(MIN_PER_GRAM, limit // len(grams))
    fuzzy = [customers.by_gram(gram, per_gram) for gram in grams]
    if names:
        fuzzy.append(customers.by_person(names, limit, {"company_grams": {"$in": grams}}))
    return _merge(await asyncio.gather(*fuzzy))


def _merge(batches: Sequence[list[Document]]) -> list[Document]:
    found: dict[str, Document] = {}
    for batch in batches:
        for doc in batch:
            found.setdefault(doc["_id"], doc)
    return list(found.values())


async def by_name(
    svc: CrmService, name: str, company: str, recent_orders_limit: int, max_candidates: int
) -> NameMatch | None:
    """The customer that best matches the caller's name and company; None if none scores
    ``caller_match_threshold``. ValueError for an empty or too long query, bad limits."""
    _check(name, company)
    recent, others = recent_limit(recent_orders_limit), candidates_limit(max_candidates)
    query = matching.CallerQuery.of(name, company)
    scored = await candidates(svc, query)
    matches = matching.ranked(query, scored, svc.settings.caller_match_threshold)
    if not matches:
        return None
    best = matches[0]
    doc = await svc.store.customers.get(best.customer_id)
    if doc is None:  # deleted between the two reads
        return None
    by_id = {d["_id"]: d for d in scored}
    rest = [(m, by_id[m.customer_id]) for m in matches[1 : 1 + others]]
    return NameMatch(await card(svc, doc, recent), best, rest)


async def reindex_names(svc: CrmService) -> int:
    """Recompute every customer's ``company_key`` and ``company_grams`` (a backfill for
    customers stored before they existed, or after the normalisation rules changed)."""
    customers = svc.store.customers
    done = 0
    chunk: dict[str, Document] = {}
    async for doc in customers.companies():
        chunk[doc["_id"]] = matching.company_fields(doc.get("company") or "")
        if len(chunk) >= 1000:
            await customers.set_company_fields(chunk)
            done, chunk = done + len(chunk), {}
    await customers.set_company_fields(chunk)
    return done + len(chunk)
