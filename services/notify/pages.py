"""The pages the links in messages open (thin): a survey's form and its answer, and the
opt-out. A browser's form post gets a page back; a JSON post (an app) gets JSON, or
problem+json."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from fairwind.http import FastJSONRoute, Problem
from services.notify import optouts
from services.notify.deps import Pages, Service
from services.notify.domain.rules import Audience
from services.notify.domain.surveys import Answer, InvalidAnswer
from services.notify.handlers import NotifyService
from services.notify.surveys import (
    AlreadyAnswered,
    UnknownSurvey,
    answer_survey,
    answered,
    survey_of,
)

router = APIRouter(prefix="/v1", tags=["pages"], route_class=FastJSONRoute)
FORM = "application/x-www-form-urlencoded"


@router.get("/surveys/{survey}", response_class=HTMLResponse)
async def survey_page(
    survey: str, svc: Service, pages: Pages, t: Annotated[str, Query(max_length=64)] = ""
) -> HTMLResponse:
    try:
        found = await survey_of(svc, survey, t)
    except UnknownSurvey:
        return HTMLResponse(pages.survey_page("zh", "", message="invalid"), status_code=404)
    if await answered(svc, found):
        return HTMLResponse(pages.survey_page(found.language, "", message="answered"))
    html = pages.survey_page(found.language, found.parcel.waybill, action=survey, token=t)
    return HTMLResponse(html)


@router.post("/surveys/{survey}", status_code=201)
async def answer(survey: str, request: Request, svc: Service, pages: Pages) -> Response:
    form = request.headers.get("content-type", "").startswith(FORM)
    fields = await _fields(request, form)
    try:
        found = await survey_of(svc, survey, str(fields.get("t") or fields.get("token") or ""))
    except UnknownSurvey:
        if form:
            return HTMLResponse(pages.survey_page("zh", "", message="invalid"), status_code=404)
        raise Problem(404, "No such survey, or the link is not valid.") from None
    try:
        given = Answer.checked(fields.get("score"), fields.get("recommend"), fields.get("comment"))
        await answer_survey(svc, found, given)
    except InvalidAnswer as exc:
        raise Problem(422, str(exc), reason="invalid_answer") from exc
    except AlreadyAnswered:
        if form:
            page = pages.survey_page(found.language, "", message="answered")
            return HTMLResponse(page, status_code=409)
        raise Problem(409, "This survey has been answered.", reason="already_answered") from None
    if form:
        return HTMLResponse(
            pages.survey_page(found.language, "", message="thanks"), status_code=201
        )
    return JSONResponse({"survey_id": survey, "score": given.score}, status_code=201)


@router.get("/unsubscribe/{waybill}", response_class=HTMLResponse)
async def unsubscribe_page(
    waybill: str,
    svc: Service,
    pages: Pages,
    a: Annotated[str, Query(max_length=20)] = "",
    t: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    try:
        optouts.checked(svc, waybill, a, t)
    except optouts.UnknownLink:
        return HTMLResponse(pages.unsubscribe_page("zh", "", message="invalid"), status_code=404)
    language = await _language(svc, waybill, a)
    return HTMLResponse(pages.unsubscribe_page(language, waybill, audience=a, token=t))


@router.post("/unsubscribe/{waybill}", response_class=HTMLResponse)
async def unsubscribe(waybill: str, request: Request, svc: Service, pages: Pages) -> HTMLResponse:
    fields = await _fields(request, request.headers.get("content-type", "").startswith(FORM))
    audience, presented = str(fields.get("a", "")), str(fields.get("t", ""))
    try:
        person = optouts.checked(svc, waybill, audience, presented)
        await optouts.opt_out(svc, waybill, person)
    except optouts.UnknownLink:
        return HTMLResponse(pages.unsubscribe_page("zh", "", message="invalid"), status_code=404)
    language = await _language(svc, waybill, audience)
    return HTMLResponse(pages.unsubscribe_page(language, waybill, message="done"))


async def _language(svc: NotifyService, waybill: str, audience: str) -> str:
    parcel = (await svc.store.parcels.many([waybill])).get(waybill)
    person = parcel.people.get(Audience(audience)) if parcel else None
    return person.prefs.language if person else "zh"


async def _fields(request: Request, form: bool) -> dict[str, Any]:
    if form:
        return dict(await request.form())
    try:
        body = await request.json()
    except ValueError:
        raise Problem(400, "The body is neither a form nor JSON.", reason="invalid_body") from None
    if not isinstance(body, dict):
        raise Problem(400, "The body must be a JSON object.", reason="invalid_body")
    return body
