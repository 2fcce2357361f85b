"""Stand-in routing and CRM gRPC services for benchmarks: ``python -m bench.fake_deps PORT``."""

from __future__ import annotations

import asyncio
import sys

from prometheus_client import CollectorRegistry

from fairwind.metrics import kit_metrics
from fairwind.rpc import GrpcServer, ServiceBinding
from fairwind.v1 import crm_pb2_grpc, routes_pb2_grpc
from tests.integration.orders.fakes import FakeCustomers, FakeRouting


async def main(port: int) -> None:
    server = GrpcServer(
        [
            ServiceBinding(
                "fairwind.v1.RouteService",
                routes_pb2_grpc.add_RouteServiceServicer_to_server,
                FakeRouting(),
            ),
            ServiceBinding(
                "fairwind.v1.CustomerService",
                crm_pb2_grpc.add_CustomerServiceServicer_to_server,
                FakeCustomers(),
            ),
        ],
        "127.0.0.1",
        port,
        kit_metrics(CollectorRegistry()),
    )
    await server.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
