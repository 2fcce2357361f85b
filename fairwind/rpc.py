"""gRPC aio servers with health checking, reflection and metrics, the same for every service."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from fairwind.metrics import KitMetrics
from fairwind.observability import correlation

MAX_MESSAGE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class ServiceBinding:
    """One gRPC service to serve: its full name, generated ``add_..._to_server``, servicer."""

    name: str
    add_to_server: Callable[[Any, grpc.aio.Server], None]
    servicer: Any


class MetricsInterceptor(grpc.aio.ServerInterceptor):
    """Counts every unary call by method and status code, times it, and carries trace context."""

    def __init__(self, metrics: KitMetrics) -> None:
        self.metrics = metrics

    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any] | None]
        ],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = details.method
        traceparent = dict(details.invocation_metadata or ()).get("traceparent")
        behaviour: Any = handler.unary_unary  # async in an aio server despite the stub's type

        async def observed(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            started = time.perf_counter()
            code = grpc.StatusCode.UNKNOWN
            try:
                with correlation(traceparent if isinstance(traceparent, str) else None):
                    response = await behaviour(request, context)
                code = context.code() or grpc.StatusCode.OK
                return response
            except BaseException:
                code = context.code() or grpc.StatusCode.UNKNOWN
                raise
            finally:
                status = code.name if isinstance(code, grpc.StatusCode) else str(code)
                self.metrics.grpc_handled.labels(method, status).inc()
                self.metrics.grpc_latency.labels(method).observe(time.perf_counter() - started)

        return grpc.unary_unary_rpc_method_handler(
            observed,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


class GrpcServer:
    """``await start()``, then ``await stop()``: health goes NOT_SERVING, calls drain."""

    def __init__(
        self,
        bindings: Sequence[ServiceBinding],
        host: str,
        port: int,
        metrics: KitMetrics,
    ) -> None:
        self.bindings = list(bindings)
        self.address = f"{host}:{port}"
        self.health = HealthServicer()
        self.server = grpc.aio.server(
            interceptors=[MetricsInterceptor(metrics)],
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                ("grpc.so_reuseport", 0),
            ],
        )
        self.port = 0

    async def start(self) -> int:
        for binding in self.bindings:
            binding.add_to_server(binding.servicer, self.server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        names = [b.name for b in self.bindings]
        reflection.enable_server_reflection(
            [
                *names,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ],
            self.server,
        )
        self.port = self.server.add_insecure_port(self.address)
        await self.server.start()
        for name in ["", *names]:
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        return self.port

    async def stop(self, grace_s: float = 5.0) -> None:
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace_s)
