"""The kit's token store: issuing, checking through a cached loader, revoking. Pure: the
loader is an in-memory dict, the clock a number."""

from __future__ import annotations

import pytest

from fairwind.testing import ManualClock
from fairwind.tokens import Credential, IssuedToken, TokenStore, digest


class Records:
    """A loader over a dict, counting its queries."""

    def __init__(self) -> None:
        self.stored: dict[str, Credential[str]] = {}
        self.queries = 0

    async def __call__(self, token_id: str) -> Credential[str] | None:
        self.queries += 1
        return self.stored.get(token_id)

    def add(self, issued: IssuedToken, subject: str) -> None:
        self.stored[issued.id] = Credential(issued.secret_sha256, subject)


def store(
    ttl_s: float = 30, capacity: int = 10_000
) -> tuple[TokenStore[str], Records, ManualClock]:
    records, clock = Records(), ManualClock()
    return TokenStore("fw", records, ttl_s, capacity, clock), records, clock


def test_an_issued_token_has_its_shape_and_only_its_digest_is_kept() -> None:
    tokens, _, _ = store()
    issued = tokens.issue()
    prefix, token_id, secret = issued.plain[:2], issued.plain[3:15], issued.plain[16:]
    assert (prefix, token_id) == ("fw", issued.id)
    assert issued.secret_sha256 == digest(secret) != secret
    assert tokens.issue().id != issued.id


async def test_the_right_secret_gives_the_subject_and_a_wrong_one_nothing() -> None:
    tokens, records, _ = store()
    issued = tokens.issue()
    records.add(issued, "acme")
    assert await tokens.check(issued.plain) == "acme"
    wrong = issued.plain[:-1] + ("A" if issued.plain[-1] != "A" else "B")
    assert await tokens.check(wrong) is None
    assert records.queries == 1  # the wrong secret was checked against the cached record


@pytest.mark.parametrize(
    "presented",
    ["", "fw_", "dt_0123456789ab_" + "a" * 43, "fw_0123456789ab_" + "a" * 42, "fw_XYZ_abc"],
)
async def test_a_malformed_token_is_refused_without_a_query(presented: str) -> None:
    tokens, records, _ = store()
    assert await tokens.check(presented) is None
    assert records.queries == 0


async def test_hits_and_misses_are_cached_for_the_ttl() -> None:
    tokens, records, clock = store(ttl_s=30)
    issued = tokens.issue()
    unknown = tokens.issue()
    records.add(issued, "acme")
    for _ in range(3):
        assert await tokens.check(issued.plain) == "acme"
        assert await tokens.check(unknown.plain) is None
    assert records.queries == 2
    records.add(unknown, "late")  # created on another replica meanwhile
    del records.stored[issued.id]  # revoked on another replica
    clock.now += 29
    assert (await tokens.check(issued.plain), await tokens.check(unknown.plain)) == ("acme", None)
    clock.now += 2
    assert (await tokens.check(issued.plain), await tokens.check(unknown.plain)) == (None, "late")


async def test_forget_takes_effect_at_once() -> None:
    tokens, records, _ = store()
    issued = tokens.issue()
    records.add(issued, "acme")
    assert await tokens.check(issued.plain) == "acme"
    del records.stored[issued.id]
    tokens.forget(issued.id)
    assert await tokens.check(issued.plain) is None


async def test_a_zero_ttl_asks_every_time() -> None:
    tokens, records, _ = store(ttl_s=0)
    issued = tokens.issue()
    records.add(issued, "acme")
    for _ in range(3):
        await tokens.check(issued.plain)
    assert records.queries == 3


async def test_the_cache_stays_bounded() -> None:
    tokens, _, _ = store(capacity=10)
    for _ in range(50):
        await tokens.check(tokens.issue().plain)
    assert len(tokens._cache) <= 10


def test_a_prefix_is_a_short_lower_case_word() -> None:
    with pytest.raises(ValueError, match="prefix"):
        TokenStore("f_w", Records(), 30)
