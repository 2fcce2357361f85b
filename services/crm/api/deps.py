"""FastAPI dependencies shared by crm's routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.crm.handlers import CrmService


# ``async``, though it awaits nothing: FastAPI runs a plain ``def`` dependency in its
# thread pool, a thread hop per request that cost intake a tenth of its time.
async def service(request: Request) -> CrmService:
    svc: CrmService = request.app.state.service
    return svc


Service = Annotated[CrmService, Depends(service)]
