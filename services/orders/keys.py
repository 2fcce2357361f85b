"""Partners and their API keys: created and revoked from the command line, stored hashed.

A key reads ``fw_<key id>_<secret>``. The key id finds the record; the secret is checked
against its SHA-256 (keys are 256-bit random, so a fast hash is right here, unlike
passwords) with a constant-time comparison. The plain key is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.orders.store import ApiKeys, Partners

Document = dict[str, Any]
SCOPES = frozenset({"orders:read", "orders:write"})
_KEY = re.compile(r"^fw_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
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


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyStore:
    """Issuing, revoking and checking keys, on the ``api_keys`` and ``partners``
    repositories."""

    def __init__(self, db: AsyncDatabase[Document], cache_s: float = 30.0) -> None:
        self.keys = ApiKeys(db)
        self.partners = Partners(db)
        self.cache_s = cache_s
        self._cache: dict[str, tuple[float, Document | None]] = {}

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
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        await self.keys.insert(
            {
                "_id": key_id,
                "partner_id": partner_id,
                "scopes": sorted(scopes),
                "secret_sha256": _digest(secret),
                "created_at": now,
                "revoked_at": None,
            }
        )
        return IssuedKey(key_id, f"fw_{key_id}_{secret}")

    async def revoke(self, key_id: str) -> bool:
        revoked = await self.keys.revoke(key_id, datetime.now(UTC))
        self._cache.pop(key_id, None)
        return revoked

    async def list(self, partner_id: str | None = None) -> list[Document]:
        return await self.keys.listing(partner_id)

    async def set_rate_limit(self, partner_id: str, rate_per_s: float, burst: int) -> bool:
        return await self.partners.set_rate_limit(partner_id, rate_per_s, burst)

    async def authenticate(self, presented: str) -> Partner | None:
        """The partner behind a valid, unrevoked key; None for anything else."""
        match = _KEY.match(presented)
        if match is None:
            return None
        key_id, secret = match.groups()
        record = await self._record(key_id)
        if record is None or record.get("revoked_at") is not None:
            return None
        if not hmac.compare_digest(record["secret_sha256"], _digest(secret)):
            return None
        return Partner(
            record["partner_id"],
            record["customer_id"],
            frozenset(record["scopes"]),
            record.get("rate_per_s"),
            record.get("burst"),
        )

    async def _record(self, key_id: str) -> Document | None:
        """Key and partner joined, cached briefly: a revocation takes effect within
        ``cache_s`` on every replica (immediately on the one that revoked)."""
        now = time.monotonic()
        cached = self._cache.get(key_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        key = await self.keys.get(key_id)
        record = None
        if key is not None:
            partner = await self.partners.get(key["partner_id"]) or {}
            record = key | {
                "customer_id": partner.get("customer_id", key["partner_id"]),
                "rate_per_s": partner.get("rate_per_s"),
                "burst": partner.get("burst"),
            }
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key_id] = (now + self.cache_s, record)
        return record
