"""E-mail over SMTP (aiosmtplib, one connection kept open): one MIME message per
notification, plain text and HTML alternatives, its language and our Message-ID.

An answer the server gives for good (5xx: no such mailbox, refused) fails the message; a
4xx, a timeout or a connection that cannot be made is tried again later (``Undelivered``
says which)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from services.notify.channels import Undelivered
from services.notify.rendering import Email


@dataclass
class SmtpMailer:
    """One SMTP connection kept open between messages (a handshake per message would cost
    more than the message); after any error it is dropped and the next send reconnects."""

    host: str
    port: int
    sender: str  # the From address, e.g. "Fairwind <notify@fairwind.dev>"
    timeout_s: float = 10.0
    domain: str = "fairwind.dev"  # the right-hand side of our Message-IDs
    _client: aiosmtplib.SMTP | None = field(default=None, init=False, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    def message(self, to: str, email: Email, notification_id: str) -> EmailMessage:
        mime = EmailMessage()
        mime["From"] = self.sender
        mime["To"] = to
        mime["Subject"] = email.subject
        mime["Message-ID"] = make_msgid(idstring=_token(notification_id), domain=self.domain)
        mime.set_content(email.text)
        mime.add_alternative(email.html, subtype="html")
        mime["Content-Language"] = email.language  # after the parts: set_content clears it
        return mime

    async def send(self, to: str, email: Email, notification_id: str) -> str:
        """The message's Message-ID once the server accepted it."""
        mime = self.message(to, email, notification_id)
        try:
            async with self._lock:
                await self._send(mime)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refusal.code for refusal in exc.recipients]
            raise Undelivered(
                f"SMTP refused {to}: {codes}", retry=all(c < 500 for c in codes)
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise Undelivered(f"SMTP {exc.code} {exc.message}", retry=exc.code < 500) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise Undelivered(f"SMTP unreachable: {exc}", retry=True) from exc
        return str(mime["Message-ID"])

    async def _send(self, mime: EmailMessage) -> None:
        if self._client is None or not self._client.is_connected:
            client = aiosmtplib.SMTP(hostname=self.host, port=self.port, timeout=self.timeout_s)
            await client.connect()
            self._client = client
        try:
            await self._client.send_message(mime)
        except BaseException:
            await self.close()  # whatever state the session is in, start the next one clean
            raise

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()


def _token(notification_id: str) -> str:
    """Message-ID local parts allow no ``:``; keep the id readable for support."""
    return notification_id.replace(":", ".").replace("+", "-")[:64]
