"""One lane per endpoint: its deliveries wait in its own queue and go out at its own pace
(``domain/pacing.py``) with at most ``max_in_flight`` at once, so a slow or failing
partner fills only its own lane and never delays another's deliveries.

Each attempt is signed as it leaves (the Standard Webhooks timestamp is the wall clock's,
which receivers check against theirs), with every live secret of the endpoint."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from services.notify.channels.webhook import Answer, WebhookPoster
from services.notify.domain.pacing import Pace
from services.notify.domain.partners import Endpoint
from services.notify.domain.webhooks import signed_headers

Document = dict[str, Any]
Done = Callable[[Document, Endpoint, Answer], None]


class Lane:
    def __init__(self, endpoint: Endpoint, poster: WebhookPoster, done: Done) -> None:
        self.endpoint = endpoint
        self.poster = poster
        self.done = done
        self.pace = Pace(endpoint.rate_per_s, burst=endpoint.max_in_flight)
        self.waiting: deque[Document] = deque()
        self.in_flight = 0
        self._workers: set[asyncio.Task[None]] = set()

    def room(self, lease_s: float) -> int:
        """How many more deliveries it may hold: two rounds of its concurrency, and no
        more than its pace gets out well within a lease."""
        endpoint = self.endpoint
        most = min(2 * endpoint.max_in_flight, max(1, int(endpoint.rate_per_s * lease_s / 4)))
        return max(0, most - len(self.waiting) - self.in_flight)

    @property
    def idle(self) -> bool:
        return not self.waiting and not self._workers

    def retarget(self, endpoint: Endpoint) -> None:
        """The endpoint as stored now (a rotated secret, new limits)."""
        if (endpoint.rate_per_s, endpoint.max_in_flight) != (
            self.endpoint.rate_per_s,
            self.endpoint.max_in_flight,
        ):
            self.pace = Pace(endpoint.rate_per_s, burst=endpoint.max_in_flight)
        self.endpoint = endpoint

    def push(self, docs: Iterable[Document]) -> None:
        self.waiting.extend(docs)
        while len(self._workers) < min(self.endpoint.max_in_flight, len(self.waiting)):
            task = asyncio.create_task(self._work())
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)

    async def _work(self) -> None:
        while self.waiting:
            doc = self.waiting.popleft()
            self.in_flight += 1
            try:
                wait = self.pace.reserve(time.monotonic())
                if wait:
                    await asyncio.sleep(wait)
                endpoint = self.endpoint
                headers = signed_headers(
                    endpoint.secrets, doc["webhook_id"], int(time.time()), doc["body"]
                )
                answer = await self.poster.post(endpoint.url, headers, doc["body"])
            finally:
                self.in_flight -= 1
            self.done(doc, endpoint, answer)

    async def finish(self, within_s: float) -> list[Document]:
        """Let what is in flight end (up to ``within_s``); what still waited, to be
        handed back to the queue."""
        left = list(self.waiting)
        self.waiting.clear()
        if self._workers:
            await asyncio.wait(list(self._workers), timeout=within_s)
        for task in list(self._workers):
            task.cancel()
        return left
