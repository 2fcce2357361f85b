"""The caller-ID and complaint fields of the customer archive (``customers``), as a base of
``Customers``: the caller-ID queries and company keys, kept apart so the class stays small.

``company_key`` is the normalised company (services/crm/domain/matching.py), ``company_region``
the place it named, ``company_prefixes`` the key's informative beginnings and
``company_grams`` its character bigrams; the last two are multikey indexes with the revenue
rank, so "the best-ranked customers whose company starts with / has X" reads only as many
index entries as it returns. ``open_complaints`` counts the customer's open complaints,
moved by the transaction that opens or resolves one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, UpdateOne

from fairwind.mongo.repository import Repository

Document = dict[str, Any]
WRITE_CHUNK = 1000
# What scoring reads of a candidate; the best one's whole document is fetched after.
_SCORED = {
    "company": 1,
    "company_key": 1,
    "company_region": 1,
    "name": 1,
    "contacts": 1,
    "revenue_rank": 1,
}

CALLER_INDEXES = [
    IndexModel([("company_grams", ASCENDING), ("revenue_rank", ASCENDING)], name="company_grams"),
    IndexModel([("company_key", ASCENDING), ("revenue_rank", ASCENDING)], name="company_key"),
    IndexModel(
        [("company_prefixes", ASCENDING), ("revenue_rank", ASCENDING)], name="company_prefixes"
    ),
    # A scalar and an array: the name and company filter of a lookup both on the index.
    IndexModel([("name", ASCENDING), ("company_grams", ASCENDING)], name="name_grams"),
    IndexModel([("contacts.name", ASCENDING)], name="contact_names"),
]


class CallerFields(Repository):
    async def by_company_key(self, company_key: str, limit: int) -> list[Document]:
        """Customers whose normalised company is exactly ``company_key``, best ranked first."""
        return await self._ranked({"company_key": company_key}, limit)

    async def by_prefix(self, prefix: str, limit: int) -> list[Document]:
        """The best-ranked customers whose normalised company starts with ``prefix`` (one of
        ``matching.company_prefixes``)."""
        return await self._ranked({"company_prefixes": prefix}, limit)

    async def by_gram(self, gram: str, limit: int) -> list[Document]:
        """The best-ranked customers whose company has ``gram``: the index is read in rank
        order, so a gram thousands share costs ``limit`` entries, not thousands."""
        return await self._ranked({"company_grams": gram}, limit)

    async def by_person(
        self, names: Sequence[str], limit: int, company: Document | None = None
    ) -> list[Document]:
        """Customers whose contact name, or a contact's, is exactly one of ``names``, best
        ranked first; given ``company`` (a filter on the matching fields), only those it
        passes. Two queries at once, each on its own index: the server filters by company,
        so only the few that pass travel."""
        reads = []
        for field, index in (("name", "name_grams"), ("contacts.name", "contact_names")):
            query: Document = {field: {"$in": list(names)}} | (company or {})
            cursor = self.collection.find(query, _SCORED, session=self.session).hint(index)
            reads.append(cursor.sort([("revenue_rank", ASCENDING)]).limit(limit).to_list())
        first, second = await asyncio.gather(*reads)
        return first + second

    async def _ranked(self, query: Document, limit: int) -> list[Document]:
        found = self.collection.find(query, _SCORED, session=self.session)
        return await found.sort([("revenue_rank", ASCENDING)]).limit(limit).to_list()

    async def add_open_complaints(
        self, customer_id: str, delta: int, opened_at: datetime | None = None
    ) -> bool:
        """Move the customer's open-complaint count (and, for a new complaint, the time of
        the latest); False if there is no such customer."""
        update: dict[str, Any] = {"$inc": {"open_complaints": delta}}
        if opened_at is not None:
            update["$max"] = {"last_complaint_at": opened_at}
        result = await self.collection.update_one(
            {"_id": customer_id}, update, session=self.session
        )
        return result.matched_count == 1

    def companies(self) -> AsyncIterator[Document]:
        return self.collection.find({}, {"company": 1}, session=self.session)

    async def set_company_fields(self, fields: Mapping[str, Document]) -> None:
        """Store each customer's matching fields (``matching.company_fields``)."""
        updates = [UpdateOne({"_id": cid}, {"$set": doc}) for cid, doc in fields.items()]
        for start in range(0, len(updates), WRITE_CHUNK):
            chunk = updates[start : start + WRITE_CHUNK]
            await self.collection.bulk_write(chunk, ordered=False, session=self.session)
