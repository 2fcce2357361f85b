"""The public interfaces the simulated actors use: the partner REST API (orders), the scan
REST API (tracking), RouteService over gRPC (courier tasks, routes) and the SLA pages."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import grpc
import httpx

from fairwind.v1 import routes_pb2, routes_pb2_grpc

Json = dict[str, Any]


@dataclass(frozen=True)
class Endpoints:
    """Where the platform's public interfaces are: given to the simulator (``make run`` sets
    them in its environment), never derived from a port plan of its own."""

    orders: str
    tracking: str
    routing: str  # RouteService host:port
    sla: str
    # notify's REST base, optional: the partners' webhook endpoints are registered there
    # and the summary counts its messages (its /metrics).
    notify: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Endpoints:
        given = {name: env[variable] for name, variable in VARIABLES.items()}
        return cls(**given, notify=env.get(NOTIFY, ""))


# Each endpoint's variable in the simulator's environment.
VARIABLES = {
    "orders": "FAIRWIND_SIM_ORDERS_URL",
    "tracking": "FAIRWIND_SIM_TRACKING_URL",
    "routing": "FAIRWIND_SIM_ROUTING_TARGET",
    "sla": "FAIRWIND_SIM_SLA_URL",
}
NOTIFY = "FAIRWIND_SIM_NOTIFY_URL"


class Clients:
    """One HTTP pool and one gRPC channel for every simulated actor."""

    def __init__(self, endpoints: Endpoints, keys: dict[str, str], devices: dict[str, str]):
        self.endpoints = endpoints
        self.keys, self.devices = keys, devices
        self.http = httpx.AsyncClient(
            timeout=30, limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)
        )
        self.channel = grpc.aio.insecure_channel(endpoints.routing)
        self.routes: Any = routes_pb2_grpc.RouteServiceStub(self.channel)

    async def close(self) -> None:
        await self.http.aclose()
        await self.channel.close()

    async def place(self, partner: str, body: Json, idempotency_key: str) -> tuple[int, Json]:
        answer = await self._retrying(
            "POST",
            f"{self.endpoints.orders}/v1/orders",
            json=body,
            headers={
                "Authorization": f"Bearer {self.keys[partner]}",
                "Idempotency-Key": idempotency_key,
            },
        )
        return answer.status_code, answer.json()

    async def cancel(self, partner: str, waybill: str) -> int:
        answer = await self._retrying(
            "POST",
            f"{self.endpoints.orders}/v1/orders/{waybill}/cancel",
            json={"reason": "changed my mind"},
            headers={"Authorization": f"Bearer {self.keys[partner]}"},
        )
        return answer.status_code

    async def scan(self, location: str, body: Json) -> tuple[int, Json]:
        answer = await self._retrying(
            "POST",
            f"{self.endpoints.tracking}/v1/scans",
            json=body,
            headers={"Authorization": f"Bearer {self.devices[location]}"},
        )
        return answer.status_code, answer.json()

    async def track(self, waybill: str) -> tuple[int, Json]:
        answer = await self._retrying("GET", f"{self.endpoints.tracking}/v1/track/{waybill}")
        return answer.status_code, answer.json()

    async def tasks(self, courier: str) -> list[Any]:
        reply = await self.routes.ListCourierTasks(
            routes_pb2.ListCourierTasksRequest(courier_id=courier), timeout=10
        )
        return list(reply.tasks)

    async def accept(self, courier: str, waybill: str) -> bool:
        try:
            await self.routes.AcceptCourierTask(
                routes_pb2.AcceptCourierTaskRequest(courier_id=courier, waybill=waybill),
                timeout=10,
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND):
                return False
            raise
        return True

    async def route(self, waybill: str) -> routes_pb2.Route | None:
        try:
            reply = await self.routes.GetRoute(
                routes_pb2.GetRouteRequest(waybill=waybill), timeout=10
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION):
                return None
            raise
        route: routes_pb2.Route = reply.route
        return route

    async def compliance(self, sla: str, by: str = "service_level", window: str = "24h") -> Json:
        answer = await self.http.get(
            f"{self.endpoints.sla}/v1/compliance",
            params={"sla": sla, "by": by, "window": window},
        )
        answer.raise_for_status()
        result: Json = answer.json()
        return result

    async def notify_metrics(self) -> str:
        """notify's Prometheus page ("" when notify is not given or does not answer)."""
        if not self.endpoints.notify:
            return ""
        try:
            answer = await self.http.get(f"{self.endpoints.notify}/metrics")
        except httpx.HTTPError:
            return ""
        return answer.text if answer.status_code == 200 else ""

    async def webhook_endpoint(self, partner: str, url: str) -> str:
        """Register a partner's receiver with notify's partner API; its signing secret."""
        answer = await self.http.post(
            f"{self.endpoints.notify}/v1/webhooks/endpoints",
            json={"url": url, "description": "the simulator's receiver"},
            headers={"Authorization": f"Bearer {self.keys[partner]}"},
        )
        answer.raise_for_status()
        return str(answer.json()["secret"])

    async def at_risk(self) -> Json:
        answer = await self.http.get(f"{self.endpoints.sla}/v1/at-risk")
        answer.raise_for_status()
        result: Json = answer.json()
        return result

    async def _retrying(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A real client retries 429, 503 and dropped connections, with backoff."""
        delay = 0.1
        for _ in range(8):
            try:
                answer = await self.http.request(method, url, **kwargs)
            except httpx.TransportError:
                answer = None
            if answer is not None and answer.status_code not in (429, 502, 503, 504):
                return answer
            retry_after = answer.headers.get("Retry-After") if answer is not None else None
            await asyncio.sleep(float(retry_after) if retry_after else delay)
            delay = min(delay * 2, 2.0)
        return await self.http.request(method, url, **kwargs)
