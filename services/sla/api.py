"""The SLA worker's HTTP pages (served by Faust's web server): compliance, the at-risk list,
Prometheus metrics and the OpenAPI document describing them.

Answers are built through the pydantic models below, and ``/openapi.json`` is generated from
the same models, so the document cannot drift from what the pages return."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from fairwind.problems import problem_type
from services.sla.processing import DIMENSIONS, SLA_CODES
from services.sla.views import aggregate, at_risk, with_objectives

if TYPE_CHECKING:
    from services.sla.bootstrap import SlaApp

# The tumbling hour, the rolling day, and a week for a whole simulated run or a weekly review.
WINDOWS = {"1h": 1, "24h": 24, "7d": 168}
AT_RISK_LIMIT = 100
PROBLEM_JSON = "application/problem+json"

Page = Callable[[Any, Any], Awaitable[Any]]


class ComplianceRow(BaseModel):
    met: int = Field(description="clocks closed in time")
    breached: int = Field(description="clocks closed late or breached by their timer")
    compliance: float | None = Field(description="met / (met + breached); null without clocks")
    objective: float | None = Field(
        default=None, description="by=customer_tier: the tier's objective (share to meet)"
    )
    error_budget_left: float | None = Field(
        default=None,
        description="by=customer_tier: 1 - breached share / (1 - objective); below 0 overspent",
    )


class ComplianceAnswer(BaseModel):
    sla: str
    by: str
    window: str
    as_of: str = Field(description="the worker's clock (ISO 8601) the window ends at")
    rows: dict[str, ComplianceRow] = Field(description="one row per value of `by`")


class AtRiskClock(BaseModel):
    waybill: str
    sla: str
    deadline: str
    minutes_left: float


class AtRiskAnswer(BaseModel):
    as_of: str
    at_risk: list[AtRiskClock] = Field(description="closest to breach first, at most 100")


class ProblemDetails(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str = Field(description="a stable reason code")
    status: int
    detail: str
    instance: str | None = None


class SlaPages:
    """The pages of one worker, reading its tables and counters."""

    def __init__(self, sla: SlaApp) -> None:
        self.sla = sla

    def mount(self) -> None:
        pages: dict[str, Page] = {
            "/v1/compliance": self.compliance,
            "/v1/at-risk": self.at_risk,
            "/metrics": self.metrics,
            "/openapi.json": self.openapi,
        }
        for path, page in pages.items():
            self.sla.app.page(path)(_view(page))

    async def compliance(self, web: Any, request: Any) -> Any:
        query = request.query
        sla, by = query.get("sla", "pickup"), query.get("by", "outlet")
        window = query.get("window", "1h")
        if sla not in SLA_CODES or by not in DIMENSIONS or window not in WINDOWS:
            problem = invalid_query(request.path)
            body = problem.model_dump(exclude_none=True)
            return web.json(body, status=400, content_type=PROBLEM_JSON)
        now = self.sla.clock.now()
        rows = aggregate(self.sla.counts.items(), sla, by, WINDOWS[window], now)
        if by == "customer_tier":
            rows = with_objectives(rows, self.sla.settings.tier_objectives)
        answer = ComplianceAnswer(
            sla=sla,
            by=by,
            window=window,
            as_of=now.isoformat(),
            rows={value: ComplianceRow(**row) for value, row in rows.items()},
        )
        return web.json(answer.model_dump())

    async def at_risk(self, web: Any, request: Any) -> Any:
        now = self.sla.clock.now()
        open_clocks = at_risk(self.sla.shipments.items(), now)
        self.sla.metrics.at_risk.set(len(open_clocks))
        answer = AtRiskAnswer(
            as_of=now.isoformat(),
            at_risk=[AtRiskClock(**row) for row in open_clocks[:AT_RISK_LIMIT]],
        )
        return web.json(answer.model_dump())

    async def metrics(self, web: Any, request: Any) -> Any:
        # aiohttp refuses a charset in content_type, so the exposition's full type goes as a header.
        body = generate_latest(self.sla.registry)
        return web.bytes(body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def openapi(self, web: Any, request: Any) -> Any:
        return web.json(openapi_document())


def invalid_query(path: str) -> ProblemDetails:
    return ProblemDetails(
        type=problem_type("invalid_query"),
        title="invalid_query",
        status=400,
        detail=f"sla: {'|'.join(SLA_CODES)}; by: {'|'.join(DIMENSIONS)}; "
        f"window: {'|'.join(WINDOWS)}",
        instance=path,
    )


def _query(name: str, values: list[str], default: str, about: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": about,
        "schema": {"type": "string", "enum": values, "default": default},
    }


def _json(model: type[BaseModel], media: str = "application/json") -> dict[str, Any]:
    return {"content": {media: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.1 for the worker's pages, with the answers' schemas from the models."""
    models: list[type[BaseModel]] = [
        ComplianceRow,
        ComplianceAnswer,
        AtRiskClock,
        AtRiskAnswer,
        ProblemDetails,
    ]
    schemas = {
        model.__name__: model.model_json_schema(ref_template="#/components/schemas/{model}")
        for model in models
    }
    compliance_parameters = [
        _query("sla", list(SLA_CODES), "pickup", "which SLA"),
        _query("by", list(DIMENSIONS), "outlet", "the dimension the rows are per"),
        _query("window", list(WINDOWS), "1h", "how far back from the worker's clock"),
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Fairwind SLA compliance", "version": "1"},
        "paths": {
            "/v1/compliance": {
                "get": {
                    "summary": "Met, breached and compliance per outlet, city, level or tier",
                    "operationId": "get_compliance",
                    "parameters": compliance_parameters,
                    "responses": {
                        "200": {"description": "compliance rows"} | _json(ComplianceAnswer),
                        "400": {"description": "an unknown sla, by or window"}
                        | _json(ProblemDetails, PROBLEM_JSON),
                    },
                }
            },
            "/v1/at-risk": {
                "get": {
                    "summary": "Open clocks past the at-risk fraction of their budget",
                    "operationId": "get_at_risk",
                    "responses": {"200": {"description": "the at-risk list"} | _json(AtRiskAnswer)},
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Prometheus exposition",
                    "operationId": "get_metrics",
                    "responses": {
                        "200": {
                            "description": "metrics",
                            "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
                        }
                    },
                }
            },
        },
        "components": {"schemas": schemas},
    }


def _view(page: Page) -> Page:
    """Faust calls a page as ``page(view, request)``; bound methods need a plain function."""

    async def handler(web: Any, request: Any) -> Any:
        return await page(web, request)

    return handler
