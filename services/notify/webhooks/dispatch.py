"""The webhook dispatcher: claims due deliveries for the lanes that have room, and records
what the lanes report, in batches.

- **Claiming**: each round asks for at most each lane's room (``Lane.room``), so a slow
  endpoint's backlog is never claimed ahead of what it can take, and the other lanes are
  filled from the same query.
- **Recording**: attempts are settled together, one transaction per batch: the delivery's
  new status (delivered, due again on the retry schedule, failed), the attempt in the
  partner's log, the endpoint's failure streak and a ``NotificationSent`` or
  ``NotificationFailed``.
- **Disabling**: an endpoint whose every attempt has failed for ``disable_after`` (a day)
  is disabled and ``WebhookEndpointDisabled`` published; its deliveries wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fairwind.runtime.lifecycle import Worker
from fairwind.v1 import common_pb2, notifications_pb2
from services.notify.accounts import account_message
from services.notify.channels.webhook import Answer, WebhookPoster
from services.notify.domain.partners import Endpoint
from services.notify.domain.retries import RetryPolicy, Verdict, retry_after_s, verdict
from services.notify.domain.rules import Audience, Moment
from services.notify.handlers import NotifyService
from services.notify.store import NotifyUnit, endpoint_of
from services.notify.webhooks.lanes import Lane

log = logging.getLogger(__name__)
Document = dict[str, Any]
Outcome = tuple[Document, Endpoint, Answer, datetime]


@dataclass
class Dispatcher:
    svc: NotifyService
    poster: WebhookPoster
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    rng: random.Random = field(default_factory=random.Random)
    lanes: dict[str, Lane] = field(default_factory=dict)
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    _outcomes: list[Outcome] = field(default_factory=list)
    _enabled: set[str] = field(default_factory=set)
    _refreshed: float = field(default=-1e9)
    _reclaimed: float = field(default=-1e9)

    async def round(self) -> int:
        """One claim for every lane with room; how many deliveries were claimed."""
        await self._refresh()
        now = self.svc.clock.now()
        lease_s = self.svc.settings.send_lease_s
        room = {key: self.lanes[key].room(lease_s) for key in self._enabled}
        lease = now + timedelta(seconds=lease_s * self.svc.clock.speed)
        claimed = await self.svc.store.deliveries.claim(room, now, lease, self.token)
        by_lane: dict[str, list[Document]] = {}
        for doc in claimed:
            by_lane.setdefault(doc["endpoint_id"], []).append(doc)
        for key, docs in by_lane.items():
            self.lanes[key].push(docs)
        return len(claimed)

    def _done(self, doc: Document, endpoint: Endpoint, answer: Answer) -> None:
        self._outcomes.append((doc, endpoint, answer, self.svc.clock.now()))

    async def flush(self) -> int:
        """Record every outcome reported so far; how many."""
        outcomes, self._outcomes = self._outcomes, []
        if not outcomes:
            return 0
        settled, attempts, events = [], [], []
        failed: dict[str, tuple[datetime, str]] = {}
        succeeded: set[str] = set()
        for outcome in outcomes:
            fields, attempt, event = self._record(*outcome)
            settled.append((outcome[0]["_id"], self.token, fields))
            attempts.append(attempt)
            events.append(event)
            endpoint_id, at, answer = outcome[1].id, outcome[3], outcome[2]
            if attempt["outcome"] == "delivered":
                succeeded.add(endpoint_id)
            else:  # a refusal counts too: an endpoint that says no to everything is broken
                failed[endpoint_id] = (at, answer.error)

        async def record(uow: NotifyUnit) -> None:
            mine = await uow.deliveries.settle(settled)
            await uow.attempts.insert(attempts)  # every attempt made, held or not
            await uow.endpoints.streaks(failed, succeeded)
            uow.emit(
                *(event for (key, _, _), event in zip(settled, events, strict=True) if key in mine)
            )

        await self.svc.uow.run(record)
        for attempt in attempts:
            self.svc.metrics.webhook_attempts.labels(
                attempt["endpoint_id"], attempt["outcome"]
            ).inc()
        await self._disable_failing(set(failed) - succeeded)
        return len(outcomes)

    def _record(
        self, doc: Document, endpoint: Endpoint, answer: Answer, now: datetime
    ) -> tuple[Document, Document, Any]:
        first = doc.get("first_attempt_at") or now
        judged = verdict(answer.status)
        when = None
        if judged is Verdict.RETRY:
            wait = retry_after_s(answer.retry_after, datetime.now(UTC))
            when = self.policy.next_attempt(first, doc["attempts"], now, self.rng, wait)
        if judged is Verdict.DELIVERED:
            outcome, fields = "delivered", {"status": "delivered", "delivered_at": now}
        elif when is not None:
            outcome, fields = "retry", {"status": "queued", "due_at": when}
        else:
            outcome, fields = "failed", {"status": "failed", "failed_at": now}
        fields |= {
            "first_attempt_at": first,
            "last_status": answer.status,
            "last_error": answer.error,
        }
        if answer.status is not None:
            self.svc.metrics.webhook_latency.labels(endpoint.id).observe(answer.latency_s)
        attempt = {
            "delivery_id": doc["_id"],
            "webhook_id": doc["webhook_id"],
            "endpoint_id": endpoint.id,
            "partner_id": endpoint.partner_id,
            "waybill": doc["waybill"],
            "type": doc["type"],
            "attempt": doc["attempts"],
            "at": now,
            "logged_at": datetime.now(UTC),
            "status": answer.status,
            "latency_ms": round(answer.latency_s * 1000, 1),
            "error": answer.error,
            "outcome": outcome,
        }
        return fields, attempt, self._event(doc, endpoint, answer, now, outcome, when)

    def _event(
        self,
        doc: Document,
        endpoint: Endpoint,
        answer: Answer,
        now: datetime,
        outcome: str,
        when: datetime | None,
    ) -> Any:
        about = {
            "notification_id": doc["_id"],
            "waybill": doc["waybill"],
            "recipient_kind": notifications_pb2.RECIPIENT_KIND_PARTNER,
            "recipient": urlsplit(endpoint.url).hostname or "",
            "recipient_id": endpoint.partner_id,
            "channel": common_pb2.CHANNEL_WEBHOOK,
            "template": doc["type"],
            "trigger_ce_id": doc["trigger"]["ce_id"],
            "trigger_ce_type": doc["trigger"]["ce_type"],
            "attempt": doc["attempts"],
            "http_status": answer.status or 0,
        }
        if outcome == "delivered":
            sent = notifications_pb2.NotificationSent(
                **about, provider_message_id=doc["webhook_id"]
            )
            sent.sent_at.FromDatetime(now)
            sent.latency.FromTimedelta(timedelta(seconds=answer.latency_s))
            return self.svc.codec.encode(sent, doc["waybill"])
        failed = notifications_pb2.NotificationFailed(
            **about, error=answer.error[:500], will_retry=when is not None
        )
        failed.failed_at.FromDatetime(now)
        if when is not None:
            failed.next_attempt_at.FromDatetime(when)
        return self.svc.codec.encode(failed, doc["waybill"])

    async def _disable_failing(self, failing: set[str]) -> None:
        now = self.svc.clock.now()
        for endpoint_id in failing:
            doc = await self.svc.store.endpoints.get(endpoint_id)
            if doc is None or not self.policy.disables(doc.get("failing_since"), now):
                continue
            event = disabled_event(self.svc, doc, now, doc.get("last_error", ""))
            notice = disabled_notice(doc, event, now)

            async def disable(
                uow: NotifyUnit, key: str = endpoint_id, told: Any = event, mail: Any = notice
            ) -> None:
                if await uow.endpoints.disable(key, now, "failing"):
                    uow.emit(told)
                    await uow.messages.insert(mail)  # the partner's on-call is told

            await self.svc.uow.run(disable)
            self._enabled.discard(endpoint_id)

    async def _refresh(self) -> None:
        """The endpoints as stored, every ``refresh_s``: new ones get a lane, changed ones
        their new secrets and limits; a disabled or deleted one's lane ends once idle."""
        wall = time.monotonic()
        if wall - self._reclaimed >= self.svc.settings.send_lease_s / 2:
            self._reclaimed = wall
            await self.svc.store.deliveries.reclaim(self.svc.clock.now())
        if wall - self._refreshed < self.svc.settings.webhook_refresh_s:
            return
        self._refreshed = wall
        now = self.svc.clock.now()
        stored = await self.svc.store.endpoints.enabled()
        current = {doc["_id"]: endpoint_of(doc, now) for doc in stored}
        self._enabled = set(current)
        for key, endpoint in current.items():
            if key in self.lanes:
                self.lanes[key].retarget(endpoint)
            else:
                self.lanes[key] = Lane(endpoint, self.poster, self._done)
        for key in [k for k, lane in self.lanes.items() if k not in current and lane.idle]:
            del self.lanes[key]
        for key, waiting in (await self.svc.store.deliveries.depth()).items():
            self.svc.metrics.webhook_waiting.labels(key).set(waiting)

    async def close(self, within_s: float = 5.0) -> None:
        """Stop: what is in flight ends and is recorded, what waited goes back to the queue."""
        left: list[str] = []
        for lane in self.lanes.values():
            left += [doc["_id"] for doc in await lane.finish(within_s)]
        await self.svc.store.deliveries.release(left, self.token)
        await self.flush()
        await self.poster.close()


