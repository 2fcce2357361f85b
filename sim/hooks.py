"""The partners' webhook receivers: one local HTTP server, a path per partner, checking
each delivery the way the Standard Webhooks spec tells a receiver to (its own HMAC code,
not notify's), and counting what came. One partner's receiver is flaky on purpose: it
answers 503 to the first try of one delivery in ten, so retries are part of the day."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from fairwind.infra.processes import free_port

TOLERANCE_S = 300


def verified(secret: str, request: web.BaseRequest, body: bytes) -> bool:
    """Strip ``whsec_``, base64-decode the key, HMAC-SHA256 over ``id.timestamp.body``, and
    compare with each ``v1,`` signature; refuse a timestamp off by more than 5 minutes."""
    found = request.headers
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"))
        msg_id, stamp = found["webhook-id"], found["webhook-timestamp"]
        if abs(time.time() - int(stamp)) > TOLERANCE_S:
            return False
    except (KeyError, ValueError):
        return False
    mac = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    expected = base64.b64encode(mac).decode()
    offered = [s.split(",", 1)[1] for s in found.get("webhook-signature", "").split() if "," in s]
    return any(hmac.compare_digest(expected, s) for s in offered)


def _one_in_ten(msg_id: str) -> bool:
    return hashlib.sha256(msg_id.encode()).digest()[0] % 10 == 0


@dataclass
class Receivers:
    flaky: str = ""  # the partner whose receiver fails some first tries
    secrets: dict[str, str] = field(default_factory=dict)
    received: Counter[str] = field(default_factory=Counter)  # verified deliveries per partner
    refused: int = 0  # bad or missing signatures
    types: Counter[str] = field(default_factory=Counter)
    seen: set[str] = field(default_factory=set)  # webhook-ids
    failed_on_purpose: int = 0
    payloads: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (partner, body)
    _runner: web.AppRunner | None = None
    base: str = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/hooks/{partner}", self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.base = f"http://127.0.0.1:{port}/hooks/"
        return self.base

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        partner = request.match_info["partner"]
        body = await request.read()
        secret = self.secrets.get(partner)
        if secret is None or not verified(secret, request, body):
            self.refused += 1
            return web.Response(status=400, text="bad signature")
        msg_id = request.headers["webhook-id"]
        first = msg_id not in self.seen
        self.seen.add(msg_id)
        if (
            partner == self.flaky
            and first
            and int(hashlib.sha1(msg_id.encode()).hexdigest(), 16) % 10 == 0
        ):
            self.failed_on_purpose += 1
            return web.Response(status=503)
        if first:
            payload = json.loads(body)
            self.received[partner] += 1
            self.types[payload.get("type", "?")] += 1
            self.payloads.append((partner, payload))
        return web.Response(status=204)

    def lines(self) -> list[str]:
        if not self.secrets:
            return []
        total = sum(self.received.values())
        kinds = " · ".join(f"{name} {n}" for name, n in self.types.most_common())
        return [
            "",
            "Webhooks (the partners' own receivers, signatures checked against the spec):",
            f"  {total} events received by {len(self.received)} partners ({kinds or 'none'})",
            f"  {self.refused} refused for a bad signature; {self.failed_on_purpose} first tries"
            f" failed on purpose by {self.flaky}'s flaky receiver (notify retried them)",
        ]
