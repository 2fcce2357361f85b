"""What notify keeps of each order (``parcels``, ``_id`` = waybill): the sender and the
recipient with their addresses and preferences, the partner, and whether it was cancelled.
Later events (scans, re-plans, SLA warnings) carry no contacts, so notify keeps its own."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, time
from typing import Any

from fairwind.mongo.repository import Repository
from services.notify.domain.planning import Parcel, Person
from services.notify.domain.rules import Audience, Channel, Moment, Preferences, QuietHours

Document = dict[str, Any]


class Parcels(Repository):
    collection_name = "parcels"

    async def add(self, docs: Sequence[Document]) -> None:
        """New parcels only: an order seen again (a redelivery) keeps what was stored."""
        fresh = await self.known([doc["_id"] for doc in docs])
        new = [doc for doc in docs if doc["_id"] not in fresh]
        if new:
            await self.collection.insert_many(new, session=self.session)

    async def cancel(self, waybills: Collection[str], at: datetime) -> None:
        if waybills:
            await self.collection.update_many(
                {"_id": {"$in": list(waybills)}, "cancelled_at": None},
                {"$set": {"cancelled_at": at}},
                session=self.session,
            )

    async def unsubscribe(self, waybill: str, audience: str) -> bool:
        """The person wants nothing more about this parcel; False if there is no such person."""
        done = await self.collection.update_one(
            {"_id": waybill, f"people.{audience}": {"$exists": True}},
            {"$set": {f"people.{audience}.unsubscribed": True}},
            session=self.session,
        )
        return done.matched_count == 1

    async def many(self, waybills: Collection[str]) -> dict[str, Parcel]:
        found = self.collection.find({"_id": {"$in": list(waybills)}}, session=self.session)
        return {doc["_id"]: parcel_of(doc) async for doc in found}


def parcel_doc(parcel: Parcel, at: datetime) -> Document:
    return {
        "_id": parcel.waybill,
        "partner_id": parcel.partner_id,
        "partner_order_id": parcel.partner_order_id,
        "customer_id": parcel.customer_id,
        "people": {audience.value: _person_doc(p) for audience, p in parcel.people.items()},
        "created_at": at,
        "cancelled_at": None,
    }


def parcel_of(doc: Document) -> Parcel:
    people = {Audience(name): _person(raw) for name, raw in doc["people"].items()}
    cancelled = doc.get("cancelled_at") is not None
    return Parcel(
        doc["_id"],
        people,
        cancelled,
        doc["partner_id"],
        doc.get("partner_order_id", ""),
        doc.get("customer_id", ""),
    )


def _person_doc(person: Person) -> Document:
    prefs = person.prefs
    quiet = prefs.quiet
    return {
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "zone": prefs.zone,
        "language": prefs.language,
        "opted_out": sorted(prefs.opted_out),
        "muted": sorted(prefs.muted),
        "unsubscribed": prefs.unsubscribed,
        "quiet": None if quiet is None else [quiet.start.isoformat(), quiet.end.isoformat()],
    }


def _person(raw: Document) -> Person:
    quiet = raw.get("quiet")
    prefs = Preferences(
        zone=raw["zone"],
        language=raw["language"],
        opted_out=frozenset(Channel(c) for c in raw["opted_out"]),
        muted=frozenset(Moment(m) for m in raw["muted"]),
        unsubscribed=raw["unsubscribed"],
        quiet=None if quiet is None else QuietHours(*(time.fromisoformat(t) for t in quiet)),
    )
    return Person(raw["name"], raw["email"], raw["phone"], prefs)
