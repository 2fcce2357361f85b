"""Bearer secrets of the form ``<prefix>_<id>_<secret>`` (partners' API keys, devices'
tokens): issued once, stored as the secret's SHA-256, checked through a short cache.

The id finds the record; the presented secret's digest is compared with the stored one in
constant time. Secrets are 256-bit random, so a fast hash is right here (unlike passwords).
A service gives the store its loader (its own query) and decides what a token means."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from fairwind.cache import TtlCache

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Credential(Generic[T]):
    """What a loader found for an id: the stored digest and what the token stands for."""

    secret_sha256: str
    subject: T


@dataclass(frozen=True, slots=True)
class IssuedToken:
    id: str
    secret_sha256: str  # to store
    plain: str  # to show once


@dataclass(frozen=True, slots=True)
class _Answer(Generic[T]):
    # Wraps a loader's answer so that "no such token" is cached too, not asked again.
    credential: Credential[T] | None


Loader = Callable[[str], Awaitable[Credential[T] | None]]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenStore(Generic[T]):
    """Checks presented tokens; a loader's answers (hits and misses) are kept ``ttl_s``, so a
    revocation takes effect within ``ttl_s`` on every replica, at once on the one that
    calls ``forget``. ``ttl_s=0`` asks the loader every time."""

    def __init__(
        self,
        prefix: str,
        load: Loader[T],
        ttl_s: float,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not re.fullmatch(r"[a-z]{2,8}", prefix):
            raise ValueError(f"bad token prefix {prefix!r}")
        self.prefix = prefix
        self._pattern = re.compile(rf"^{prefix}_([0-9a-f]{{12}})_([A-Za-z0-9_-]{{43}})$")
        self._load = load
        self._cache: TtlCache[_Answer[T]] = TtlCache(ttl_s, capacity, clock)

    def issue(self) -> IssuedToken:
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        return IssuedToken(token_id, digest(secret), f"{self.prefix}_{token_id}_{secret}")

    async def check(self, presented: str) -> T | None:
        """What a well-formed token with the right secret stands for; None for anything else."""
        match = self._pattern.match(presented)
        if match is None:
            return None
        token_id, secret = match.groups()
        answer = self._cache.get(token_id)
        if answer is None:
            answer = _Answer(await self._load(token_id))
            self._cache.put(token_id, answer)
        found = answer.credential
        if found is None or not hmac.compare_digest(found.secret_sha256, digest(secret)):
            return None
        return found.subject

    def forget(self, token_id: str) -> None:
        """Drop what this process remembers of a token (after revoking it)."""
        self._cache.discard(token_id)
