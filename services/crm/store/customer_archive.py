"""The archive fields of the customer documents (``customers``: contacts, city,
evaluations), as a base of ``Customers``, kept apart so each class stays small.

``contacts``: named people, the main one first; ``contact_phones`` the numbers they brought
into ``phones`` (they leave with their contact). ``cities``: orders per shipper city, and
``city`` the top one unless the import set it (``city_source`` = "import").
``evaluation``: the customer's latest evaluation of us against competitors, ``competitors``
its names, ``evaluations`` the last few, newest last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import UpdateOne

from fairwind.mongo.repository import Repository
from services.crm.domain.archive import Contact, city_key
from services.crm.domain.classification import ArchiveEntry, Sighting

Document = dict[str, Any]
IMPORTED = "import"

# ``city`` := the key of ``cities`` with the highest count, the first of equals (keys keep
# their insertion order); archive_domain.top_city is the same rule.
_TOP_CITY: Document = {
    "$reduce": {
        "input": {"$objectToArray": {"$ifNull": ["$cities", {}]}},
        "initialValue": {"k": None, "v": 0},
        "in": {"$cond": [{"$gt": ["$$this.v", "$$value.v"]}, "$$this", "$$value"]},
    }
}
_KEEP_TOP_CITY = [
    {
        "$set": {
            "city": {
                "$cond": [
                    {"$eq": ["$city_source", IMPORTED]},
                    "$city",
                    {"$getField": {"field": "k", "input": _TOP_CITY}},
                ]
            }
        }
    }
]


def contact_docs(contacts: Sequence[Contact]) -> list[Document]:
    return [asdict(c) for c in contacts]


def city_updates(sightings: Sequence[Sighting]) -> list[UpdateOne]:
    """Per customer of a batch: its orders per shipper city counted, then ``city`` kept the
    top one (after the sightings' upserts, in the same ordered bulk write)."""
    counts: dict[str, dict[str, int]] = {}
    for seen in sightings:
        key = city_key(seen.city)
        if key:
            cities = counts.setdefault(seen.customer_id, {})
            cities[key] = cities.get(key, 0) + 1
    updates: list[UpdateOne] = []
    for customer_id, cities in counts.items():
        increments = {f"cities.{key}": n for key, n in cities.items()}
        updates.append(UpdateOne({"_id": customer_id}, {"$inc": increments}))
        updates.append(UpdateOne({"_id": customer_id}, _KEEP_TOP_CITY))
    return updates


def imported_fields(entry: ArchiveEntry) -> Document:
    """What an import line sets of the archive part's fields (only those it gives)."""
    fields: Document = {}
    if entry.contacts is not None:
        fields["contacts"] = contact_docs(entry.contacts)
    if entry.city:
        fields |= {"city": entry.city, "city_source": IMPORTED}
    return fields


def imported_phones(entry: ArchiveEntry) -> list[str]:
    """The line's phones and its contacts': all known from the import from now on."""
    contact_phones = [c.phone for c in entry.contacts or () if c.phone]
    return list(dict.fromkeys([*entry.phones, *contact_phones]))


class ArchiveFields(Repository):
    async def contacts_of(self, customer_id: str) -> Document | None:
        """The customer's contacts and the numbers they touch (None if unknown)."""
        return await self.collection.find_one(
            {"_id": customer_id},
            {"contacts": 1, "phones": 1, "contact_phones": 1},
            session=self.session,
        )

    async def set_contacts(
        self,
        customer_id: str,
        contacts: Sequence[Contact],
        phones: list[str],
        contact_phones: list[str],
        now: datetime,
    ) -> None:
        await self.collection.update_one(
            {"_id": customer_id},
            {
                "$set": {
                    "contacts": contact_docs(contacts),
                    "phones": phones,
                    "contact_phones": contact_phones,
                    "updated_at": now,
                }
            },
            session=self.session,
        )

    async def record_evaluation(
        self, customer_id: str, evaluation: Document, keep: int, now: datetime
    ) -> bool:
        """The evaluation becomes the current one and joins the last ``keep``; False if the
        customer is unknown (then nothing is written)."""
        result = await self.collection.update_one(
            {"_id": customer_id},
            {
                "$set": {
                    "evaluation": evaluation,
                    "competitors": [c["name"] for c in evaluation["competitors"]],
                    "updated_at": now,
                },
                "$push": {"evaluations": {"$each": [evaluation], "$slice": -keep}},
            },
            session=self.session,
        )
        return result.matched_count == 1

    async def evaluations_of(self, customer_id: str) -> Document | None:
        return await self.collection.find_one(
            {"_id": customer_id}, {"evaluation": 1, "evaluations": 1}, session=self.session
        )
