"""The channels messages go out on, each a real protocol: e-mail over SMTP (``email``), SMS
through an HTTP provider (``sms``). A channel either returns the id the other side gave the
message or raises ``Undelivered``."""

from __future__ import annotations


class Undelivered(Exception):
    """The message did not go out; ``retry`` tells whether it may later, ``retry_after``
    (seconds) how long the other side asked us to wait, if it did."""

    def __init__(self, detail: str, *, retry: bool, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry = retry
        self.retry_after = retry_after
