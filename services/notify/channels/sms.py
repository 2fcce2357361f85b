"""SMS through an HTTP provider, in Twilio's Programmable Messaging format: one request per
message, ``POST {api}/2010-04-01/Accounts/{AccountSid}/Messages.json``, form-encoded
``To``, ``From`` and ``Body``, HTTP Basic auth with the account SID and its auth token.
The provider answers 201 with the message's ``sid``; a refusal is a JSON body with its own
``code`` and ``message`` (https://www.twilio.com/docs/errors).

What is tried again follows the platform's retry rules (``domain/retries.py``): 5xx, 408,
429 (its ``Retry-After`` honoured), a timeout or no connection. A 401 (error 20003, the
key is wrong or revoked) is an operator's to fix, so it is tried again too: a wrong key
delays messages, it never loses them. Any other 4xx is the provider's no for this message
(an invalid number, 21211; a recipient who texted STOP, 21610) and fails it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from services.notify.channels import Undelivered
from services.notify.domain.retries import Verdict, retry_after_s, verdict

MAX_BODY = 1600  # the provider's limit per message (it splits into segments itself)


@dataclass(frozen=True, slots=True)
class SmsRefusal:
    """What the provider said when it refused a message."""

    status: int
    code: int
    message: str


class SmsProvider:
    """The provider's Messages resource. One connection pool for the sender's life
    (``close`` at shutdown)."""

    def __init__(
        self,
        api_url: str,
        account_sid: str,
        auth_token: str,
        sender: str,
        *,
        timeout_s: float = 10.0,
    ) -> None:
        self.url = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.sender = sender
        self.timeout_s = timeout_s
        pair = f"{account_sid}:{auth_token}".encode()
        self._auth = {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, to: str, body: str, notification_id: str) -> str:
        """The provider's message SID once it accepted the message."""
        form = {"To": dialable(to), "From": self.sender, "Body": body[:MAX_BODY]}
        # Our id rides along so the provider's logs and ours can be joined.
        headers = {"Idempotency-Key": notification_id}
        try:
            async with self._client().post(self.url, data=form, headers=headers) as response:
                payload = await _json(response)
                if verdict(response.status) is Verdict.DELIVERED:
                    return str(payload.get("sid", ""))
                refusal = SmsRefusal(
                    response.status, int(payload.get("code") or 0), str(payload.get("message", ""))
                )
                wait = retry_after_s(response.headers.get("Retry-After"), datetime.now(UTC))
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise Undelivered(f"SMS provider unreachable: {exc!r}", retry=True) from exc
        raise Undelivered(
            f"SMS provider {refusal.status} (error {refusal.code}): {refusal.message}",
            retry=refusal.status == 401 or verdict(refusal.status) is Verdict.RETRY,
            retry_after=wait,
        )

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self._auth, timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def dialable(phone: str) -> str:
    """A number as people write it (``+86 138-0013 8000``) as the provider takes it
    (E.164, ``+8613800138000``). What is not a number stays as it was, for the provider to
    refuse with its own error."""
    digits = phone.translate(_SEPARATORS)
    return digits if digits.lstrip("+").isdigit() else phone


_SEPARATORS = str.maketrans("", "", " -().\u00a0")


async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    """The provider's JSON body; an answer that is not JSON (a proxy's error page) as {}."""
    try:
        payload = await response.json(content_type=None)
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
