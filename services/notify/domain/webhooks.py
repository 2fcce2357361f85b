"""Signing partner webhooks as the Standard Webhooks spec says (standardwebhooks.com).

Three headers go with every delivery: ``webhook-id`` (the same on every retry of one
message, so a receiver can dedupe), ``webhook-timestamp`` (Unix seconds, when this attempt
was signed) and ``webhook-signature``: ``v1,`` + the base64 HMAC-SHA256 of
``id.timestamp.body`` under the endpoint's secret. During a secret rotation the header
carries one signature per live secret, space-separated, and a receiver accepts the message
if any of them verifies. Receivers refuse timestamps more than five minutes away from their
clock, so a captured delivery cannot be replayed later.

Secrets are shown to partners as ``whsec_`` + base64 of 24 to 64 random bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SECRET_PREFIX = "whsec_"
TOLERANCE_S = 5 * 60
_MIN_KEY, _MAX_KEY = 24, 64


class SignatureError(ValueError):
    """A delivery whose headers do not prove it came from us (receiver side), or a secret
    that is not one."""


@dataclass(frozen=True, slots=True)
class WebhookSecret:
    key: bytes

    def __post_init__(self) -> None:
        if not _MIN_KEY <= len(self.key) <= _MAX_KEY:
            raise SignatureError(f"a secret is {_MIN_KEY} to {_MAX_KEY} bytes")

    @classmethod
    def generate(cls) -> WebhookSecret:
        return cls(secrets.token_bytes(32))

    @classmethod
    def parse(cls, text: str) -> WebhookSecret:
        """``whsec_<base64>``, or the base64 alone (receivers are given either)."""
        encoded = text.removeprefix(SECRET_PREFIX)
        try:
            return cls(base64.b64decode(encoded, validate=True))
        except binascii.Error as exc:
            raise SignatureError("a secret is whsec_ followed by base64") from exc

    def __str__(self) -> str:
        return SECRET_PREFIX + base64.b64encode(self.key).decode()

    def __repr__(self) -> str:
        return "WebhookSecret(<hidden>)"  # never in logs


def signature(secret: WebhookSecret, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(
    live: Sequence[WebhookSecret], message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three headers of one attempt, signed with every live secret (newest first)."""
    if not live:
        raise SignatureError("an endpoint has at least one secret")
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, body) for s in live),
    }


def verify(
    secret: WebhookSecret,
    headers: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance_s: int = TOLERANCE_S,
) -> None:
    """What a receiver does (the docs show it): raises SignatureError unless the headers
    are complete, the timestamp is within ``tolerance_s`` of ``now`` and one ``v1``
    signature matches."""
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        message_id = lowered["webhook-id"]
        stamp = lowered["webhook-timestamp"]
        offered = lowered["webhook-signature"]
    except KeyError as exc:
        raise SignatureError(f"missing header {exc.args[0]}") from exc
    try:
        timestamp = int(stamp)
    except ValueError as exc:
        raise SignatureError("webhook-timestamp is not Unix seconds") from exc
    if abs(now - timestamp) > tolerance_s:
        raise SignatureError("webhook-timestamp too far from now")
    expected = signature(secret, message_id, timestamp, body)
    for candidate in offered.split():
        if candidate.startswith("v1,") and hmac.compare_digest(candidate, expected):
            return
    raise SignatureError("no signature matches")
