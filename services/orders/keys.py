"""Partners and their API keys: created and revoked from the command line, stored hashed.

A key reads ``fw_<key id>_<secret>`` and is checked by the kit's ``TokenStore``
(``fairwind/tokens.py``); this module says how a key is stored and what it grants. The
plain key is shown once, at creation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from fairwind.tokens import Credential, TokenStore
from services.orders.store import ApiKeys, Partners

Document = dict[str, Any]
SCOPES = frozenset({"orders:read", "orders:write", "webhooks:manage"})
_PARTNER = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


@dataclass(frozen=True, slots=True)
class Partner:
    id: str
    customer_id: str
    scopes: frozenset[str]
    rate_per_s: float | None = None
    burst: int | None = None


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key_id: str
    plain: str


class KeyStore:
    """Issuing, revoking and checking keys, on the ``api_keys`` and ``partners``
    repositories."""

    def __init__(self, db: AsyncDatabase[Document], cache_s: float = 30.0) -> None:
        self.keys = ApiKeys(db)
        self.partners = Partners(db)
        # A revocation takes effect within ``cache_s`` on every replica.
        self.tokens = TokenStore("fw", self._load, cache_s)

    async def create_indexes(self) -> None:
        await self.keys.create_indexes()

    async def create(
        self, partner_id: str, scopes: set[str], customer_id: str | None = None
    ) -> IssuedKey:
        if not _PARTNER.match(partner_id):
            raise ValueError("partner must be 2-40 lower-case letters, digits or dashes")
        unknown = scopes - SCOPES
        if unknown or not scopes:
            raise ValueError(f"scopes must be among {sorted(SCOPES)}, got {sorted(scopes)}")
        now = datetime.now(UTC)
        await self.partners.ensure(partner_id, customer_id or partner_id, now)
        issued = self.tokens.issue()
        await self.keys.insert(
            {
                "_id": issued.id,
                "partner_id": partner_id,
                "scopes": sorted(scopes),
                "secret_sha256": issued.secret_sha256,
                "created_at": now,
                "revoked_at": None,
            }
        )
        return IssuedKey(issued.id, issued.plain)

    async def revoke(self, key_id: str) -> bool:
        revoked = await self.keys.revoke(key_id, datetime.now(UTC))
        self.tokens.forget(key_id)
        return revoked

    async def list(self, partner_id: str | None = None) -> list[Document]:
        return await self.keys.listing(partner_id)

    async def set_rate_limit(self, partner_id: str, rate_per_s: float, burst: int) -> bool:
        return await self.partners.set_rate_limit(partner_id, rate_per_s, burst)

    async def authenticate(self, presented: str) -> Partner | None:
        """The partner behind a valid, unrevoked key; None for anything else."""
        return await self.tokens.check(presented)

    async def _load(self, key_id: str) -> Credential[Partner] | None:
        """An unrevoked key joined with its partner."""
        key = await self.keys.get(key_id)
        if key is None or key.get("revoked_at") is not None:
            return None
        partner = await self.partners.get(key["partner_id"]) or {}
        customer_id = partner["customer_id"] if "customer_id" in partner else key["partner_id"]
        return Credential(
            key["secret_sha256"],
            Partner(
                key["partner_id"],
                customer_id,
                frozenset(key["scopes"]),
                partner.get("rate_per_s"),
                partner.get("burst"),
            ),
        )