def disabled_event(svc: NotifyService, doc: Document, now: datetime, error: str) -> Any:
    message = notifications_pb2.WebhookEndpointDisabled(
        endpoint_id=doc["_id"],
        partner_id=doc["partner_id"],
        host=urlsplit(doc["url"]).hostname or "",
        last_error=error,
    )
    if doc.get("failing_since"):
        message.failing_since.FromDatetime(doc["failing_since"])
    message.disabled_at.FromDatetime(now)
    return svc.codec.encode(message, doc["partner_id"])


def disabled_notice(doc: Document, event: Any, now: datetime) -> list[Document]:
    """The e-mail to the endpoint's alert address (none without one), in its language."""
    email = doc.get("alert_email")
    if not email:
        return []
    failing_since = doc.get("failing_since")
    context = {
        "customer_id": doc["partner_id"],
        "customer_name": doc["partner_id"],
        "company": doc["partner_id"],
        "waybill": "",
        "tracking_url": "",
        "unsubscribe_url": "",
        "endpoint_id": doc["_id"],
        "host": urlsplit(doc["url"]).hostname or "",
        "last_error": doc.get("last_error") or "—",
        "at": failing_since.isoformat() if failing_since else "",
        "occurrence": now.isoformat(),
    }
    person = {"name": "", "email": email, "language": doc.get("alert_language", "zh")}
    key = f"{Moment.WEBHOOK_DISABLED.value}:{doc['_id']}:{now.isoformat()}:{email}"
    trigger = {"ce_id": event.event_id, "ce_type": event.event_type}
    return [
        account_message(
            key, Moment.WEBHOOK_DISABLED, Audience.PARTNER, person, context, trigger, now
        )
    ]


def dispatcher_worker(dispatcher: Dispatcher) -> Worker:
    """Claim, let the lanes send, record; a round that claimed nothing rests a while."""
    stopping = asyncio.Event()
    interval = dispatcher.svc.settings.webhook_interval_s

    async def run() -> None:
        try:
            while not stopping.is_set():
                try:
                    claimed = await dispatcher.round()
                    await dispatcher.flush()
                except Exception:
                    log.exception("webhook round failed; trying again")
                    claimed = 0
                rest = interval if claimed == 0 else interval / 10
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), rest)
        finally:
            await dispatcher.close()

    return Worker("notify-webhooks", run, stopping.set)
