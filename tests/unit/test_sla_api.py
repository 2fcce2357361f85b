"""The SLA worker's OpenAPI document: every reference resolves, every page is described, and
the answers the pages build validate against the schemas it publishes."""

from __future__ import annotations

from typing import Any

from services.sla.api import (
    AtRiskAnswer,
    ComplianceAnswer,
    ComplianceRow,
    invalid_query,
    openapi_document,
)
from services.sla.views import with_objectives


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_every_reference_resolves() -> None:
    document = openapi_document()
    schemas = document["components"]["schemas"]
    refs = _refs(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in schemas


def test_pages_and_their_errors_are_described() -> None:
    paths = openapi_document()["paths"]
    assert set(paths) == {"/v1/compliance", "/v1/at-risk", "/metrics"}
    compliance = paths["/v1/compliance"]["get"]
    assert {p["name"] for p in compliance["parameters"]} == {"sla", "by", "window"}
    bad = compliance["responses"]["400"]["content"]
    assert list(bad) == ["application/problem+json"]


def test_the_schemas_match_what_the_pages_return() -> None:
    schemas = openapi_document()["components"]["schemas"]
    answer = ComplianceAnswer(
        sla="pickup",
        by="outlet",
        window="1h",
        as_of="2026-12-01T08:00:00+00:00",
        rows={"SZX001": ComplianceRow(met=3, breached=1, compliance=0.75)},
    ).model_dump()
    assert set(answer) == set(schemas["ComplianceAnswer"]["properties"])
    assert set(answer["rows"]["SZX001"]) == set(schemas["ComplianceRow"]["properties"])
    assert set(AtRiskAnswer(as_of="x", at_risk=[]).model_dump()) == set(
        schemas["AtRiskAnswer"]["properties"]
    )


def test_a_bad_query_is_a_problem_with_a_reason_code() -> None:
    problem = invalid_query("/v1/compliance")
    assert problem.status == 400
    assert problem.title == "invalid_query"
    assert "window: 1h|24h|7d" in problem.detail


def test_tier_rows_show_their_objective_and_the_error_budget_left() -> None:
    rows = {
        "Q1": {"met": 995, "breached": 5, "compliance": 0.995},
        "Q3": {"met": 90, "breached": 10, "compliance": 0.9},
        "Q9": {"met": 1, "breached": 0, "compliance": 1.0},
    }
    shown = with_objectives(rows, {"Q1": 0.99, "Q3": 0.95})
    assert (shown["Q1"]["objective"], shown["Q1"]["error_budget_left"]) == (0.99, 0.5)
    assert (shown["Q3"]["objective"], shown["Q3"]["error_budget_left"]) == (0.95, -1.0)
    assert (shown["Q9"]["objective"], shown["Q9"]["error_budget_left"]) == (None, None)
