"""Partner webhooks over HTTP (aiohttp): one signed POST per attempt, never following a
redirect (a signed body must not be re-posted elsewhere), with a timeout; the answer (a
status, or none at all) goes back to the dispatcher, which decides what it means."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp

USER_AGENT = "Fairwind-Webhooks/1.0"


@dataclass(frozen=True, slots=True)
class Answer:
    status: int | None  # None: no HTTP answer (timeout, refused, reset)
    latency_s: float
    retry_after: str | None = None
    error: str = ""


class WebhookPoster:
    """One connection pool for every endpoint; each lane caps its own connections."""

    def __init__(self, timeout_s: float = 10.0) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, headers: Mapping[str, str], body: bytes) -> Answer:
        sent = dict(headers) | {"content-type": "application/json", "user-agent": USER_AGENT}
        started = time.perf_counter()
        try:
            async with self._client().post(
                url, data=body, headers=sent, allow_redirects=False
            ) as response:
                await response.read()  # the connection goes back to the pool
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except TimeoutError:
            return Answer(None, time.perf_counter() - started, error="timeout")
        except (aiohttp.ClientError, OSError) as exc:
            error = f"connection: {type(exc).__name__}"
            return Answer(None, time.perf_counter() - started, error=error)
        latency = time.perf_counter() - started
        error = "" if 200 <= status < 300 else f"HTTP {status}"
        return Answer(status, latency, retry_after, error)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
