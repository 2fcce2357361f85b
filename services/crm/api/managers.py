"""Account managers over REST (thin): managers, assignment by hand, the activity log, due
visits and portfolios. Errors are problem+json; bad input changes nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from fairwind.http import FastJSONResponse, FastJSONRoute, Problem
from services.crm.accounts import activities, assignment, managers, visits
from services.crm.accounts.activities import ActivityIn, BadActivity
from services.crm.accounts.managers import Conflict, ManagerIn, ManagerPatch, NotFound, StaffId
from services.crm.api.deps import Service
from services.crm.api.manager_views import activity_view, due_view, manager_view, portfolio_view
from services.crm.handlers import CrmService

router = APIRouter(prefix="/v1", route_class=FastJSONRoute)
MAX_ID = 64
DEFAULT_LIMIT = 100


Limit = Annotated[int, Query(ge=1)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


class ManagerChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    manager_id: StaffId
    pinned: bool = True


def _known_id(value: str, what: str) -> str:
    """Ids longer than any stored one are unknown without asking the database."""
    if len(value) > MAX_ID:
        raise Problem(404, f"No {what} {value[:MAX_ID]!r}.")
    return value


def _limit(svc: CrmService, limit: int) -> int:
    if limit > svc.settings.max_list_limit:
        raise Problem(400, f"limit is at most {svc.settings.max_list_limit}.")
    return limit


def _refused(exc: Exception) -> Problem:
    if isinstance(exc, NotFound):
        return Problem(404, str(exc))
    if isinstance(exc, Conflict):
        return Problem(409, str(exc))
    return Problem(422, str(exc))


@router.post("/managers", status_code=201, tags=["managers"])
async def create_manager(spec: ManagerIn, svc: Service) -> FastJSONResponse:
    try:
        doc = await managers.create_manager(
            svc, managers.manager_doc(spec, svc.settings.default_country_code)
        )
    except (ValueError, Conflict) as exc:
        raise _refused(exc) from None
    return FastJSONResponse(manager_view(doc), status_code=201)


@router.get("/managers", tags=["managers"])
async def list_managers(svc: Service, active: bool | None = None) -> FastJSONResponse:
    docs = await svc.store.managers.listing(active)
    loads = await svc.store.assignments.loads()
    currency = svc.settings.currency
    return FastJSONResponse(
        {"managers": [manager_view(d, loads.get(d["_id"]), currency) for d in docs]}
    )


@router.get("/managers/{manager_id}", tags=["managers"])
async def get_manager(manager_id: str, svc: Service) -> FastJSONResponse:
    doc = await svc.store.managers.get(_known_id(manager_id, "manager"))
    if doc is None:
        raise Problem(404, f"No manager {manager_id!r}.")
    loads = await svc.store.assignments.loads([manager_id])
    return FastJSONResponse(manager_view(doc, loads.get(manager_id), svc.settings.currency))


@router.patch("/managers/{manager_id}", tags=["managers"])
async def patch_manager(manager_id: str, patch: ManagerPatch, svc: Service) -> FastJSONResponse:
    _known_id(manager_id, "manager")
    try:
        changes = managers.patch_changes(patch, svc.settings.default_country_code)
        doc = await managers.update_manager(svc, manager_id, changes)
    except (ValueError, NotFound) as exc:
        raise _refused(exc) from None
    return FastJSONResponse(manager_view(doc))


@router.put("/customers/{customer_id}/manager", tags=["managers"])
async def put_customer_manager(
    customer_id: str, choice: ManagerChoice, svc: Service
) -> FastJSONResponse:
    try:
        manager = await assignment.set_manager(
            svc, _known_id(customer_id, "customer"), choice.manager_id, choice.pinned
        )
    except (NotFound, Conflict) as exc:
        raise _refused(exc) from None
    chosen = {"id": manager["_id"], "name": manager["name"], "pinned": choice.pinned}
    return FastJSONResponse({"customer_id": customer_id, "account_manager": chosen})


@router.delete("/customers/{customer_id}/manager", tags=["managers"])
async def delete_customer_manager(customer_id: str, svc: Service) -> FastJSONResponse:
    try:
        await assignment.clear_manager(svc, _known_id(customer_id, "customer"))
    except NotFound as exc:
        raise _refused(exc) from None
    return FastJSONResponse({"customer_id": customer_id, "account_manager": None})


@router.post("/customers/{customer_id}/activities", status_code=201, tags=["managers"])
async def post_activity(customer_id: str, spec: ActivityIn, svc: Service) -> FastJSONResponse:
    try:
        doc = await activities.record_activity(svc, _known_id(customer_id, "customer"), spec)
    except (NotFound, BadActivity) as exc:
        raise _refused(exc) from None
    return FastJSONResponse(activity_view(doc), status_code=201)


@router.get("/customers/{customer_id}/activities", tags=["managers"])
async def list_activities(
    customer_id: str, svc: Service, limit: Limit = 50, offset: Offset = 0
) -> FastJSONResponse:
    try:
        docs = await activities.activities_of(
            svc, _known_id(customer_id, "customer"), _limit(svc, limit), offset
        )
    except NotFound as exc:
        raise _refused(exc) from None
    return FastJSONResponse(
        {
            "customer_id": customer_id,
            "activities": [activity_view(d) for d in docs],
            "limit": limit,
            "offset": offset,
        }
    )


@router.get("/managers/{manager_id}/due-visits", tags=["managers"])
async def manager_due_visits(
    manager_id: str, svc: Service, limit: Limit = DEFAULT_LIMIT
) -> FastJSONResponse:
    _limit(svc, limit)
    try:
        due = await visits.due_list(svc, _known_id(manager_id, "manager"))
    except NotFound as exc:
        raise _refused(exc) from None
    return FastJSONResponse(
        {"manager_id": manager_id} | due_view(due, svc.settings.currency, limit)
    )


@router.get("/visits/due", tags=["managers"])
async def all_due_visits(svc: Service, limit: Limit = DEFAULT_LIMIT) -> FastJSONResponse:
    _limit(svc, limit)
    due = await visits.due_list(svc)
    return FastJSONResponse(due_view(due, svc.settings.currency, limit))


@router.get("/managers/{manager_id}/portfolio", tags=["managers"])
async def manager_portfolio(manager_id: str, svc: Service) -> FastJSONResponse:
    try:
        manager, accounts = await visits.portfolio(svc, _known_id(manager_id, "manager"))
    except NotFound as exc:
        raise _refused(exc) from None
    view = portfolio_view(
        manager, accounts, svc.clock.now(), svc.settings.visit_interval_days, svc.settings.currency
    )
    return FastJSONResponse(view)
