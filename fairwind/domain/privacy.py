"""Masking personal data for public views and printed labels (privacy waybills, 隐私面单)."""

from __future__ import annotations

import hashlib
import hmac
import re


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits of a mobile number stay."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]  # +86 mobile numbers are shown as the 11 national digits
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str) -> str:
    """张*  /  王**  /  L*****: only the first character stays."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name.replace(" ", "")) - 1)


def mask_email(address: str) -> str:
    """l***@example.com: the first character of the mailbox and the domain stay."""
    local, at, domain = address.strip().partition("@")
    if not at or not local:
        return "*" * len(address.strip())
    return f"{local[0]}***@{domain}"


def last4_matches(phone: str, last4: str) -> bool:
    digits = re.sub(r"\D", "", phone)
    return len(last4) == 4 and last4.isdigit() and digits.endswith(last4)


def tracking_link_token(secret: str, waybill: str) -> str:
    """Proof of ownership carried by the tracking link a partner gets with its order: an HMAC
    of the waybill under a secret the orders and tracking services share."""
    return hmac.new(secret.encode(), waybill.encode(), hashlib.sha256).hexdigest()[:32]
