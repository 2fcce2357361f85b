"""Signed links in messages (no I/O): a survey's, an opt-out's. The link carries what it
is for and an HMAC of that under the service's link secret, so nobody can make a link for
another parcel or person, and nothing need be looked up before checking one."""

from __future__ import annotations

import base64
import hashlib
import hmac


def link_token(secret: bytes, purpose: str, subject: str) -> str:
    mac = hmac.new(secret, f"{purpose}:{subject}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()  # 144 bits, 24 characters


def link_signed(secret: bytes, purpose: str, subject: str, presented: str) -> bool:
    return hmac.compare_digest(link_token(secret, purpose, subject), presented)
