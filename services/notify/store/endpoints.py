"""Partners' webhook endpoints (``endpoints``, ``_id`` = ``ep_…``): the URL, the event types
subscribed, the signing secrets, the limits and the failure streak.

Secrets are kept as given (an HMAC needs the key itself, not a digest). A rotated-out
secret keeps signing until its ``expires_at``, so a receiver can switch without a gap."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument

from fairwind.mongo.repository import Repository
from services.notify.domain.partners import Endpoint, EndpointStatus, EventType
from services.notify.domain.webhooks import WebhookSecret

Document = dict[str, Any]


class Endpoints(Repository):
    collection_name = "endpoints"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [IndexModel([("partner_id", ASCENDING), ("created_at", ASCENDING)], name="partner")]
        )

    async def insert(self, doc: Document) -> None:
        await self.collection.insert_one(doc, session=self.session)

    async def get(self, endpoint_id: str, partner_id: str | None = None) -> Document | None:
        """An endpoint; with ``partner_id``, only if it is that partner's."""
        query: Document = {"_id": endpoint_id}
        if partner_id is not None:
            query["partner_id"] = partner_id
        found: Document | None = await self.collection.find_one(query, session=self.session)
        return found

    async def of_partner(self, partner_id: str) -> list[Document]:
        found = self.collection.find({"partner_id": partner_id}, session=self.session)
        return await found.sort("created_at", ASCENDING).to_list()

    async def of_partners(self, partner_ids: Collection[str]) -> list[Document]:
        if not partner_ids:
            return []
        found = self.collection.find(
            {"partner_id": {"$in": list(partner_ids)}}, session=self.session
        )
        return await found.to_list()

    async def enabled(self) -> list[Document]:
        found = self.collection.find({"status": EndpointStatus.ENABLED.value}, session=self.session)
        return await found.to_list()

    async def change(
        self, endpoint_id: str, partner_id: str, fields: Document, at: datetime
    ) -> Document | None:
        """Set ``fields`` on a partner's endpoint; the endpoint after, or None if not theirs."""
        found: Document | None = await self.collection.find_one_and_update(
            {"_id": endpoint_id, "partner_id": partner_id},
            {"$set": fields | {"updated_at": at}},
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )
        return found

    async def delete(self, endpoint_id: str, partner_id: str) -> bool:
        done = await self.collection.delete_one(
            {"_id": endpoint_id, "partner_id": partner_id}, session=self.session
        )
        return done.deleted_count == 1

    async def rotate(
        self,
        endpoint_id: str,
        partner_id: str,
        new: WebhookSecret,
        old_until: datetime,
        at: datetime,
    ) -> Document | None:
        """``new`` signs from now on; the secrets live so far sign until ``old_until``."""
        doc = await self.get(endpoint_id, partner_id)
        if doc is None:
            return None
        kept = [
            s | {"expires_at": min(s["expires_at"] or old_until, old_until)}
            for s in doc["secrets"]
            if s["expires_at"] is None or s["expires_at"] > at
        ]
        fresh = {"value": str(new), "created_at": at, "expires_at": None}
        return await self.change(endpoint_id, partner_id, {"secrets": [fresh, *kept]}, at)

    async def streaks(
        self, failed: dict[str, tuple[datetime, str]], succeeded: Collection[str]
    ) -> None:
        """After a round of deliveries: endpoints that failed start a streak (if none yet)
        and remember the error; one success clears it."""
        for endpoint_id, (at, error) in failed.items():
            await self.collection.update_one(
                {"_id": endpoint_id, "failing_since": None},
                {"$set": {"failing_since": at}},
                session=self.session,
            )
            await self.collection.update_one(
                {"_id": endpoint_id}, {"$set": {"last_error": error}}, session=self.session
            )
        if succeeded:
            await self.collection.update_many(
                {"_id": {"$in": list(succeeded)}, "failing_since": {"$ne": None}},
                {"$set": {"failing_since": None}},
                session=self.session,
            )

    async def disable(self, endpoint_id: str, at: datetime, reason: str) -> bool:
        done = await self.collection.update_one(
            {"_id": endpoint_id, "status": EndpointStatus.ENABLED.value},
            {
                "$set": {
                    "status": EndpointStatus.DISABLED.value,
                    "disabled_at": at,
                    "disabled_reason": reason,
                }
            },
            session=self.session,
        )
        return done.modified_count == 1


def endpoint_doc(
    partner_id: str,
    url: str,
    secret: WebhookSecret,
    at: datetime,
    *,
    event_types: Collection[EventType] = (),
    rate_per_s: float = 50.0,
    max_in_flight: int = 8,
    description: str = "",
    alert: tuple[str | None, str] = (None, "zh"),
) -> Document:
    """A new endpoint as stored, enabled, signing with ``secret``."""
    return {
        "_id": "ep_" + secrets.token_hex(10),
        "partner_id": partner_id,
        "url": url,
        "description": description,
        "event_types": sorted(t.value for t in event_types),
        "secrets": [{"value": str(secret), "created_at": at, "expires_at": None}],
        "status": EndpointStatus.ENABLED.value,
        "rate_per_s": rate_per_s,
        "max_in_flight": max_in_flight,
        "failing_since": None,
        "last_error": "",
        "alert_email": alert[0],  # told when it is disabled for failing
        "alert_language": alert[1],
        "created_at": at,
        "updated_at": at,
    }


def endpoint_of(doc: Document, now: datetime) -> Endpoint:
    """The rules' view of a stored endpoint: only the secrets still live sign."""
    live = tuple(
        WebhookSecret.parse(s["value"])
        for s in doc["secrets"]
        if s["expires_at"] is None or s["expires_at"] > now
    )
    return Endpoint(
        id=doc["_id"],
        partner_id=doc["partner_id"],
        url=doc["url"],
        secrets=live,
        event_types=frozenset(EventType(t) for t in doc["event_types"]),
        status=EndpointStatus(doc["status"]),
        rate_per_s=doc["rate_per_s"],
        max_in_flight=doc["max_in_flight"],
        failing_since=doc.get("failing_since"),
    )
