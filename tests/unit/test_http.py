"""The shared FastAPI pieces, in-process (no network, no infrastructure)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from pydantic import BaseModel, Field

from fairwind.http import PROBLEM_JSON, Problem, setup_http
from fairwind.metrics import KitMetrics, kit_metrics

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class Parcel(BaseModel):
    weight_kg: float = Field(gt=0, le=70)


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def metrics(registry: CollectorRegistry) -> KitMetrics:
    return kit_metrics(registry)


@pytest.fixture
def client(metrics: KitMetrics, registry: CollectorRegistry) -> TestClient:
    app = FastAPI()
    stored: list[Parcel] = []

    @app.post("/v1/parcels/{ref}")
    async def create(ref: str, parcel: Parcel) -> dict[str, str]:
        if ref == "taken":
            raise Problem(
                409, "Parcel taken exists.", type_="https://fairwind.dev/problems/conflict", ref=ref
            )
        stored.append(parcel)
        return {"ref": ref}

    setup_http(app, metrics, registry, max_body_bytes=200)
    return TestClient(app)


def test_validation_errors_are_problem_json(client: TestClient) -> None:
    response = client.post("/v1/parcels/a", json={"weight_kg": -1})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == 422
    assert body["instance"] == "/v1/parcels/a"
    assert body["errors"][0]["location"] == ["body", "weight_kg"]


def test_malformed_json_is_problem_json(client: TestClient) -> None:
    response = client.post(
        "/v1/parcels/a", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON


def test_raised_problem_keeps_type_and_extensions(client: TestClient) -> None:
    response = client.post("/v1/parcels/taken", json={"weight_kg": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "https://fairwind.dev/problems/conflict"
    assert body["title"] == "Conflict"
    assert body["ref"] == "taken"


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON


def test_oversized_body_is_refused_with_413(client: TestClient) -> None:
    response = client.post(
        "/v1/parcels/a",
        content=b'{"weight_kg": 1, "x": "' + b"a" * 500 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON


def test_chunked_oversized_body_is_refused_too(client: TestClient) -> None:
    def chunks() -> object:
        yield b'{"weight_kg": 1, "x": "'
        yield b"a" * 500
        yield b'"}'

    response = client.post(
        "/v1/parcels/a",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_requests_are_counted_by_route_template(client: TestClient, metrics: KitMetrics) -> None:
    client.post("/v1/parcels/a", json={"weight_kg": 1})
    client.post("/v1/parcels/b", json={"weight_kg": 1})
    client.post("/v1/parcels/c", json={"weight_kg": 0})
    ok = metrics.http_requests.labels("POST", "/v1/parcels/{ref}", "200")._value.get()
    bad = metrics.http_requests.labels("POST", "/v1/parcels/{ref}", "422")._value.get()
    assert (ok, bad) == (2, 1)
    scrape = client.get("/metrics").text
    assert (
        'fairwind_http_requests_total{method="POST",route="/v1/parcels/{ref}",status="200"} 2.0'
        in scrape
    )


def test_trace_context_continues_into_the_response(client: TestClient) -> None:
    response = client.post(
        "/v1/parcels/a", json={"weight_kg": 1}, headers={"traceparent": TRACEPARENT}
    )
    returned = response.headers["traceparent"]
    assert returned.split("-")[1] == TRACEPARENT.split("-")[1]
    assert returned != TRACEPARENT  # a new span in the same trace
