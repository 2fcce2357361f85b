"""Complaints over REST for the call centre (thin), and the backlog report. Errors are
problem+json: 404 unknown customer or complaint, 409 resolved already, 422 bad body or a
waybill that is not the customer's."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, StringConstraints

from fairwind.http import FastJSONResponse, FastJSONRoute, Problem
from services.crm import complaints
from services.crm.api.deps import Service
from services.crm.complaint_views import complaint_view
from services.crm.domain.complaints import (
    AlreadyResolved,
    ComplaintError,
    NotTheirWaybill,
)

router = APIRouter(prefix="/v1", tags=["complaints"], route_class=FastJSONRoute)

StaffId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:@-]{1,64}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Waybill = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9-]{1,32}$")]
Category = Literal["late", "damaged", "lost", "courier_conduct", "billing", "other"]
MAX_ID = 64


class ComplaintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: Category
    summary: Text
    waybill: Waybill | None = None
    owner: StaffId | None = None
    filed_by: StaffId


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owner: StaffId


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution: Text
    resolved_by: StaffId


def _problem(exc: ComplaintError) -> Problem:
    if isinstance(exc, AlreadyResolved):
        return Problem(409, str(exc))
    if isinstance(exc, NotTheirWaybill):
        return Problem(422, str(exc))
    return Problem(404, str(exc))


def _known(value: str, what: str) -> str:
    if len(value) > MAX_ID:
        raise Problem(404, f"No {what} {value[:MAX_ID]!r}.")
    return value


@router.post("/customers/{customer_id}/complaints", status_code=201)
async def file_complaint(customer_id: str, body: ComplaintIn, svc: Service) -> FastJSONResponse:
    """File a complaint for the customer (its open-complaint count moves with it)."""
    try:
        doc = await complaints.open_complaint(
            svc,
            _known(customer_id, "customer"),
            body.category,
            body.summary,
            body.waybill,
            body.owner,
            body.filed_by,
        )
    except ComplaintError as exc:
        raise _problem(exc) from None
    return FastJSONResponse(
        complaint_view(doc), status_code=201, headers={"Location": f"/v1/complaints/{doc['_id']}"}
    )


@router.get("/customers/{customer_id}/complaints")
async def list_complaints(
    customer_id: str,
    svc: Service,
    status: Literal["open", "resolved"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> FastJSONResponse:
    """The customer's complaints, most recently opened first."""
    try:
        docs = await complaints.complaints_of(svc, _known(customer_id, "customer"), status, limit)
    except ComplaintError as exc:
        raise _problem(exc) from None
    return FastJSONResponse(
        {
            "customer_id": customer_id,
            "status": status,
            "complaints": [complaint_view(d) for d in docs],
        }
    )


@router.get("/complaints/{complaint_id}")
async def get_complaint(complaint_id: str, svc: Service) -> FastJSONResponse:
    try:
        doc = await complaints.get_complaint(svc, _known(complaint_id, "complaint"))
    except ComplaintError as exc:
        raise _problem(exc) from None
    return FastJSONResponse(complaint_view(doc))


@router.patch("/complaints/{complaint_id}")
async def assign_complaint(complaint_id: str, body: AssignIn, svc: Service) -> FastJSONResponse:
    """Give an open complaint an owner (409 once it is resolved)."""
    try:
        doc = await complaints.assign(svc, _known(complaint_id, "complaint"), body.owner)
    except ComplaintError as exc:
        raise _problem(exc) from None
    return FastJSONResponse(complaint_view(doc))


@router.post("/complaints/{complaint_id}/resolve")
async def resolve_complaint(complaint_id: str, body: ResolveIn, svc: Service) -> FastJSONResponse:
    """Resolve an open complaint, once (409 if it is resolved already)."""
    try:
        doc = await complaints.resolve(
            svc, _known(complaint_id, "complaint"), body.resolution, body.resolved_by
        )
    except ComplaintError as exc:
        raise _problem(exc) from None
    return FastJSONResponse(complaint_view(doc))


@router.get("/reports/complaints", tags=["reports"], response_model=None)
async def complaints_report(
    svc: Service, format: Annotated[Literal["json", "csv"], Query()] = "json"
) -> FastJSONResponse | StreamingResponse:
    """The backlog: open complaints by category and owner, the oldest open ones, the mean
    time to resolve over 30 days; ``?format=csv``: every open complaint, oldest first."""
    if format == "csv":
        return StreamingResponse(
            complaints.backlog_csv(svc),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="complaints.csv"'},
        )
    return FastJSONResponse(await complaints.backlog_report(svc))
