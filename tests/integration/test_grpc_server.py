"""The kit's gRPC server: health checking, reflection, metrics, trace context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from prometheus_client import CollectorRegistry

from fairwind.metrics import KitMetrics, kit_metrics
from fairwind.observability import current_correlation_id
from fairwind.rpc import GrpcServer, ServiceBinding
from fairwind.v1 import crm_pb2, crm_pb2_grpc

SERVICE = "fairwind.v1.CustomerService"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class Customers(crm_pb2_grpc.CustomerServiceServicer):
    def __init__(self) -> None:
        self.correlation_ids: list[str | None] = []

    async def GetProfile(
        self, request: crm_pb2.GetProfileRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> crm_pb2.GetProfileResponse:
        self.correlation_ids.append(current_correlation_id())
        if request.customer_id != "C1":
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no customer {request.customer_id}")
        response = crm_pb2.GetProfileResponse()
        response.profile.customer_id = "C1"
        return response


@pytest.fixture
def metrics() -> KitMetrics:
    return kit_metrics(CollectorRegistry())


@pytest.fixture
async def server(metrics: KitMetrics) -> AsyncIterator[tuple[GrpcServer, Customers]]:
    servicer = Customers()
    binding = ServiceBinding(SERVICE, crm_pb2_grpc.add_CustomerServiceServicer_to_server, servicer)
    server = GrpcServer([binding], "127.0.0.1", 0, metrics)
    await server.start()
    yield server, servicer
    await server.stop(0)


async def test_calls_are_served_counted_and_traced(
    server: tuple[GrpcServer, Customers], metrics: KitMetrics
) -> None:
    grpc_server, servicer = server
    async with grpc.aio.insecure_channel(f"127.0.0.1:{grpc_server.port}") as channel:
        stub = crm_pb2_grpc.CustomerServiceStub(channel)
        reply = await stub.GetProfile(
            crm_pb2.GetProfileRequest(customer_id="C1"), metadata=[("traceparent", TRACEPARENT)]
        )
        assert reply.profile.customer_id == "C1"
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.GetProfile(crm_pb2.GetProfileRequest(customer_id="C404"))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert missing.value.details() == "no customer C404"
    method = f"/{SERVICE}/GetProfile"
    assert metrics.grpc_handled.labels(method, "OK")._value.get() == 1
    assert metrics.grpc_handled.labels(method, "NOT_FOUND")._value.get() == 1
    assert servicer.correlation_ids[0] == "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_health_is_serving_then_not_serving_on_stop(
    server: tuple[GrpcServer, Customers],
) -> None:
    grpc_server, _ = server
    async with grpc.aio.insecure_channel(f"127.0.0.1:{grpc_server.port}") as channel:
        health: Any = health_pb2_grpc.HealthStub(channel)  # the stubs type sync channels only
        for name in ("", SERVICE):
            reply = await health.Check(health_pb2.HealthCheckRequest(service=name))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        await grpc_server.health.enter_graceful_shutdown()
        reply = await health.Check(health_pb2.HealthCheckRequest(service=SERVICE))
        assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING


async def test_reflection_lists_the_services(server: tuple[GrpcServer, Customers]) -> None:
    grpc_server, _ = server
    async with grpc.aio.insecure_channel(f"127.0.0.1:{grpc_server.port}") as channel:
        stub: Any = reflection_pb2_grpc.ServerReflectionStub(channel)  # type: ignore[arg-type]
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        async for response in stub.ServerReflectionInfo(iter([request])):
            names = {s.name for s in response.list_services_response.service}
            break
    assert {SERVICE, "grpc.health.v1.Health"} <= names
