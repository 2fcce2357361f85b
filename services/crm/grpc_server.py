"""CustomerService over gRPC (thin): tiers for order intake, caller ID for the call centre."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc

from fairwind.v1 import crm_pb2, crm_pb2_grpc
from services.crm import convert, grpc_callers
from services.crm.complaints import complaints_90d
from services.crm.handlers import CrmService, live_totals

Context = grpc.aio.ServicerContext[Any, Any]
MAX_ID = 64


class CustomerServicer(crm_pb2_grpc.CustomerServiceServicer):
    def __init__(self, svc: CrmService) -> None:
        self.svc = svc

    async def GetProfile(
        self, request: crm_pb2.GetProfileRequest, context: Context
    ) -> crm_pb2.GetProfileResponse:
        if not request.customer_id or len(request.customer_id) > MAX_ID:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, f"customer_id must be 1..{MAX_ID} characters"
            )
        doc = await self.svc.store.customers.get(request.customer_id)
        if doc is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no customer {request.customer_id!r}")
        totals, count = await asyncio.gather(
            live_totals(self.svc, doc), complaints_90d(self.svc, doc)
        )
        return crm_pb2.GetProfileResponse(
            profile=convert.profile_message(
                doc, totals, self.svc.settings.currency, complaints_90d=count
            )
        )

    async def LookupByPhone(
        self, request: crm_pb2.LookupByPhoneRequest, context: Context
    ) -> crm_pb2.LookupByPhoneResponse:
        return await grpc_callers.lookup_by_phone(self.svc, request, context)

    async def LookupByName(
        self, request: crm_pb2.LookupByNameRequest, context: Context
    ) -> crm_pb2.LookupByNameResponse:
        return await grpc_callers.lookup_by_name(self.svc, request, context)
